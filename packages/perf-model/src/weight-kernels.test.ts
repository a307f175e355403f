import {
  createPerfModel,
  ENGINE_PROFILES,
  FP8_GEMM_EFFICIENCY_RATIO,
  type PerfModel,
  weightKernels,
} from '@sim/perf-model';
import { DTYPE_BYTES, GPU_PRESETS, type ModelSpec, resolveConfig } from '@sim/specs';
import { describe, expect, it } from 'vitest';
import { gpuSeconds } from './test-batches';

const onGpu = (modelSpec: ModelSpec, gpu = 'H100-80GB'): PerfModel =>
  createPerfModel(resolveConfig({ modelSpec, clusterSpec: { gpuSpec: { name: gpu } } }));

describe('GEMMs by the storage format of their weights', () => {
  it('fp8 GEMMs run at the FP8 peak × the measured H200 ratio (0.88 of BF16’s share of its peak)', () => {
    expect(FP8_GEMM_EFFICIENCY_RATIO).toBe(0.88);
    const h100 = GPU_PRESETS['H100-80GB'];
    if (h100 === undefined) throw new Error('no H100 preset');
    const vllm = ENGINE_PROFILES.vllm;
    expect(weightKernels('fp8', h100, vllm).peaks.flopsPerSecond).toBeCloseTo(1979e12 * 0.88, -6);
    expect(weightKernels('bf16', h100, vllm).peaks.flopsPerSecond).toBe(989e12);
    // Weight-only formats dequantize to 16-bit: the 16-bit peak, with the engine's efficiency on bytes.
    expect(weightKernels('int4', h100, vllm)).toMatchObject({
      peaks: { flopsPerSecond: 989e12 },
      memoryScale: vllm.quantizedWeightEfficiency.int4,
    });
    expect(weightKernels('mxfp4', h100, vllm).memoryScale).toBe(vllm.quantizedWeightEfficiency.int4);
    const bf16 = onGpu({ name: 'llama-3.1-8b' });
    const fp8 = onGpu({ name: 'llama-3.1-8b', weightDtype: 'fp8' });
    // A compute-bound layer (16,384 tokens): the GEMMs dominate, at 1,979 × 0.88 against 989 TFLOP/s;
    // its element-wise kernels take the same time in both.
    const ratio = fp8.layerTime(16_384) / bf16.layerTime(16_384);
    expect(ratio).toBeGreaterThan(989 / (1979 * 0.88));
    expect(ratio).toBeLessThan(0.66);
  });

  it('attention of an fp8 model runs at the 16-bit rate (16-bit activations), as a bf16 model’s', () => {
    const batch = {
      prefillChunks: [4096],
      prefillContexts: [8192],
      decodeSequences: 0,
      decodeContextTokens: 0,
    };
    const bf16 = onGpu({ name: 'llama-3.1-8b' });
    const fp8 = onGpu({ name: 'llama-3.1-8b', weightDtype: 'fp8' });
    expect(fp8.attentionTime(batch)).toBe(bf16.attentionTime(batch));
  });

  it('mxfp4 experts read 0.5 + 1/32 bytes a weight; gpt-oss attention, router and LM head stay bf16', () => {
    const mxfp4 = onGpu({ name: 'gpt-oss-120b' }, 'H200-141GB');
    const bf16 = onGpu({ name: 'gpt-oss-120b', expertDtype: 'bf16' }, 'H200-141GB');
    expect(DTYPE_BYTES.mxfp4).toBe(0.53125);
    // One token: every layer's 4 active experts (3 × 2,880 × 2,880 weights each) in the two formats.
    const experts = 36 * 4 * 3 * 2880 * 2880;
    const saved = bf16.weightBytesRead(1, 1) - mxfp4.weightBytesRead(1, 1);
    expect(saved / (experts * (2 - 0.53125))).toBeCloseTo(1, 2);
    // A batch-1 decode step's GPU time drops, but by much less than the 3.76× fewer expert bytes:
    // the bf16 attention and LM head, per-layer kernel costs and the int4-borrowed dequantization
    // efficiency remain.
    const step = { prefillChunks: [], prefillContexts: [], decodeSequences: 1, decodeContextTokens: 1000 };
    const speedup = gpuSeconds(bf16, step) / gpuSeconds(mxfp4, step);
    expect(speedup).toBeGreaterThan(1.05);
    expect(speedup).toBeLessThan(2 / 0.53125);
  });

  it('int4 weights count one 16-bit scale per 128 weights', () => {
    expect(DTYPE_BYTES.int4).toBe(0.5 + 2 / 128);
    const int4 = onGpu({ name: 'llama-3.1-8b', weightDtype: 'int4' }).memory;
    expect(int4.weightBytesPerGpu).toBeCloseTo(8.03e9 * 0.515625, -3);
  });
});
