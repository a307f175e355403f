import type { CalibrationProfile, GemmEfficiency } from './calibration-profile';
import type { LayerGeometry } from './layer-geometry';
import {
  type DevicePeaks,
  ELEMENTWISE_BYTES_PER_ELEMENT,
  elementwiseCost,
  gemmCost,
  type OperatorCost,
} from './roofline';
import type { WeightKernels } from './weight-kernels';

/** The four dense projections of a layer. */
export type LinearOperator = 'qkvProjection' | 'outputProjection' | 'upProjection' | 'downProjection';

/** The element-wise kernels of a layer (vLLM fuses one residual add into the second norm, so one add remains). */
export type LayerElementwiseOperator =
  | 'embedding'
  | 'inputNorm'
  | 'rope'
  | 'postAttentionNorm'
  | 'activation'
  | 'residualAdd';

/**
 * Cost of one dense projection over `tokens` tokens on one TP rank, for weights of the geometry's
 * format run as `kernels` says (weight-kernels.ts).
 */
export function linearOperatorCost(
  operator: LinearOperator,
  tokens: number,
  geometry: LayerGeometry,
  kernels: WeightKernels,
  profile: CalibrationProfile,
): OperatorCost {
  const { hiddenSize: h, weightBytes: w, activationBytes: a } = geometry;
  const gemm = profile.gemm;
  switch (operator) {
    case 'qkvProjection':
      return weightGemmCost(tokens, geometry.qkvWidth, h, w, a, kernels, gemm);
    case 'outputProjection':
      return weightGemmCost(tokens, h, geometry.attentionWidth, w, a, kernels, gemm);
    case 'upProjection':
      return weightGemmCost(tokens, geometry.upWidth, h, w, a, kernels, gemm);
    case 'downProjection':
      return weightGemmCost(tokens, h, geometry.ffnPerRank, w, a, kernels, gemm);
  }
}

/**
 * {@link gemmCost} of a GEMM over weights run as `kernels` says: their format's peaks, and the
 * weight-only dequantization factor on `gemm`'s memory efficiency.
 */
export function weightGemmCost(
  m: number,
  n: number,
  k: number,
  weightBytes: number,
  activationBytes: number,
  kernels: WeightKernels,
  gemm: GemmEfficiency,
): OperatorCost {
  return gemmCost(
    m,
    n,
    k,
    weightBytes,
    activationBytes,
    kernels.peaks,
    quantizedGemm(gemm, kernels.memoryScale),
  );
}

/** `gemm` with its memory efficiency times `memoryScale` (weight-only dequantization; the same object at 1). */
export function quantizedGemm(gemm: GemmEfficiency, memoryScale: number): GemmEfficiency {
  return memoryScale === 1
    ? gemm
    : { ...gemm, memoryEfficiency: Math.min(1, gemm.memoryEfficiency * memoryScale) };
}

/** Cost of one element-wise kernel over `tokens` tokens on one TP rank. */
export function elementwiseOperatorCost(
  operator: LayerElementwiseOperator,
  tokens: number,
  geometry: LayerGeometry,
  peaks: DevicePeaks,
  profile: CalibrationProfile,
): OperatorCost {
  const { efficiency, launchUs } = profile.elementwise;
  const h = geometry.hiddenSize;
  switch (operator) {
    case 'embedding':
      return elementwiseCost(
        tokens * h,
        ELEMENTWISE_BYTES_PER_ELEMENT.embedding,
        efficiency.embedding,
        launchUs,
        peaks,
      );
    case 'inputNorm':
    case 'postAttentionNorm':
      return elementwiseCost(
        tokens * h,
        ELEMENTWISE_BYTES_PER_ELEMENT.norm,
        efficiency.norm,
        launchUs,
        peaks,
      );
    case 'rope':
      return elementwiseCost(
        tokens * geometry.ropeWidth,
        ELEMENTWISE_BYTES_PER_ELEMENT.rope,
        efficiency.rope,
        launchUs,
        peaks,
      );
    case 'activation':
      return elementwiseCost(
        tokens * geometry.ffnPerRank,
        geometry.activationBytesPerElement,
        efficiency.activation,
        launchUs,
        peaks,
      );
    case 'residualAdd':
      return elementwiseCost(
        tokens * h,
        ELEMENTWISE_BYTES_PER_ELEMENT.residualAdd,
        efficiency.residualAdd,
        launchUs,
        peaks,
      );
  }
}
