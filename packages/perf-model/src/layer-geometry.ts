import type { ResolvedModelSpec } from '@sim/specs';
import { DTYPE_BYTES } from '@sim/specs';

/** Per-GPU shapes of one transformer layer under tensor parallelism. */
export interface LayerGeometry {
  readonly hiddenSize: number;
  /** Query heads on one TP rank. */
  readonly headsPerRank: number;
  /** KV heads on one TP rank (at least 1: KV heads are replicated when TP exceeds them). */
  readonly kvHeadsPerRank: number;
  readonly headDim: number;
  /** Output width of the fused QKV projection on one rank. */
  readonly qkvWidth: number;
  /** Input width of the output projection on one rank. */
  readonly attentionWidth: number;
  /** MLP (or one expert's) intermediate size on one rank. */
  readonly ffnPerRank: number;
  /** Output width of the (fused gate+)up projection on one rank. */
  readonly upWidth: number;
  /** Ideal bytes per element of the activation kernel: 6 for SwiGLU (read 2, write 1), 4 for GELU. */
  readonly activationBytesPerElement: number;
  /** Bytes per weight element. */
  readonly weightBytes: number;
  /** Bytes per activation element: activations stay 16-bit whatever the weight format. */
  readonly activationBytes: number;
  /** KV-cache bytes per token per layer on one rank (K and V). */
  readonly kvBytesPerTokenPerLayer: number;
}

export function layerGeometry(model: ResolvedModelSpec, tensorParallelSize: number): LayerGeometry {
  const tp = tensorParallelSize;
  const headsPerRank = model.nHeads / tp;
  const kvHeadsPerRank = Math.max(1, model.nKvHeads / tp);
  const ffn = model.numExperts > 1 ? model.expertFfnDim : model.ffnDim;
  const ffnPerRank = ffn / tp;
  return {
    hiddenSize: model.hiddenSize,
    headsPerRank,
    kvHeadsPerRank,
    headDim: model.headDim,
    qkvWidth: (headsPerRank + 2 * kvHeadsPerRank) * model.headDim,
    attentionWidth: headsPerRank * model.headDim,
    ffnPerRank,
    upWidth: model.gatedMlp ? 2 * ffnPerRank : ffnPerRank,
    activationBytesPerElement: model.gatedMlp ? 6 : 4,
    weightBytes: DTYPE_BYTES[model.weightDtype],
    activationBytes: 2,
    kvBytesPerTokenPerLayer: 2 * kvHeadsPerRank * model.headDim * DTYPE_BYTES[model.kvCacheDtype],
  };
}
