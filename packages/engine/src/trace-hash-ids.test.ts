import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, LLMInferenceSimulator, type SimulatorConfig } from '@sim/engine';
import { describe, expect, it } from 'vitest';

/** A Mooncake-format trace (JSON Lines, timestamps in milliseconds, one hash id per 512 tokens). */
function mooncakeTrace(
  rows: readonly { readonly ms: number; readonly input: number; readonly ids: readonly number[] }[],
) {
  return rows
    .map(({ ms, input, ids }) =>
      JSON.stringify({ timestamp: ms, input_length: input, output_length: 20, hash_ids: ids }),
    )
    .join('\n');
}

const directory = mkdtempSync(join(tmpdir(), 'llm-sim-trace-hashes-'));
let files = 0;
function configFor(trace: string, overrides: Partial<SimulatorConfig> = {}): SimulatorConfig {
  const file = join(directory, `trace-${files++}.jsonl`);
  writeFileSync(file, trace);
  return {
    modelSpec: { name: 'llama-3.1-8b' },
    clusterSpec: { gpuSpec: { name: 'H100' }, nGpusPerNode: 1 },
    ...overrides,
    workloadSpec: { arrivalProcess: 'trace', traceFile: file, ...overrides.workloadSpec },
    drain: true,
  };
}
const statisticsOf = (config: SimulatorConfig) => new LLMInferenceSimulator(config).run().computeStatistics();

/**
 * `documents` shared documents of 4 hash ids (2,048 tokens), each asked about by `questions`
 * requests that add one id of their own (a 2,300-token prompt), interleaved, 0.2 s apart.
 */
function documentTrace(documents: number, questions: number): string {
  const rows: { ms: number; input: number; ids: number[] }[] = [];
  for (let question = 0; question < questions; question++)
    for (let document = 0; document < documents; document++) {
      const base = 1000 * (document + 1);
      const own = 1_000_000 + rows.length;
      rows.push({ ms: 200 * rows.length, input: 2300, ids: [base, base + 1, base + 2, base + 3, own] });
    }
  return mooncakeTrace(rows);
}

describe('traces with Mooncake hash_ids', () => {
  it('a request hits exactly the blocks its leading ids share with what is cached', () => {
    const trace = mooncakeTrace([
      { ms: 0, input: 1100, ids: [0, 1, 2] },
      { ms: 10_000, input: 1100, ids: [0, 1, 3] }, // shares 2 ids: 1,024 tokens
      { ms: 20_000, input: 1100, ids: [0, 1, 2] }, // the same prompt: ⌊1,099 / 16⌋ × 16 = 1,088
      { ms: 30_000, input: 600, ids: [4, 5] }, // nothing
      { ms: 40_000, input: 520, ids: [0, 6] }, // shares 1 id: 512
    ]);
    const statistics = statisticsOf(configFor(trace));
    expect(statistics.completedRequests).toBe(5);
    expect(statistics.prefixCacheHitRate).toBeCloseTo((1024 + 1088 + 512) / (3 * 1100 + 600 + 520), 12);
    // With ids of 256 tokens, id k covers less: the same rows share 512, 1,024 and 256 tokens.
    const small = statisticsOf(configFor(trace, { workloadSpec: { traceHashBlockTokens: 256 } }));
    expect(small.prefixCacheHitRate).toBeCloseTo((512 + 768 + 256) / (3 * 1100 + 600 + 520), 12);
    // Without prefix caching nothing is shared.
    const off = statisticsOf(configFor(trace, { schedulerSpec: { enablePrefixCaching: false } }));
    expect(off.prefixCacheHitRate).toBe(0);
    expect(off.firstTokenLatency.mean).toBeGreaterThan(statistics.firstTokenLatency.mean);
  });

  it('prefix-affinity routing follows the ids to the replica that holds them; round-robin scatters them', () => {
    // 7 documents over 4 replicas: round-robin sends each next question about a document elsewhere.
    const trace = documentTrace(7, 6);
    const over = (router: string) =>
      statisticsOf(
        configFor(trace, {
          clusterSpec: { gpuSpec: { name: 'H100' }, nGpusPerNode: 4 },
          parallelismSpec: { dataParallelSize: 4, router },
        }),
      );
    const affinity = over('prefix-affinity');
    const roundRobin = over('round-robin');
    const scored = over('scored');
    // Affinity: every question after a document's first hits its 2,048 tokens (35 of 42 requests).
    expect(affinity.prefixCacheHitRate).toBeCloseTo((35 * 2048) / (42 * 2300), 12);
    expect(roundRobin.prefixCacheHitRate).toBeLessThan(affinity.prefixCacheHitRate - 0.2);
    expect(scored.prefixCacheHitRate).toBeGreaterThan(roundRobin.prefixCacheHitRate);
    expect(affinity.firstTokenLatency.mean).toBeLessThan(roundRobin.firstTokenLatency.mean);
  });

  it('is deterministic, and works with disaggregated prefill/decode and KV offload', () => {
    const config = configFor(documentTrace(5, 4));
    expect(JSON.stringify(statisticsOf(config))).toBe(JSON.stringify(statisticsOf(config)));
    const disaggregated = statisticsOf({
      ...config,
      clusterSpec: { gpuSpec: { name: 'H100' }, nGpusPerNode: 2 },
      disaggregation: {
        prefill: { replicas: 1, tensorParallelSize: 1 },
        decode: { replicas: 1, tensorParallelSize: 1 },
      },
    });
    expect(disaggregated.completedRequests).toBe(20);
    expect(disaggregated.prefixCacheHitRate).toBeCloseTo((15 * 2048) / (20 * 2300), 12);
    const offload = statisticsOf({ ...config, schedulerSpec: { kvOffload: { cpuMemoryGb: 16 } } });
    expect(offload.prefixCacheHitRate).toBeCloseTo((15 * 2048) / (20 * 2300), 12);
  });

  it("a row without hash ids keeps its session's keys; a row with ids is keyed by them alone", () => {
    const file = join(directory, `trace-${files++}.csv`);
    writeFileSync(
      file,
      [
        'arrival_time,input_tokens,output_tokens,session_id,hash_ids',
        '0,600,100,chat,',
        '10,800,20,chat,', // resends the 700 tokens before it: hits ⌊699 / 16⌋ × 16 = 688
        '20,1100,20,,7 8 9',
        '30,1100,20,chat,7 8 9', // keyed by its ids: the previous row's prompt, ⌊1,099 / 16⌋ × 16 = 1,088
      ].join('\n'),
    );
    const statistics = statisticsOf({
      modelSpec: { name: 'llama-3.1-8b' },
      clusterSpec: { gpuSpec: { name: 'H100' } },
      workloadSpec: { arrivalProcess: 'trace', traceFile: file },
      drain: true,
    });
    expect(statistics.prefixCacheHitRate).toBeCloseTo((688 + 1088) / (600 + 800 + 1100 + 1100), 12);
  });

  it('explains a block size that does not fit the ids, and prefixSharing on top of them', () => {
    const trace = mooncakeTrace([{ ms: 0, input: 100, ids: [0, 1, 2, 3, 4, 5] }]);
    const issue = (config: SimulatorConfig) => {
      try {
        new LLMInferenceSimulator(config).run();
      } catch (error) {
        expect(error).toBeInstanceOf(ConfigError);
        return (error as ConfigError).issues[0];
      }
      throw new Error('expected a ConfigError');
    };
    expect(issue(configFor(trace))).toMatchObject({
      path: 'workloadSpec.traceHashBlockTokens',
      message: expect.stringMatching(
        /request 1 of .* has 6 hash ids for a 100-token prompt \(at most 1 at that size\): its ids name about 16 tokens each/,
      ),
    });
    expect(
      issue(
        configFor(trace, {
          workloadSpec: { traceHashBlockTokens: 16, prefixSharing: { groups: 2, prefixLength: 50 } },
        }),
      ),
    ).toMatchObject({ path: 'workloadSpec.prefixSharing' });
    expect(
      statisticsOf(configFor(trace, { workloadSpec: { traceHashBlockTokens: 16 } })).completedRequests,
    ).toBe(1);
  });
});
