import {
  activeParamCount,
  attentionParamCount,
  deriveParamCount,
  findGpuPreset,
  findModelPreset,
  GPU_PRESETS,
  MODEL_PRESETS,
  resolveConfig,
  routedExpertParamCount,
  weightFormats,
} from '@sim/specs';
import { describe, expect, it } from 'vitest';

describe('model presets', () => {
  for (const [name, model] of Object.entries(MODEL_PRESETS)) {
    it(`${name}: parameter count derived from the geometry is within 2% of the published ${(model.nParams / 1e9).toFixed(2)}B`, () => {
      const derived = deriveParamCount(model);
      expect(Math.abs(derived - model.nParams) / model.nParams).toBeLessThan(0.02);
    });

    it(`${name}: geometry is self-consistent`, () => {
      expect(model.name).toBe(name);
      expect(Number.isInteger(model.headDim)).toBe(true);
      expect(model.nHeads % model.nKvHeads).toBe(0);
      expect(model.expertsPerToken).toBeLessThanOrEqual(model.numExperts);
      expect(findModelPreset(name)).toBe(model);
    });
  }

  // Activated parameters as the model cards state them (total and active, billions).
  it.each([
    ['deepseek-v3', 671, 37],
    ['qwen3-30b-a3b', 30.5, 3.3],
    ['qwen3-235b-a22b', 235, 22],
    ['llama-4-scout', 109, 17],
    ['llama-4-maverick', 400, 17],
    ['mixtral-8x7b', 46.7, 12.9],
    ['mixtral-8x22b', 141, 39],
  ])('%s: active parameters within 2%% of the published %sB total / %sB active', (name, total, active) => {
    const model = MODEL_PRESETS[name];
    if (model === undefined) throw new Error(`no preset ${name}`);
    expect(Math.abs(model.nParams / 1e9 - total) / total).toBeLessThan(0.02);
    expect(Math.abs(activeParamCount(model) / 1e9 - active) / active).toBeLessThan(0.02);
    // A dense model's active parameters are all of them.
    const dense = MODEL_PRESETS['qwen3-8b'];
    if (dense !== undefined) expect(activeParamCount(dense)).toBe(deriveParamCount(dense));
  });

  // gpt-oss's model card counts the LM head but not the embedding table in its active parameters,
  // and gives the parameters by class (billions): MLP 114.71 / 19.12, attention 0.96 / 0.64,
  // embedding + unembedding 1.16.
  it.each([
    ['gpt-oss-120b', 116.83, 5.13, 114.71, 0.96],
    ['gpt-oss-20b', 20.91, 3.61, 19.12, 0.64],
  ])(
    '%s: derived %sB total, %sB active, its MLP and attention within 2%% of the model card',
    (name, total, active, mlp, attention) => {
      const model = MODEL_PRESETS[name];
      if (model === undefined) throw new Error(`no preset ${name}`);
      const within = (value: number, published: number) =>
        expect(Math.abs(value / 1e9 - published) / published).toBeLessThan(0.02);
      within(deriveParamCount(model), total);
      within(activeParamCount(model) - model.vocabSize * model.hiddenSize, active);
      within(routedExpertParamCount(model) + model.nLayers * model.hiddenSize * model.numExperts, mlp);
      within(model.nLayers * attentionParamCount(model), attention);
      expect(model).toMatchObject({ weightDtype: 'bf16', expertDtype: 'mxfp4', embeddingDtype: 'bf16' });
      expect([model.slidingWindow, model.slidingWindowLayers * 2, model.attentionSinks]).toEqual([
        128,
        model.nLayers,
        true,
      ]);
    },
  );

  it('tensor classes keep their own storage format: preset values stay under a weightDtype override, the rest follow it', () => {
    const oss = resolveConfig({ modelSpec: { name: 'openai/gpt-oss-120b', weightDtype: 'fp8' } }).modelSpec;
    expect([oss.weightDtype, oss.expertDtype, oss.embeddingDtype, oss.kvCacheDtype]).toEqual([
      'fp8',
      'mxfp4',
      'fp8',
      'fp8',
    ]);
    const deepseek = resolveConfig({ modelSpec: { name: 'deepseek-v3' } }).modelSpec;
    expect([deepseek.expertDtype, deepseek.embeddingDtype]).toEqual(['fp8', 'bf16']);
    // weightFormats: each format once, the experts' counted only for an MoE model.
    expect(weightFormats(oss)).toEqual(['fp8', 'mxfp4']);
    expect(weightFormats(deepseek)).toEqual(['fp8', 'bf16']);
    expect(weightFormats({ ...deepseek, numExperts: 1, expertDtype: 'int4' })).toEqual(['fp8', 'bf16']);
    const llama = resolveConfig({ modelSpec: { name: 'llama-3.1-8b', weightDtype: 'int4' } }).modelSpec;
    expect([llama.expertDtype, llama.embeddingDtype, llama.kvCacheDtype]).toEqual(['int4', 'int4', 'bf16']);
    expect(() => resolveConfig({ modelSpec: { name: 'llama-3.1-8b', kvCacheDtype: 'mxfp4' } })).toThrow(
      /modelSpec.kvCacheDtype: a mxfp4 KV cache is not supported/,
    );
    expect(() => resolveConfig({ modelSpec: { name: 'llama-3.1-8b', slidingWindowLayers: 4 } })).toThrow(
      /modelSpec.slidingWindow: slidingWindowLayers 4 needs the window/,
    );
    expect(() =>
      resolveConfig({ modelSpec: { name: 'llama-3.1-8b', slidingWindow: 4096, slidingWindowLayers: 40 } }),
    ).toThrow(/modelSpec.slidingWindowLayers: 40 sliding-window layers is more than nLayers 32/);
    // A window alone applies to every layer; sinks add one logit per head and layer.
    const windowed = resolveConfig({ modelSpec: { name: 'mistral-7b', slidingWindow: 4096 } }).modelSpec;
    expect(windowed.slidingWindowLayers).toBe(32);
    const sinks = resolveConfig({ modelSpec: { name: 'llama-3.1-8b', attentionSinks: true } }).modelSpec;
    expect(sinks.nParams - deriveParamCount({ ...sinks, attentionSinks: false })).toBe(32 * 32);
  });

  it('DeepSeek-V3 (and its R1 alias) uses MLA, 1 shared expert and 3 dense layers; bad MoE and MLA geometry is a typed error', () => {
    const resolved = resolveConfig({ modelSpec: { name: 'deepseek-ai/DeepSeek-R1' } }).modelSpec;
    expect(resolved).toMatchObject({ name: 'deepseek-ai/DeepSeek-R1', kvLoraRank: 512, qkRopeHeadDim: 64 });
    expect([resolved.numSharedExperts, resolved.nDenseLayers, resolved.weightDtype]).toEqual([1, 3, 'fp8']);
    expect(() => resolveConfig({ modelSpec: { name: 'llama-3.1-8b', nDenseLayers: 2 } })).toThrow(
      /modelSpec.nDenseLayers: dense layers are counted only in a mixture-of-experts model/,
    );
    expect(() => resolveConfig({ modelSpec: { name: 'deepseek-v3', qkRopeHeadDim: 192 } })).toThrow(
      /modelSpec.qkRopeHeadDim: 192 rotary elements leave none of headDim 192/,
    );
    // Widths that only follow another follow its override; MLA's own value heads do not.
    const narrower = resolveConfig({
      modelSpec: { name: 'llama-2-7b', headDim: 64, nHeads: 64, nKvHeads: 64 },
    });
    expect(narrower.modelSpec.vHeadDim).toBe(64);
    expect(narrower.modelSpec.nParams / 1e9).toBeCloseTo(6.74, 2);
    expect(resolveConfig({ modelSpec: { name: 'deepseek-v3', headDim: 256 } }).modelSpec.vHeadDim).toBe(128);
    expect(
      resolveConfig({ modelSpec: { name: 'llama-4-scout', expertFfnDim: 4096 } }).modelSpec
        .sharedExpertFfnDim,
    ).toBe(4096);
    // A preset's dense layers go with its experts.
    expect(
      resolveConfig({ modelSpec: { name: 'llama-4-maverick', numExperts: 1 } }).modelSpec.nDenseLayers,
    ).toBe(0);
    // Changing the geometry re-derives the parameter count: one shared expert fewer.
    const unshared = resolveConfig({ modelSpec: { name: 'deepseek-v3', numSharedExperts: 0 } }).modelSpec;
    expect(resolved.nParams - unshared.nParams).toBeGreaterThan(0);
  });

  it('knows the quick-start and issue-listed models', () => {
    for (const name of [
      'llama-7b',
      'llama-2-7b',
      'llama-2-13b',
      'llama-2-70b',
      'llama-3-8b',
      'llama-3-70b',
      'llama-3.1-8b',
      'llama-3.1-70b',
      'llama-3.1-405b',
      'llama-3.3-70b',
      'mistral-7b',
      'mixtral-8x7b',
      'codellama-34b',
      'qwen2.5-7b',
      'qwen2.5-72b',
      'phi-2',
    ]) {
      expect(findModelPreset(name), name).toBeDefined();
    }
  });

  it('resolves Hugging Face ids case-insensitively', () => {
    expect(findModelPreset('meta-llama/Llama-3.1-8B')?.name).toBe('llama-3.1-8b');
    expect(findModelPreset('META-LLAMA/LLAMA-2-70B-HF')?.name).toBe('llama-2-70b');
    expect(findModelPreset('mistralai/Mixtral-8x7B-v0.1')?.numExperts).toBe(8);
    expect(findModelPreset('no-such-model')).toBeUndefined();
  });

  it('uses the exact Hugging Face geometry for Llama-3.1-70B and Mixtral', () => {
    expect(MODEL_PRESETS['llama-3.1-70b']).toMatchObject({
      hiddenSize: 8192,
      nLayers: 80,
      nHeads: 64,
      nKvHeads: 8,
      ffnDim: 28672,
      vocabSize: 128256,
    });
    expect(MODEL_PRESETS['mixtral-8x7b']).toMatchObject({
      numExperts: 8,
      expertsPerToken: 2,
      expertFfnDim: 14336,
    });
  });
});

describe('GPU presets', () => {
  it('covers the datasheet GPUs the issue lists', () => {
    for (const name of [
      'A100-40GB',
      'A100-80GB',
      'H100-80GB',
      'H100-PCIe',
      'H200-141GB',
      'B200',
      'L40S',
      'L4',
      'A10G',
      'A40',
      'V100',
      'MI300X',
      'MI325X',
    ]) {
      expect(GPU_PRESETS[name], name).toBeDefined();
    }
  });

  for (const [name, gpu] of Object.entries(GPU_PRESETS)) {
    it(`${name}: every number is positive and finite, and its ridge point is plausible`, () => {
      for (const key of [
        'computeTflops',
        'memorySizeGb',
        'memoryBandwidthGbs',
        'interconnectBandwidthGbs',
        'hostBandwidthGbs',
      ] as const) {
        expect(Number.isFinite(gpu[key]) && gpu[key] > 0, key).toBe(true);
      }
      // FLOPs per byte at the roofline ridge: every datacenter GPU of the last decade sits between 50 and 500.
      const ridge = (gpu.computeTflops * 1e12) / (gpu.memoryBandwidthGbs * 1e9);
      expect(ridge).toBeGreaterThan(50);
      expect(ridge).toBeLessThan(500);
      // FP8 tensor cores run at about twice the 16-bit rate on every GPU that has them.
      if (gpu.fp8Tflops > 0) expect(gpu.fp8Tflops / gpu.computeTflops).toBeGreaterThan(1.9);
      if (gpu.fp8Tflops > 0) expect(gpu.fp8Tflops / gpu.computeTflops).toBeLessThan(2.1);
    });
  }

  it('resolves aliases case-insensitively', () => {
    expect(findGpuPreset('H100')?.name).toBe('H100-80GB');
    expect(findGpuPreset('h100-sxm')?.name).toBe('H100-80GB');
    expect(findGpuPreset('A100')?.name).toBe('A100-80GB');
    expect(findGpuPreset('H200')?.name).toBe('H200-141GB');
    expect(findGpuPreset('a100-40gb')?.memorySizeGb).toBe(40);
  });

  it('a GPU spec given only a name resolves to the preset; given fields override it', () => {
    const byName = resolveConfig({ clusterSpec: { gpuSpec: { name: 'H100' } } });
    expect(byName.clusterSpec.gpuSpec).toMatchObject({
      computeTflops: 989,
      memoryBandwidthGbs: 3350,
      memorySizeGb: 80,
    });
    const overridden = resolveConfig({
      clusterSpec: { gpuSpec: { name: 'A100-80GB', memoryBandwidthGbs: 1935 } },
    });
    expect(overridden.clusterSpec.gpuSpec.memoryBandwidthGbs).toBe(1935);
    expect(overridden.clusterSpec.gpuSpec.computeTflops).toBe(312);
  });

  describe('device memory: the datasheet label is GiB; memoryBytes is what the driver reports', () => {
    const GIB = 2 ** 30;
    for (const [name, gpu] of Object.entries(GPU_PRESETS)) {
      it(`${name}: ${gpu.memorySizeGb} GB label, ${(gpu.memoryBytes / GIB).toFixed(2)} GiB reported`, () => {
        // At most the label in GiB, at least 15/16 of it (ECC on GDDR6) less 1 GiB the driver reserves.
        expect(gpu.memoryBytes).toBeLessThanOrEqual(gpu.memorySizeGb * GIB);
        expect(gpu.memoryBytes).toBeGreaterThan(((gpu.memorySizeGb * 15) / 16) * GIB - GIB);
        // The label counts binary gigabytes: the driver reports more than the label in decimal GB.
        expect(gpu.memoryBytes).toBeGreaterThan(gpu.memorySizeGb * 1e9);
      });
    }

    it('H100-80GB reports 81,559 MiB (85.5e9 bytes), not 80e9; L40S with ECC 46,068 MiB', () => {
      expect(findGpuPreset('H100')?.memoryBytes).toBe(81_559 * 2 ** 20);
      expect(findGpuPreset('H100')?.memoryBytes).toBeGreaterThan(85.5e9);
      expect(findGpuPreset('L40S')?.memoryBytes).toBe(46_068 * 2 ** 20);
      expect(findGpuPreset('H200')?.memoryBytes).toBe(143_771 * 2 ** 20);
    });

    it('a custom GPU, or a preset whose memorySizeGb is changed, has memorySizeGb GiB unless memoryBytes is given', () => {
      const gpuOf = (gpuSpec: Record<string, unknown>) =>
        resolveConfig({ clusterSpec: { gpuSpec: gpuSpec as { name: string } } }).clusterSpec.gpuSpec;
      const custom = { name: 'my-gpu', computeTflops: 500, memorySizeGb: 64, memoryBandwidthGbs: 2000 };
      expect(gpuOf(custom).memoryBytes).toBe(64 * GIB);
      expect(gpuOf({ ...custom, memoryBytes: 60e9 }).memoryBytes).toBe(60e9);
      expect(gpuOf({ name: 'H100', memorySizeGb: 94 }).memoryBytes).toBe(94 * GIB);
      expect(gpuOf({ name: 'H100', memorySizeGb: 80 }).memoryBytes).toBe(81_559 * 2 ** 20);
      expect(gpuOf({ name: 'H100', memoryBytes: 80e9 }).memoryBytes).toBe(80e9);
      expect(gpuOf({ name: 'H100', memory_bytes: 80e9 }).memoryBytes).toBe(80e9);
    });

    it('memoryBytes must be positive (a typed ConfigError naming the field)', () => {
      expect(() => resolveConfig({ clusterSpec: { gpuSpec: { name: 'H100', memoryBytes: -1 } } })).toThrow(
        /clusterSpec\.gpuSpec\.memoryBytes/,
      );
    });
  });
});
