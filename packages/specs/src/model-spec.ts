import type { ConfigInput } from './config-input';
import type { Dtype } from './dtype';

/**
 * A transformer model's architecture, fully resolved (every field present). Counts are plain
 * numbers; sizes are in elements unless the name says otherwise.
 */
export interface ResolvedModelSpec {
  /** Display name, or a preset name / Hugging Face id such as `llama-3.1-8b` or `meta-llama/Llama-3.1-8B`. */
  readonly name: string;
  /** Total parameter count (all experts included). Derived from the geometry when omitted. */
  readonly nParams: number;
  /** Hidden (model) dimension, in elements. Llama-2-7B: 4096. */
  readonly hiddenSize: number;
  /** Number of transformer layers (decoder blocks). */
  readonly nLayers: number;
  /** Number of attention (query) heads. */
  readonly nHeads: number;
  /** Number of key/value heads: equal to nHeads for MHA, fewer for GQA, 1 for MQA. Default nHeads. */
  readonly nKvHeads: number;
  /** Dimension of one attention head, in elements. Default hiddenSize / nHeads. */
  readonly headDim: number;
  /** Intermediate size of the dense MLP, in elements (the width of each of the up/gate projections). */
  readonly ffnDim: number;
  /** Vocabulary size, in tokens. Default 32000 (Llama-2 tokenizer). */
  readonly vocabSize: number;
  /** True for a gated MLP (SwiGLU: gate, up and down matrices); false for a plain 2-matrix MLP (GELU). Default true. */
  readonly gatedMlp: boolean;
  /** True when the LM head shares the embedding matrix (counted once in nParams). Default false. */
  readonly tieWordEmbeddings: boolean;
  /** Storage format of the weights. Default `bf16`. */
  readonly weightDtype: Dtype;
  /** Storage format of the KV cache. Default: the weight dtype when it is bf16/fp16/fp8, otherwise bf16. */
  readonly kvCacheDtype: Dtype;
  /** Longest sequence (input + output), in tokens, the model supports. Default 4096. */
  readonly maxContextLength: number;
  /** Number of MLP experts per layer for a mixture-of-experts model; 1 for a dense model. */
  readonly numExperts: number;
  /** Experts each token is routed to (top-k) in an MoE model; 1 for a dense model. */
  readonly expertsPerToken: number;
  /** Intermediate size of one expert's MLP, in elements. Default ffnDim. */
  readonly expertFfnDim: number;
}

/**
 * A model as the user writes it: a preset name alone (`{ name: 'llama-2-7b' }`), a preset with
 * overrides, or a complete custom geometry (name, hiddenSize, nLayers, nHeads, ffnDim at least).
 */
export type ModelSpec = { name: string } & ConfigInput<Omit<ResolvedModelSpec, 'name'>>;

/** True for a mixture-of-experts model. */
export function isMoe(model: ResolvedModelSpec): boolean {
  return model.numExperts > 1;
}

/**
 * Parameter count derived from the geometry: attention (Q, K, V, O), MLP or experts (plus the
 * router), two norms per layer, the embedding, the LM head (unless tied) and the final norm.
 * Biases are ignored (under 0.1% for the presets).
 */
export function deriveParamCount(
  model: Pick<
    ResolvedModelSpec,
    | 'hiddenSize'
    | 'nLayers'
    | 'nHeads'
    | 'nKvHeads'
    | 'headDim'
    | 'ffnDim'
    | 'vocabSize'
    | 'gatedMlp'
    | 'tieWordEmbeddings'
    | 'numExperts'
    | 'expertFfnDim'
  >,
): number {
  const h = model.hiddenSize;
  const attention = h * model.nHeads * model.headDim * 2 + h * model.nKvHeads * model.headDim * 2;
  const matrices = model.gatedMlp ? 3 : 2;
  const mlp =
    model.numExperts > 1
      ? model.numExperts * matrices * h * model.expertFfnDim + h * model.numExperts
      : matrices * h * model.ffnDim;
  const perLayer = attention + mlp + 2 * h;
  const embeddings = model.vocabSize * h * (model.tieWordEmbeddings ? 1 : 2);
  return model.nLayers * perLayer + embeddings + h;
}
