import { LLMInferenceSimulator, type SimulatorConfig } from '@sim/engine';
import { describe, expect, it } from 'vitest';

/**
 * End to end through the scheduler's prefix cache: two shared prefixes of 500 tokens in 1024-token
 * prompts. Only full 16-token blocks are cached, so a warm cache serves ⌊500 / 16⌋ · 16 = 496
 * tokens of every prompt: the hit rate after the warm-up is 496 / 1024.
 */
const config = (enablePrefixCaching: boolean, extra: SimulatorConfig = {}): SimulatorConfig => ({
  modelSpec: { name: 'llama-3.1-8b' },
  clusterSpec: { gpuSpec: { name: 'H100' } },
  workloadSpec: {
    avgInputLength: 1024,
    avgOutputLength: 64,
    arrivalRate: 10,
    prefixSharing: { groups: 2, prefixLength: 500 },
  },
  schedulerSpec: { enablePrefixCaching },
  warmupS: 10,
  drain: true,
  seed: 21,
  ...extra,
});

describe('prefixCacheHitRate end to end', () => {
  it('a warm cache serves ⌊prefixLength / 16⌋ · 16 tokens of every prompt', () => {
    const stats = new LLMInferenceSimulator(config(true, { simulationDurationS: 60 }))
      .run()
      .computeStatistics();
    expect(stats.completedRequests).toBeGreaterThan(400);
    expect(stats.prefixCacheHitRate).toBeCloseTo((Math.floor(500 / 16) * 16) / 1024, 3);
    // Served from the cache means not prefilled: time to first token drops against caching off.
    const off = new LLMInferenceSimulator(config(false, { simulationDurationS: 60 }))
      .run()
      .computeStatistics();
    expect(off.prefixCacheHitRate).toBe(0);
    expect(stats.firstTokenLatency.mean).toBeLessThan(off.firstTokenLatency.mean);
  });

  it('per stage too, and the stages add up to the overall rate', () => {
    const stats = new LLMInferenceSimulator(
      config(true, {
        workloadSpec: {
          avgInputLength: 1024,
          avgOutputLength: 64,
          stages: [
            { rate: 5, durationS: 30 },
            { rate: 15, durationS: 30 },
          ],
          prefixSharing: { groups: 2, prefixLength: 500 },
        },
      }),
    )
      .run()
      .computeStatistics();
    const expected = (Math.floor(500 / 16) * 16) / 1024;
    for (const stage of stats.stages) expect(stage.prefixCacheHitRate).toBeCloseTo(expected, 3);
    expect(stats.prefixCacheHitRate).toBeCloseTo(expected, 3);
  });

  it('without shared prefixes nothing hits', () => {
    const stats = new LLMInferenceSimulator(
      config(true, {
        workloadSpec: { avgInputLength: 1024, avgOutputLength: 64, arrivalRate: 10 },
        simulationDurationS: 60,
      }),
    )
      .run()
      .computeStatistics();
    expect(stats.prefixCacheHitRate).toBe(0);
  });
});
