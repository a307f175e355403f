import { activeParamCount, DTYPE_BYTES, isMla, moeLayerCount, type ResolvedModelSpec } from '@sim/specs';
import { type AttentionLayers, attentionLayers, localDecodeContext } from './attention-layers';
import { type BatchShape, countTokens } from './batch-shape';
import { expectedActiveExperts } from './expected-active-experts';
import { type ExpertParallelLayout, expertsHeldActive } from './expert-parallel';
import type { LayerGeometry } from './layer-geometry';
import { prefillAttentionFlops } from './roofline';

/** Token counts below this have their per-token-count results cached. */
export const TOKEN_CACHE_LIMIT = 1 << 16;

/**
 * The work an iteration does over a whole replica, for MFU and MBU: FLOPs (multiply-accumulates of
 * the active weights, attention) and device-memory bytes (the weights it reads, the KV cache decode
 * attention reads). Nothing here allocates: the engine asks per iteration.
 */
export class IterationWork {
  private readonly model: ResolvedModelSpec;
  /** Multiply-accumulate weights touched per token in one layer (active experts only), averaged over the layers, for FLOP counts. */
  private readonly activeLayerParams: number;
  /** MoE layers (0 for a dense model). */
  private readonly moeLayers: number;
  /** The expert-parallel group (undefined without expert parallelism). */
  private readonly expertParallel: ExpertParallelLayout | undefined;
  private readonly tensorParallelSize: number;
  /** Decode-attention FLOPs per cached token read, per layer (QKᵀ and PV over all query heads). */
  private readonly decodeAttentionFlopsPerToken: number;
  /**
   * Weights every iteration reads whatever its tokens, over the whole replica: every layer's
   * weights except the MoE experts' (attention, router, norms; all of a dense model's layers) and
   * the final norm. Bytes.
   */
  private readonly layerWeightBytesPerReplica: number;
  /** One expert's weights in one layer, over the whole replica (all TP shards); 0 for a dense model. Bytes. */
  private readonly expertWeightBytesPerLayer: number;
  /** One row of the embedding table (hidden size × bytes per weight): the embedding lookup reads one per token. Bytes. */
  private readonly embeddingRowBytes: number;
  /** The LM head's matrix (vocabulary × hidden size), read whenever an iteration samples a token. Bytes. */
  private readonly lmHeadWeightBytes: number;
  /** {@link IterationWork.weightBytesRead} without the LM head, per token count (0: not computed yet; zero-filled costs nothing to create). */
  private readonly weightBytesCache = new Float64Array(TOKEN_CACHE_LIMIT);
  /** KV-cache bytes read per context token by decode attention, all layers and TP ranks (local layers counted as full: see bytesOf). */
  readonly kvReadBytesPerToken: number;
  /** Full-context and local attention layers. */
  private readonly layers: AttentionLayers;
  /** KV-cache bytes one layer's decode attention reads per cached token, over the TP ranks. */
  private readonly kvReadBytesPerTokenPerLayer: number;
  /** The head dimension prefill attention's FLOPs count: the mean of the query/key and value heads'. */
  private readonly prefillHeadDim: number;

  /**
   * `weightBytesPerReplica`: the weights of every GPU of the replica (the memory plan's);
   * `expertParallel`: the expert-parallel group, if any (each GPU then holds and reads whole experts).
   */
  constructor(
    model: ResolvedModelSpec,
    geometry: LayerGeometry,
    tensorParallelSize: number,
    weightBytesPerReplica: number,
    expertParallel?: ExpertParallelLayout,
  ) {
    this.model = model;
    this.expertParallel = expertParallel;
    this.tensorParallelSize = tensorParallelSize;
    const h = model.hiddenSize;
    const matrices = model.gatedMlp ? 3 : 2;
    const expertParams = matrices * h * model.expertFfnDim;
    // QKᵀ and PV per cached token over all query heads; with MLA (vLLM's absorbed decode) both run
    // over the latent: kvLoraRank + qkRopeHeadDim elements for QKᵀ, kvLoraRank for PV.
    this.decodeAttentionFlopsPerToken = isMla(model)
      ? 2 * model.nHeads * (2 * model.kvLoraRank + model.qkRopeHeadDim)
      : 2 * model.nHeads * (model.headDim + model.vHeadDim);
    this.moeLayers = moeLayerCount(model);
    this.prefillHeadDim = geometry.headDim;
    this.expertWeightBytesPerLayer = model.numExperts > 1 ? expertParams * DTYPE_BYTES[model.expertDtype] : 0;
    const tableBytes = DTYPE_BYTES[model.embeddingDtype];
    this.embeddingRowBytes = h * tableBytes;
    this.lmHeadWeightBytes = model.vocabSize * h * tableBytes;
    // nParams counts the embedding table and, unless tied to it, the LM head matrix once each.
    const tables = (model.tieWordEmbeddings ? 1 : 2) * this.lmHeadWeightBytes;
    this.layerWeightBytesPerReplica = Math.max(
      0,
      weightBytesPerReplica -
        tables -
        this.moeLayers *
          (expertParallel === undefined
            ? model.numExperts
            : expertParallel.expertsPerGpu * tensorParallelSize) *
          this.expertWeightBytesPerLayer,
    );
    this.kvReadBytesPerTokenPerLayer = geometry.kvBytesPerTokenPerLayer * tensorParallelSize;
    this.kvReadBytesPerToken = this.kvReadBytesPerTokenPerLayer * model.nLayers;
    this.layers = attentionLayers(model);
    // Per layer on average (the active count less the tables and the final norm, over the layers).
    this.activeLayerParams =
      (activeParamCount(model) - (model.tieWordEmbeddings ? 1 : 2) * model.vocabSize * h - h) /
        model.nLayers -
      2 * h;
  }

  /** FLOPs of a decode-only iteration of `sequences` sequences without their context (C = 0). */
  decodeFlops(sequences: number): number {
    const model = this.model;
    return (
      2 * sequences * this.activeLayerParams * model.nLayers +
      2 * sequences * model.vocabSize * model.hiddenSize
    );
  }

  /** Decode-attention FLOPs per context token read, all layers. */
  get decodeFlopsPerContextToken(): number {
    return this.decodeAttentionFlopsPerToken * this.model.nLayers;
  }

  /** FLOPs of an iteration over the whole replica. */
  flopsOf(batch: BatchShape): number {
    const model = this.model;
    const layers = this.layers;
    const { prefillChunks, prefillContexts } = batch;
    let tokens = batch.decodeSequences;
    // Attention FLOPs of one full-context layer, and of one local layer.
    let fullFlops = 0;
    let localFlops = 0;
    for (let index = 0; index < prefillChunks.length; index++) {
      const chunk = prefillChunks[index] ?? 0;
      const context = prefillContexts[index] ?? 0;
      tokens += chunk;
      fullFlops += prefillAttentionFlops(chunk, context, model.nHeads, this.prefillHeadDim);
      if (layers.local > 0)
        localFlops += prefillAttentionFlops(chunk, context, model.nHeads, this.prefillHeadDim, layers.window);
    }
    fullFlops += this.decodeAttentionFlopsPerToken * batch.decodeContextTokens;
    const attentionFlops =
      layers.local === 0
        ? fullFlops * model.nLayers
        : fullFlops * layers.full +
          (localFlops +
            this.decodeAttentionFlopsPerToken *
              localDecodeContext(batch.decodeSequences, batch.decodeContextTokens, layers.window)) *
            layers.local;
    const sampled = batch.sampledSequences ?? prefillChunks.length + batch.decodeSequences;
    return (
      2 * tokens * this.activeLayerParams * model.nLayers +
      attentionFlops +
      2 * sampled * model.vocabSize * model.hiddenSize
    );
  }

  /**
   * Device-memory bytes of an iteration over the whole replica: the weights it reads
   * ({@link IterationWork.weightBytesRead}) plus the KV cache decode attention reads.
   */
  bytesOf(batch: BatchShape): number {
    const sampled = batch.sampledSequences ?? batch.prefillChunks.length + batch.decodeSequences;
    const layers = this.layers;
    const kvBytes =
      layers.local === 0
        ? batch.decodeContextTokens * this.kvReadBytesPerToken
        : (layers.full * batch.decodeContextTokens +
            layers.local *
              localDecodeContext(batch.decodeSequences, batch.decodeContextTokens, layers.window)) *
          this.kvReadBytesPerTokenPerLayer;
    return this.weightBytesRead(countTokens(batch), sampled) + kvBytes;
  }

  /**
   * Weight bytes an iteration of `tokens` tokens that samples `sampledSequences` tokens reads over
   * the whole replica: every layer's non-expert weights once; in every MoE layer, one expert's
   * weights for each of the {@link expectedActiveExperts} distinct experts the tokens route to (the
   * same count the time model runs expert GEMMs for); one embedding row per token; and the LM head
   * matrix when it runs (some sequence samples). Mixtral-8x7B at one token reads 2 of its 8
   * experts per layer; at hundreds of tokens, all 8. 0 for an empty iteration.
   */
  weightBytesRead(tokens: number, sampledSequences: number): number {
    if (tokens <= 0) return 0;
    const head = sampledSequences > 0 ? this.lmHeadWeightBytes : 0;
    if (tokens < TOKEN_CACHE_LIMIT) {
      const cached = this.weightBytesCache[tokens] ?? 0;
      if (cached > 0) return cached + head;
    }
    const model = this.model;
    const parallel = this.expertParallel;
    // With expert parallelism each of the replica's GPUs reads its own active whole experts.
    const active =
      parallel === undefined
        ? expectedActiveExperts(model.numExperts, model.expertsPerToken, tokens)
        : this.tensorParallelSize * expertsHeldActive(model, parallel, tokens);
    const value =
      this.layerWeightBytesPerReplica +
      this.moeLayers * active * this.expertWeightBytesPerLayer +
      Math.min(tokens, model.vocabSize) * this.embeddingRowBytes;
    if (tokens < TOKEN_CACHE_LIMIT) this.weightBytesCache[tokens] = value;
    return value + head;
  }
}
