import { type Dtype, isWeightOnly, type ResolvedGPUSpec } from '@sim/specs';
import type { EngineProfile } from './engine-profiles';
import type { DevicePeaks } from './roofline';

/**
 * FP8 GEMMs reach a smaller share of the FP8 peak than BF16 GEMMs of the BF16 peak: the median
 * ratio of the two shares over 24 prefill-sized products (M ≥ 1,024; Llama-3-8B and Llama-3-70B
 * TP 4 shapes) measured on an H200 in this workplace (torch 2.11 / cuBLAS 13 `_scaled_mm` against
 * `F.linear`, 2026-11-30; packages/validation/data/measured/h200-gemm.json). Range 0.79–0.96.
 * Measured on Hopper only: applied to every GPU with an FP8 rate (Ada, Blackwell) by assumption.
 */
export const FP8_GEMM_EFFICIENCY_RATIO = 0.88;

/** How GEMMs over weights of one storage format run on a GPU under an engine. */
export interface WeightKernels {
  /**
   * The peaks those GEMMs run against: the FP8 peak × {@link FP8_GEMM_EFFICIENCY_RATIO} for fp8
   * weights on a GPU with an FP8 rate; otherwise the 16-bit peak (weight-only formats dequantize
   * to 16-bit in the kernel).
   */
  readonly peaks: DevicePeaks;
  /**
   * Factor on the GEMM memory efficiency: the engine's weight-only dequantization efficiency for
   * int8, int4 and mxfp4 (mxfp4 borrows int4's: no mxfp4 kernel was measured), else 1.
   */
  readonly memoryScale: number;
}

/** The 16-bit peaks of a GPU: element-wise kernels and attention (16-bit activations and KV reads) run against them. */
export function sixteenBitPeaks(gpu: ResolvedGPUSpec): DevicePeaks {
  return { flopsPerSecond: gpu.computeTflops * 1e12, bytesPerSecond: gpu.memoryBandwidthGbs * 1e9 };
}

/** {@link WeightKernels} of weights stored as `dtype` on `gpu` under `engine`. */
export function weightKernels(dtype: Dtype, gpu: ResolvedGPUSpec, engine: EngineProfile): WeightKernels {
  const base = sixteenBitPeaks(gpu);
  const fp8 = dtype === 'fp8' && gpu.fp8Tflops > 0;
  return {
    peaks: fp8 ? { ...base, flopsPerSecond: gpu.fp8Tflops * 1e12 * FP8_GEMM_EFFICIENCY_RATIO } : base,
    memoryScale: isWeightOnly(dtype)
      ? engine.quantizedWeightEfficiency[dtype === 'mxfp4' ? 'int4' : dtype]
      : 1,
  };
}
