import {
  ConfigError,
  LLMInferenceSimulator,
  OutOfMemoryError,
  type SimulationStatistics,
  type SimulatorConfig,
} from '@sim/engine';
import { describe, expect, it } from 'vitest';

/** Llama-3.1-8B on four H100s: lognormal prompts and outputs at `rate` req/s for 120 s. */
function deployment(input: number, output: number, rate: number): SimulatorConfig {
  return {
    modelSpec: { name: 'llama-3.1-8b' },
    clusterSpec: { gpuSpec: { name: 'H100' }, nGpusPerNode: 4 },
    workloadSpec: {
      avgInputLength: input,
      avgOutputLength: output,
      arrivalRate: rate,
      lengthDistribution: 'lognormal',
    },
    simulationDurationS: 120,
    seed: 5,
  };
}

const colocated = (config: SimulatorConfig): SimulatorConfig => ({
  ...config,
  parallelismSpec: { dataParallelSize: 4, router: 'least-outstanding' },
});

const split = (config: SimulatorConfig, prefill: number, decode: number): SimulatorConfig => ({
  ...config,
  disaggregation: {
    prefill: { replicas: prefill, tensorParallelSize: 1 },
    decode: { replicas: decode, tensorParallelSize: 1 },
  },
});

const run = (config: SimulatorConfig, recordRequests = false) =>
  new LLMInferenceSimulator(config).run({ recordRequests });

function pools(statistics: SimulationStatistics) {
  const pools = statistics.disaggregation;
  if (pools === undefined) throw new Error('no disaggregation statistics');
  return pools;
}

describe('disaggregated prefill and decode', () => {
  it('long prompts under load: decodes are no longer interrupted by prefills, so TPOT and ITL tails fall', () => {
    const base = deployment(4000, 300, 12);
    const together = run(colocated(base)).computeStatistics();
    const apart = run(split(base, 2, 2)).computeStatistics();
    // Measured: TPOT p99 29.7 → 12.7 ms, ITL p99 66.8 → 13.1 ms (two prefill GPUs queue the prompts: TTFT rises).
    expect(apart.timePerOutputToken.p99).toBeLessThan(0.6 * together.timePerOutputToken.p99);
    expect(apart.interTokenLatency.p99).toBeLessThan(0.5 * together.interTokenLatency.p99);
    expect(apart.firstTokenLatency.p99).toBeGreaterThan(together.firstTokenLatency.p99);
    const { kvTransferTime, prefill, decode } = pools(apart);
    // 4,000-token prompts of Llama-3.1-8B (128 KiB of KV per token) over NVLink (450 GB/s): about a millisecond.
    expect(kvTransferTime.p50).toBeGreaterThan(0.0002);
    expect(kvTransferTime.p50).toBeLessThan(0.003);
    expect(prefill).toMatchObject({ replicas: 2, gpus: 2, gpu: 'H100' });
    expect(decode).toMatchObject({ replicas: 2, gpus: 2, gpu: 'H100' });
    expect(prefill.requests).toBe(apart.totalRequests - apart.rejectedRequests);
    expect(decode.requests).toBeLessThanOrEqual(prefill.requests);
    expect(decode.requests).toBeGreaterThan(0.95 * prefill.requests);
    for (const pool of [prefill, decode]) {
      expect(pool.gpuUtilization).toBeGreaterThan(0.1);
      expect(pool.gpuUtilization).toBeLessThanOrEqual(1);
    }
  });

  it('short prompts at low load: it does not pay (no better tail, the transfer on top)', () => {
    const base = deployment(300, 100, 2);
    const together = run(colocated(base)).computeStatistics();
    const apart = run(split(base, 2, 2)).computeStatistics();
    expect(apart.timePerOutputToken.p99).toBeGreaterThanOrEqual(together.timePerOutputToken.p99);
    expect(apart.endToEndLatency.p50).toBeGreaterThanOrEqual(together.endToEndLatency.p50);
    expect(apart.completedRequests).toBe(together.completedRequests);
  });

  it('a longer transfer (slow link) adds to every request; layer-pipelined transfers hide most of it', () => {
    const base = { ...deployment(4000, 50, 2), drain: true };
    const stats = (kvTransferBandwidthGbs: number, kvTransfer: 'after-prefill' | 'layer-pipelined') => {
      const config = split(base, 2, 2);
      return run({
        ...config,
        disaggregation: { ...config.disaggregation!, kvTransferBandwidthGbs, kvTransfer },
      }).computeStatistics();
    };
    const fast = stats(900, 'after-prefill');
    const slow = stats(5, 'after-prefill');
    const pipelined = stats(5, 'layer-pipelined');
    // 4,000 tokens × 128 KiB over 5 GB/s ≈ 0.1 s, after the prefill.
    expect(pools(slow).kvTransferTime.p50).toBeGreaterThan(50 * pools(fast).kvTransferTime.p50);
    expect(slow.endToEndLatency.p50).toBeGreaterThan(fast.endToEndLatency.p50 + 0.05);
    expect(pools(pipelined).kvTransferTime.p50).toBeLessThan(pools(slow).kvTransferTime.p50);
    // TTFT is the prefill instance's first token: the transfer comes after it.
    expect(slow.firstTokenLatency.p50).toBeCloseTo(fast.firstTokenLatency.p50, 6);
  });

  it('conserves requests and tokens, is deterministic, and may use a different GPU per pool', () => {
    const config = split({ ...deployment(2000, 200, 8), drain: true }, 1, 3);
    const first = run(config, true);
    const statistics = first.computeStatistics();
    expect(JSON.stringify(run(config, true).computeStatistics())).toBe(JSON.stringify(statistics));
    expect(statistics.completedRequests + statistics.rejectedRequests + statistics.inFlightRequests).toBe(
      statistics.totalRequests,
    );
    expect(statistics.inFlightRequests).toBe(0);
    const records = first.requestRecords();
    expect(statistics.outputTokens).toBe(records.reduce((sum, record) => sum + record.outputTokens, 0));
    // Records name the decode instance (replicas 1–3 after the one prefill instance) for multi-token requests.
    expect(
      new Set(records.filter((record) => record.outputTokens > 1).map((record) => record.replica)),
    ).toEqual(new Set([1, 2, 3]));
    const mixed = run({
      ...config,
      disaggregation: {
        prefill: { replicas: 1, tensorParallelSize: 1, gpuSpec: { name: 'H200' } },
        decode: { replicas: 3, tensorParallelSize: 1, gpuSpec: { name: 'A100-80GB' } },
      },
    }).computeStatistics();
    expect(pools(mixed).prefill.gpu).toBe('H200');
    expect(pools(mixed).decode.gpu).toBe('A100-80GB');
    // A100s decode slower than H100s (less memory bandwidth).
    expect(mixed.timePerOutputToken.p50).toBeGreaterThan(statistics.timePerOutputToken.p50);
  });

  it('sessions and prefix caching work across the pools', () => {
    const statistics = run(
      split(
        {
          ...deployment(400, 150, 2),
          workloadSpec: {
            avgInputLength: 400,
            avgOutputLength: 150,
            arrivalRate: 2,
            sessions: { turnsPerSession: 3, thinkTimeS: 1 },
          },
          parallelismSpec: { router: 'prefix-affinity' },
        },
        2,
        2,
      ),
    ).computeStatistics();
    const sessions = statistics.sessions;
    expect(sessions?.followUpTurns).toBeGreaterThan(0);
    // The prefill instance keeps each turn's prompt cached (the answer's KV went to a decode instance).
    expect(sessions?.followUpPrefixCacheHitRate).toBeGreaterThan(0.3);
  });

  it('rejects pools that do not make the cluster, timeouts, and pools that do not fit, naming the field', () => {
    const issuesOf = (config: SimulatorConfig) => {
      try {
        new LLMInferenceSimulator(config).resolvedConfig();
      } catch (error) {
        if (error instanceof ConfigError) return error.issues.map((issue) => issue.path);
        throw error;
      }
      return [];
    };
    const base = deployment(1000, 100, 1);
    expect(issuesOf(split(base, 1, 1))).toEqual(['disaggregation']);
    expect(
      issuesOf({ ...split(base, 2, 2), workloadSpec: { ...base.workloadSpec, requestTimeoutS: 10 } }),
    ).toEqual(['workloadSpec.requestTimeoutS']);
    expect(issuesOf({ ...split(base, 2, 2), parallelismSpec: { dataParallelSize: 4 } })).toEqual([
      'parallelismSpec',
    ]);
    // Llama-3.1-70B's 141 GB of weights on one 80 GB GPU per prefill instance.
    expect(() =>
      run({
        ...split(base, 2, 1),
        modelSpec: { name: 'llama-3.1-70b' },
        clusterSpec: { gpuSpec: { name: 'H100' }, nGpusPerNode: 6 },
        disaggregation: {
          prefill: { replicas: 2, tensorParallelSize: 1 },
          decode: { replicas: 1, tensorParallelSize: 4 },
        },
      }),
    ).toThrow(OutOfMemoryError);
  });
});
