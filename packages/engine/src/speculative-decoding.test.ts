import { LLMInferenceSimulator, type SimulatorConfig } from '@sim/engine';
import { describe, expect, it } from 'vitest';

const run = (config: SimulatorConfig) => new LLMInferenceSimulator(config).run().computeStatistics();
const base = (arrivalRate: number): SimulatorConfig => ({
  modelSpec: { name: 'llama-3.1-8b' },
  clusterSpec: { gpuSpec: { name: 'H100' } },
  workloadSpec: { arrivalRate, numRequests: 300, avgInputLength: 512, avgOutputLength: 256 },
  drain: true,
});
const eagle = { method: 'eagle', numSpeculativeTokens: 3, acceptanceRate: 0.8 } as const;

describe('speculative decoding end to end', () => {
  it('at low load TPOT falls by about the decode speedup; the statistics report tokens per step', () => {
    const plain = run(base(0.5));
    const fast = run({ ...base(0.5), speculativeSpec: eagle });
    expect(fast.speculative).toMatchObject({ method: 'eagle', numSpeculativeTokens: 3 });
    expect(fast.speculative?.tokensPerStep).toBeCloseTo(2.952, 12);
    expect(fast.speculative?.acceptedTokensPerStep).toBeCloseTo(1.952, 12);
    const speedup = fast.speculative?.decodeSpeedup ?? 0;
    expect(speedup).toBeGreaterThan(1.5);
    // The CPU overhead per iteration stays (conservative), so TPOT falls by less than the GPU speedup.
    const ratio = plain.timePerOutputToken.p50 / fast.timePerOutputToken.p50;
    expect(ratio).toBeGreaterThan(1.3);
    expect(ratio).toBeLessThanOrEqual(speedup * 1.05);
    // The same requests and tokens: conservation holds.
    expect([fast.completedRequests, fast.outputTokens]).toEqual([
      plain.completedRequests,
      plain.outputTokens,
    ]);
    expect(plain.speculative).toBeUndefined();
  });

  it('is deterministic, and a typed error names a missing draft model or a wrong rate list', () => {
    const config = { ...base(4), speculativeSpec: eagle };
    expect(JSON.stringify(run(config))).toBe(JSON.stringify(run(config)));
    expect(() =>
      run({
        ...base(1),
        speculativeSpec: { method: 'draft-model', numSpeculativeTokens: 2, acceptanceRate: 0.7 },
      }),
    ).toThrow(/speculativeSpec.draftModelSpec: is required by method "draft-model"/);
    expect(() => run({ ...base(1), speculativeSpec: { ...eagle, acceptanceRate: [0.9, 0.8] } })).toThrow(
      /speculativeSpec.acceptanceRate: has 2 rates for numSpeculativeTokens 3/,
    );
    expect(() =>
      run({
        ...base(1),
        speculativeSpec: { ...eagle, method: 'draft-model', draftModelSpec: { name: 'llama-3.1-70b' } },
      }),
    ).toThrow(/is not smaller than llama-3.1-8b/);
  });
});
