import { LLMInferenceSimulator, type ModelSpec, type SimulatorConfig } from '@sim/engine';
import { describe, expect, it } from 'vitest';

const run = (config: SimulatorConfig, exactIterations = false) =>
  new LLMInferenceSimulator(config).run({ exactIterations }).computeStatistics();
const ossOnH100 = (modelSpec: ModelSpec): SimulatorConfig => ({
  modelSpec,
  clusterSpec: { gpuSpec: { name: 'H100' } },
  workloadSpec: { arrivalRate: 1, numRequests: 120, avgInputLength: 8000, avgOutputLength: 400 },
  drain: true,
});

describe('models with local attention end to end (gpt-oss)', () => {
  it('gpt-oss-20b serves long prompts faster than the same model with every layer attending to the whole context', () => {
    const local = run(ossOnH100({ name: 'gpt-oss-20b' }));
    const full = run(ossOnH100({ name: 'gpt-oss-20b', slidingWindow: 0 }));
    expect(local.completedRequests).toBe(120);
    // The 12 local layers' cache set aside: 12 × 2,048 bytes × (128 + 16) tokens × 256 sequences.
    expect(local.memory.localKvGbPerGpu).toBeCloseTo((12 * 2048 * 144 * 256) / 1e9, 12);
    expect(full.memory.localKvGbPerGpu).toBeUndefined();
    expect(full.completedRequests).toBe(120);
    expect(local.outputTokens).toBe(full.outputTokens);
    // Half the layers read 128 cached tokens instead of ~8,000: less attention per token.
    expect(local.timePerOutputToken.p50).toBeLessThan(full.timePerOutputToken.p50);
    expect(local.firstTokenLatency.p50).toBeLessThan(full.firstTokenLatency.p50);
  });

  it('is stepped iteration by iteration (no closed-form decode runs), so exactIterations changes nothing; deterministic', () => {
    const config = ossOnH100({ name: 'gpt-oss-120b' });
    const first = JSON.stringify(run(config));
    expect(JSON.stringify(run(config))).toBe(first);
    expect(JSON.stringify(run(config, true))).toBe(first);
  });
});
