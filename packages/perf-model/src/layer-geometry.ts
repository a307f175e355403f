import type { Dtype, ResolvedModelSpec } from '@sim/specs';
import { DTYPE_BYTES, isMla } from '@sim/specs';

/** Per-GPU shapes of one transformer layer under tensor parallelism. */
export interface LayerGeometry {
  readonly hiddenSize: number;
  /** Query heads on one TP rank. */
  readonly headsPerRank: number;
  /** KV heads on one TP rank (at least 1: KV heads are replicated when TP exceeds them). */
  readonly kvHeadsPerRank: number;
  /**
   * Dimension of one head as the attention kernels see it: the mean of the query/key and value
   * head dimensions (QKᵀ runs over the first, PV over the second), so FLOPs come out exact.
   */
  readonly headDim: number;
  /**
   * Output width of the fused QKV projection on one rank; for MLA, the width of one GEMM with the
   * same weights as its query, latent and key/value up-projections on one rank.
   */
  readonly qkvWidth: number;
  /** Input width of the output projection on one rank. */
  readonly attentionWidth: number;
  /** Elements of one token's queries and keys the rotary embedding rotates, on one rank. */
  readonly ropeWidth: number;
  /** MLP (or one expert's) intermediate size on one rank. */
  readonly ffnPerRank: number;
  /** Output width of the (fused gate+)up projection on one rank. */
  readonly upWidth: number;
  /** Ideal bytes per element of the activation kernel: 6 for SwiGLU (read 2, write 1), 4 for GELU. */
  readonly activationBytesPerElement: number;
  /** Storage format of the weights these shapes multiply (the routed experts' own in an expert geometry). */
  readonly weightDtype: Dtype;
  /** Bytes per weight element, block scales included. */
  readonly weightBytes: number;
  /** Bytes per activation element: activations stay 16-bit whatever the weight format. */
  readonly activationBytes: number;
  /**
   * KV-cache bytes per token per layer on one rank: K and V of its KV heads, or with MLA the latent
   * and rotary key (kvLoraRank + qkRopeHeadDim elements), which every rank holds whole.
   */
  readonly kvBytesPerTokenPerLayer: number;
}

export function layerGeometry(model: ResolvedModelSpec, tensorParallelSize: number): LayerGeometry {
  const tp = tensorParallelSize;
  const headsPerRank = model.nHeads / tp;
  const kvHeadsPerRank = Math.max(1, model.nKvHeads / tp);
  const h = model.hiddenSize;
  const mla = isMla(model);
  const kvBytes = DTYPE_BYTES[model.kvCacheDtype];
  // MLA: the query (down- and up-projection), the latent's down-projection and its up-projection to
  // every head's keys and values, as one GEMM of the same weights per rank.
  const mlaWeights = mla
    ? (model.qLoraRank > 0
        ? h * model.qLoraRank + model.qLoraRank * model.nHeads * model.headDim
        : h * model.nHeads * model.headDim) +
      h * (model.kvLoraRank + model.qkRopeHeadDim) +
      model.kvLoraRank * model.nHeads * (model.headDim - model.qkRopeHeadDim + model.vHeadDim)
    : 0;
  return {
    hiddenSize: h,
    headsPerRank,
    kvHeadsPerRank,
    headDim: (model.headDim + model.vHeadDim) / 2,
    qkvWidth: mla
      ? mlaWeights / (h * tp)
      : headsPerRank * model.headDim + kvHeadsPerRank * (model.headDim + model.vHeadDim),
    attentionWidth: headsPerRank * model.vHeadDim,
    ropeWidth: mla
      ? (headsPerRank + 1) * model.qkRopeHeadDim
      : (headsPerRank + kvHeadsPerRank) * model.headDim,
    ...mlpWidths(model, model.numExperts > 1 ? model.expertFfnDim : model.ffnDim, tp),
    weightDtype: model.weightDtype,
    weightBytes: DTYPE_BYTES[model.weightDtype],
    activationBytes: 2,
    kvBytesPerTokenPerLayer: mla
      ? (model.kvLoraRank + model.qkRopeHeadDim) * kvBytes
      : kvHeadsPerRank * (model.headDim + model.vHeadDim) * kvBytes,
  };
}

/** The MLP fields of a geometry for an MLP (or expert) of intermediate size `ffn`, split over `tp` ranks. */
function mlpWidths(
  model: Pick<ResolvedModelSpec, 'gatedMlp'>,
  ffn: number,
  tp: number,
): Pick<LayerGeometry, 'ffnPerRank' | 'upWidth' | 'activationBytesPerElement'> {
  const ffnPerRank = ffn / tp;
  return {
    ffnPerRank,
    upWidth: model.gatedMlp ? 2 * ffnPerRank : ffnPerRank,
    activationBytesPerElement: model.gatedMlp ? 6 : 4,
  };
}

/** `geometry` with its MLP replaced by one of intermediate size `ffn` (a dense layer's, a shared expert's). */
export function withMlp(
  geometry: LayerGeometry,
  model: Pick<ResolvedModelSpec, 'gatedMlp'>,
  ffn: number,
  tensorParallelSize: number,
): LayerGeometry {
  return { ...geometry, ...mlpWidths(model, ffn, tensorParallelSize) };
}

/** `geometry` for weights stored as `dtype` (an MoE model's routed experts in their own format). */
export function withWeights(geometry: LayerGeometry, dtype: Dtype): LayerGeometry {
  return dtype === geometry.weightDtype
    ? geometry
    : { ...geometry, weightDtype: dtype, weightBytes: DTYPE_BYTES[dtype] };
}
