import { createPerfModel } from '@sim/perf-model';
import { MODEL_PRESETS, resolveConfig } from '@sim/specs';
import { describe, expect, it } from 'vitest';

describe('MoE weight bytes per iteration', () => {
  const mixtral = createPerfModel(
    resolveConfig({
      modelSpec: { name: 'mixtral-8x7b' },
      clusterSpec: { nGpusPerNode: 2, gpuSpec: { name: 'H100' } },
      parallelismSpec: { tensorParallelSize: 2 },
    }),
  );
  const preset = MODEL_PRESETS['mixtral-8x7b'];
  if (preset === undefined) throw new Error('mixtral-8x7b preset missing');
  // One expert: gate, up and down matrices of hidden × expert FFN, 2 bytes each in bf16.
  const expertBytes = 3 * preset.hiddenSize * preset.expertFfnDim * 2;
  const allWeightBytes = preset.nParams * 2;
  // The embedding table (untied from the LM head): an iteration gathers one row per token from it.
  const tableBytes = preset.vocabSize * preset.hiddenSize * 2;
  const rowBytes = preset.hiddenSize * 2;
  /** Everything but the experts and the embedding table: attention, router, norms, LM head. */
  const nonExpertBytes = allWeightBytes - tableBytes - preset.nLayers * preset.numExperts * expertBytes;
  const decode = (sequences: number, context: number) => ({
    prefillChunks: [],
    prefillContexts: [],
    decodeSequences: sequences,
    decodeContextTokens: sequences * context,
  });

  it('Mixtral-8x7B TP2 at batch 1 reads the non-expert weights plus 2 experts per layer', () => {
    const kvBytes = mixtral.bytesOf(decode(1, 256)) - mixtral.bytesOf(decode(1, 0));
    expect(kvBytes).toBeGreaterThan(0);
    const weightBytes = mixtral.bytesOf(decode(1, 0));
    expect(weightBytes / (nonExpertBytes + preset.nLayers * 2 * expertBytes + rowBytes)).toBeCloseTo(1, 9);
    // About 12.7B of the 46.7B parameters: a quarter of the experts plus attention and the LM head.
    expect(weightBytes / 1e9).toBeCloseTo(25.5, 1);
  });

  it('a large batch touches every expert: the whole model but the unread embedding rows', () => {
    expect(mixtral.bytesOf(decode(256, 0)) / (allWeightBytes - tableBytes + 256 * rowBytes)).toBeCloseTo(
      1,
      9,
    );
    const prefill = {
      prefillChunks: [2048],
      prefillContexts: [0],
      decodeSequences: 0,
      decodeContextTokens: 0,
    };
    expect(mixtral.bytesOf(prefill) / (allWeightBytes - tableBytes + 2048 * rowBytes)).toBeCloseTo(1, 9);
  });

  it('at batch 1 the memory-bandwidth utilization is a fraction (it was 1.7 when every expert was counted)', () => {
    const breakdown = mixtral.breakdown(decode(1, 256));
    expect(breakdown.mbu).toBeGreaterThan(0.3);
    expect(breakdown.mbu).toBeLessThanOrEqual(1);
  });

  it('the decode linear cost reads the same expert bytes as bytesOf', () => {
    for (const sequences of [1, 3, 17, 200]) {
      expect(mixtral.decodeLinearCost(sequences).bytes0 / mixtral.bytesOf(decode(sequences, 0))).toBeCloseTo(
        1,
        12,
      );
    }
  });

  it('time and bytes grow together: the expert GEMM time tracks the experts whose weights are read', () => {
    // Between 1 and 2 tokens the expected experts go from 2 to 3.5 per layer: both the bytes read and
    // the up/down projection time (one GEMM per active expert, memory-bound at these sizes) grow by
    // about 3.5 / 2.
    const expertTime = (tokens: number) => {
      const operators = mixtral.breakdown({
        prefillChunks: [tokens],
        prefillContexts: [0],
        decodeSequences: 0,
        decodeContextTokens: 0,
      }).operators;
      return operators.upProjection + operators.downProjection;
    };
    const expertBytesRead = (tokens: number) =>
      mixtral.weightBytesRead(tokens, 1) -
      mixtral.weightBytesRead(1, 1) -
      (tokens - 1) * rowBytes +
      preset.nLayers * 2 * expertBytes;
    const ratioOfBytes = expertBytesRead(2) / expertBytesRead(1);
    expect(ratioOfBytes).toBeCloseTo(3.5 / 2, 9);
    expect(expertTime(2) / expertTime(1)).toBeCloseTo(ratioOfBytes, 1);
  });
});

describe('dense weight bytes per iteration', () => {
  const perf = createPerfModel(resolveConfig({ modelSpec: { name: 'llama-3.1-8b' } }));
  const preset = MODEL_PRESETS['llama-3.1-8b'];
  if (preset === undefined) throw new Error('llama-3.1-8b preset missing');
  const tableBytes = preset.vocabSize * preset.hiddenSize * 2;
  const rowBytes = preset.hiddenSize * 2;

  it('every layer weight and the LM head once, and one embedding row per token (not the whole table)', () => {
    const oneToken = perf.bytesOf({
      prefillChunks: [],
      prefillContexts: [],
      decodeSequences: 1,
      decodeContextTokens: 0,
    });
    expect(oneToken / (preset.nParams * 2 - tableBytes + rowBytes)).toBeCloseTo(1, 9);
  });

  it('a prefill chunk that samples nothing does not read the LM head', () => {
    const chunk = { prefillChunks: [512], prefillContexts: [0], decodeSequences: 0, decodeContextTokens: 0 };
    const sampling = perf.bytesOf(chunk);
    const notSampling = perf.bytesOf({ ...chunk, sampledSequences: 0 });
    expect(sampling - notSampling).toBeCloseTo(tableBytes, -3);
    expect(notSampling / (preset.nParams * 2 - 2 * tableBytes + 512 * rowBytes)).toBeCloseTo(1, 9);
  });
});
