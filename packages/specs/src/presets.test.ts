import {
  deriveParamCount,
  findGpuPreset,
  findModelPreset,
  GPU_PRESETS,
  MODEL_PRESETS,
  resolveConfig,
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
});
