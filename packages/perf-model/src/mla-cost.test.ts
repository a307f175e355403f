import { createPerfModel } from '@sim/perf-model';
import { resolveConfig, type SimulatorConfig } from '@sim/specs';
import { describe, expect, it } from 'vitest';

const deepseek = (modelSpec: SimulatorConfig['modelSpec']) =>
  createPerfModel(
    resolveConfig({
      modelSpec,
      clusterSpec: { nGpusPerNode: 8, gpuSpec: { name: 'H200-141GB' } },
      parallelismSpec: { tensorParallelSize: 8 },
    }),
  );

describe('DeepSeek-V3 costs (MLA, shared experts, dense layers)', () => {
  it('decode attention reads the latent: long contexts cost far less than with multi-head keys and values', () => {
    const mla = deepseek({ name: 'deepseek-v3' });
    // The same model with grouped-query attention of 128 KV heads (kvLoraRank 0): 64× the cache bytes per token.
    const mha = deepseek({ name: 'deepseek-v3', kvLoraRank: 0, qLoraRank: 0, qkRopeHeadDim: 0 });
    const batch = (contexts: number) => ({
      prefillChunks: [],
      prefillContexts: [],
      decodeSequences: 64,
      decodeContextTokens: 64 * contexts,
    });
    const growth = (perf: ReturnType<typeof deepseek>) =>
      perf.iterationTime(batch(8192)) - perf.iterationTime(batch(1024));
    expect(mha.geometry.kvBytesPerTokenPerLayer / mla.geometry.kvBytesPerTokenPerLayer).toBeCloseTo(
      ((128 / 8) * (192 + 128)) / 576,
      6,
    );
    expect(growth(mha) / growth(mla)).toBeGreaterThan(5);
  });

  it('shared experts and dense layers add their MLPs: each costs time a plain MoE layer does not', () => {
    const time = (overrides: Record<string, number>) =>
      deepseek({ name: 'deepseek-v3', ...overrides }).iterationTime({
        prefillChunks: [2048],
        prefillContexts: [0],
        decodeSequences: 0,
        decodeContextTokens: 0,
      });
    const full = time({});
    expect(time({ numSharedExperts: 0 })).toBeLessThan(full);
    // Three dense layers (18,432 wide) cost less than three MoE layers' 8 routed + 1 shared experts at 2,048 tokens.
    expect(time({ nDenseLayers: 0 })).toBeGreaterThan(full);
  });
});
