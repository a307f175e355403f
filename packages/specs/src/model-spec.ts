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
  /**
   * Storage format of the routed experts' weights in an MoE model, when it differs from the rest
   * (gpt-oss: `mxfp4` experts, bf16 attention). Default weightDtype (a preset's own value is kept
   * when a config overrides weightDtype).
   */
  readonly expertDtype: Dtype;
  /**
   * Storage format of the embedding table and the LM head. Quantized checkpoints usually keep them
   * 16-bit (DeepSeek-V3's FP8 release: bf16). Default weightDtype (a preset's own value is kept
   * when a config overrides weightDtype).
   */
  readonly embeddingDtype: Dtype;
  /** Longest sequence (input + output), in tokens, the model supports. Default 4096. */
  readonly maxContextLength: number;
  /** Number of MLP experts per layer for a mixture-of-experts model; 1 for a dense model. */
  readonly numExperts: number;
  /** Experts each token is routed to (top-k) in an MoE model; 1 for a dense model. */
  readonly expertsPerToken: number;
  /** Intermediate size of one expert's MLP, in elements. Default ffnDim. */
  readonly expertFfnDim: number;
  /**
   * Experts every token goes through in each MoE layer besides its routed ones (DeepSeek-V3,
   * Llama 4: 1). Default 0.
   */
  readonly numSharedExperts: number;
  /** Intermediate size of one shared expert's MLP, in elements. Default expertFfnDim. */
  readonly sharedExpertFfnDim: number;
  /**
   * In an MoE model, the layers whose MLP is dense (ffnDim wide) instead of experts: DeepSeek-V3's
   * first 3, every other layer of Llama-4-Maverick (24). The cost model averages over layers, so
   * where they sit does not matter to it. Default 0 (every layer of an MoE model has experts).
   */
  readonly nDenseLayers: number;
  /**
   * Multi-head latent attention (MLA: DeepSeek-V2/V3): the rank of the compressed key-value latent,
   * in elements. The KV cache then holds kvLoraRank + qkRopeHeadDim elements per token and layer,
   * shared by all heads and replicated on every tensor-parallel rank (as vLLM's MLA backends do):
   * DeepSeek-V3, 576 × 2 bytes × 61 layers ≈ 70 KB per token at bf16. 0 (default): the usual
   * multi-head or grouped-query attention, whose cache holds nKvHeads keys and values per token.
   */
  readonly kvLoraRank: number;
  /** MLA: rank of the compressed query, in elements (DeepSeek-V3: 1536); 0 (default): queries projected at full rank. */
  readonly qLoraRank: number;
  /**
   * MLA: the rotary part of each query and key head, in elements (DeepSeek-V3: 64; headDim, 192,
   * is it plus the 128 non-rotary elements). Default 0.
   */
  readonly qkRopeHeadDim: number;
  /** Dimension of one value head, in elements (MLA: DeepSeek-V3's 128 against a query/key headDim of 192). Default headDim. */
  readonly vHeadDim: number;
  /**
   * Local attention: the window, in tokens, of the layers that attend only to recent tokens
   * (gpt-oss: 128 on every other layer; Llama 4: chunks of 8,192 on 3 of every 4 layers). Such a
   * layer's attention reads at most this many cached tokens per new token, and the KV cache keeps
   * at most the window (plus one block) of them per sequence. 0 (default): every layer attends to
   * the whole context.
   */
  readonly slidingWindow: number;
  /** Layers that use {@link ResolvedModelSpec.slidingWindow}; the rest attend to the whole context. Default nLayers when slidingWindow > 0, else 0. */
  readonly slidingWindowLayers: number;
  /**
   * True when the local layers attend within fixed chunks of slidingWindow tokens (Llama 4's
   * chunked attention: a token sees only the tokens of its own chunk) rather than a window sliding
   * with each token. Costed as the sliding window (an upper bound: exact within the first chunk,
   * twice the mean span beyond it). Default false.
   */
  readonly chunkedAttention: boolean;
  /**
   * Learned attention sinks (gpt-oss): one extra logit per head that the softmax normalizes over,
   * so a head can attend to nothing. nHeads parameters per layer; no KV cache and no measurable
   * time. Default false.
   */
  readonly attentionSinks: boolean;
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

/** True for multi-head latent attention (DeepSeek-V2/V3: `kvLoraRank` > 0). */
export function isMla(model: Pick<ResolvedModelSpec, 'kvLoraRank'>): boolean {
  return model.kvLoraRank > 0;
}

/** The geometry the parameter counts read. */
export type ParameterGeometry = Pick<
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
  | 'expertsPerToken'
  | 'expertFfnDim'
  | 'numSharedExperts'
  | 'sharedExpertFfnDim'
  | 'nDenseLayers'
  | 'kvLoraRank'
  | 'qLoraRank'
  | 'qkRopeHeadDim'
  | 'vHeadDim'
  | 'attentionSinks'
>;

/**
 * Weights of one layer's attention: the query, key, value and output projections (with MLA: the
 * query's down- and up-projection, the joint key-value down-projection to the latent and its
 * up-projection to every head's keys and values), and the sink logits when the model has them.
 */
export function attentionParamCount(model: ParameterGeometry): number {
  const h = model.hiddenSize;
  const heads = model.nHeads;
  const output = heads * model.vHeadDim * h + (model.attentionSinks ? heads : 0);
  if (!isMla(model))
    return h * heads * model.headDim + h * model.nKvHeads * (model.headDim + model.vHeadDim) + output;
  const query =
    model.qLoraRank > 0
      ? h * model.qLoraRank + model.qLoraRank * heads * model.headDim
      : h * heads * model.headDim;
  const latent = h * (model.kvLoraRank + model.qkRopeHeadDim);
  const keysAndValues = model.kvLoraRank * heads * (model.headDim - model.qkRopeHeadDim + model.vHeadDim);
  return query + latent + keysAndValues + output;
}

/** MoE layers of the model (0 for a dense model). */
export function moeLayerCount(
  model: Pick<ResolvedModelSpec, 'numExperts' | 'nLayers' | 'nDenseLayers'>,
): number {
  return model.numExperts > 1 ? model.nLayers - model.nDenseLayers : 0;
}

/** Weights of every routed expert of every MoE layer (0 for a dense model): what expert parallelism spreads. */
export function routedExpertParamCount(model: ParameterGeometry): number {
  return moeLayerCount(model) * model.numExperts * mlpParams(model, model.expertFfnDim);
}

/** Weights of the embedding table and the LM head (one matrix when tied). */
export function embeddingParamCount(
  model: Pick<ResolvedModelSpec, 'vocabSize' | 'hiddenSize' | 'tieWordEmbeddings'>,
): number {
  return model.vocabSize * model.hiddenSize * (model.tieWordEmbeddings ? 1 : 2);
}

/**
 * The formats a model's weights are stored in, each once: the weights', the routed experts' (an MoE
 * model's only) and the embedding table's and LM head's, in that order.
 */
export function weightFormats(
  model: Pick<ResolvedModelSpec, 'weightDtype' | 'expertDtype' | 'embeddingDtype' | 'numExperts'>,
): readonly Dtype[] {
  return [
    ...new Set([
      model.weightDtype,
      model.numExperts > 1 ? model.expertDtype : model.weightDtype,
      model.embeddingDtype,
    ]),
  ];
}

/** Weights of one MLP (or expert) of intermediate size `ffn`. */
function mlpParams(model: ParameterGeometry, ffn: number): number {
  return (model.gatedMlp ? 3 : 2) * model.hiddenSize * ffn;
}

/**
 * Weights of one MoE layer's MLP part that `experts` routed experts of each token touch: those
 * experts, the shared experts and the router.
 */
function moeParams(model: ParameterGeometry, experts: number): number {
  return (
    experts * mlpParams(model, model.expertFfnDim) +
    model.numSharedExperts * mlpParams(model, model.sharedExpertFfnDim) +
    model.hiddenSize * model.numExperts
  );
}

/**
 * Parameters one token's forward pass uses: every layer's attention, the dense layers' MLPs, in
 * each MoE layer its `expertsPerToken` routed experts, the shared ones and the router, the norms,
 * and the embedding and LM head (as model cards count "activated" parameters). Equal to the total
 * for a dense model.
 */
export function activeParamCount(model: ParameterGeometry): number {
  return layeredParamCount(model, model.expertsPerToken);
}

function layeredParamCount(model: ParameterGeometry, expertsUsed: number): number {
  const h = model.hiddenSize;
  const moeLayers = moeLayerCount(model);
  const denseLayers = model.nLayers - moeLayers;
  const layers =
    model.nLayers * (attentionParamCount(model) + 2 * h) +
    denseLayers * mlpParams(model, model.ffnDim) +
    moeLayers * moeParams(model, expertsUsed);
  return layers + embeddingParamCount(model) + h;
}

/**
 * Parameter count derived from the geometry: attention (Q, K, V, O; MLA's projections), MLP or
 * experts (routed and shared, plus the router; dense layers of an MoE model their MLP), two norms
 * per layer, the embedding, the LM head (unless tied) and the final norm. Biases are ignored (under
 * 0.1% for the presets).
 */
export function deriveParamCount(model: ParameterGeometry): number {
  return layeredParamCount(model, model.numExperts);
}
