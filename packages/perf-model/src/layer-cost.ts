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
  const { hiddenSize: h, weightBytes, activationBytes } = geometry;
  const { peaks } = kernels;
  const gemm = quantizedGemm(profile.gemm, kernels.memoryScale);
  switch (operator) {
    case 'qkvProjection':
      return gemmCost(tokens, geometry.qkvWidth, h, weightBytes, activationBytes, peaks, gemm);
    case 'outputProjection':
      return gemmCost(tokens, h, geometry.attentionWidth, weightBytes, activationBytes, peaks, gemm);
    case 'upProjection':
      return gemmCost(tokens, geometry.upWidth, h, weightBytes, activationBytes, peaks, gemm);
    case 'downProjection':
      return gemmCost(tokens, h, geometry.ffnPerRank, weightBytes, activationBytes, peaks, gemm);
  }
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
