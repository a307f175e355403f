import type {
  Dtype,
  EngineProfileName,
  ResolvedClusterSpec,
  ResolvedModelSpec,
  ResolvedParallelismSpec,
  ResolvedSchedulerSpec,
} from '@sim/specs';
import type { CalibrationProfile, LinkEfficiency } from './calibration-profile';
import { allReduceTime, sendRecvTime } from './communication';
import { ENGINE_PROFILES, type EngineProfile } from './engine-profiles';
import { expectedActiveExperts } from './expected-active-experts';
import { type ProfileChoice, profileForGpu } from './gpu-profiles';
import {
  elementwiseOperatorCost,
  type LayerElementwiseOperator,
  type LinearOperator,
  linearOperatorCost,
} from './layer-cost';
import { type LayerGeometry, layerGeometry } from './layer-geometry';
import { type MemoryPlan, memoryPlan } from './memory-plan';
import {
  type DevicePeaks,
  decodeAttentionBandwidth,
  decodeAttentionCost,
  gemmCost,
  prefillAttentionFlops,
  prefillAttentionSeconds,
} from './roofline';

/** What the perf model needs to know about a deployment (the resolved sections of a SimulatorConfig). */
export interface PerfModelConfig {
  readonly modelSpec: ResolvedModelSpec;
  readonly clusterSpec: ResolvedClusterSpec;
  readonly parallelismSpec: ResolvedParallelismSpec;
  readonly schedulerSpec: Pick<
    ResolvedSchedulerSpec,
    'gpuMemoryUtilization' | 'kvBlockSize' | 'maxNumBatchedTokens' | 'maxBatchSize'
  >;
  /** A named engine profile, or a custom one (e.g. while fitting). Default `vllm`. */
  readonly engineProfile?: EngineProfileName | EngineProfile;
}

/**
 * The work of one iteration on one replica: prefill chunks (each with the context already cached
 * before it) and decoding sequences (one token each).
 */
export interface BatchShape {
  /** New tokens of each prefill chunk. */
  readonly prefillChunks: readonly number[];
  /** Tokens already cached before each chunk (same length as prefillChunks; 0 for a fresh prompt). */
  readonly prefillContexts: readonly number[];
  /** Number of decoding sequences. */
  readonly decodeSequences: number;
  /** Sum of the decoding sequences' context lengths (tokens read from the KV cache). */
  readonly decodeContextTokens: number;
  /** Sequences that sample a token (decodes plus prefills that finish their prompt). Default: every sequence. */
  readonly sampledSequences?: number;
}

/** Seconds per operator kind for one iteration (all layers of all stages). */
export type OperatorBreakdown = Record<
  | LinearOperator
  | LayerElementwiseOperator
  | 'attentionPrefill'
  | 'attentionDecode'
  | 'allReduce'
  | 'moeRouter'
  | 'lmHead'
  | 'pipelineTransfer'
  | 'cpuOverhead',
  number
>;

/** Linear cost of a decode-only iteration in the total context C (see PerfModel.decodeLinearCost). */
export interface DecodeLinearCost {
  /** GPU seconds at C = 0. */
  readonly fixedS: number;
  /** GPU seconds per context token. */
  readonly perContextTokenS: number;
  /** FLOPs at C = 0 and per context token (whole replica). */
  readonly flops0: number;
  readonly flops1: number;
  /** Device-memory bytes at C = 0 and per context token (whole replica). */
  readonly bytes0: number;
  readonly bytes1: number;
}

/** An iteration's time, split by stage and operator, with its utilization. */
export interface IterationBreakdown {
  /** Wall time of the iteration without pipelining: every stage in turn, plus CPU overhead. Seconds. */
  readonly totalS: number;
  /** GPU time of each pipeline stage (including its outgoing activation transfer). Seconds. */
  readonly stageS: readonly number[];
  /** Engine CPU overhead of the iteration. Seconds. */
  readonly cpuOverheadS: number;
  readonly operators: OperatorBreakdown;
  /** FLOPs of the iteration over all GPUs of the replica. */
  readonly flops: number;
  /** Bytes read/written from device memory over all GPUs of the replica (weights, KV cache). */
  readonly bytes: number;
  /** Model FLOPs utilization: flops / (totalS × peak × GPUs). */
  readonly mfu: number;
  /** Memory-bandwidth utilization: bytes / (totalS × bandwidth × GPUs). */
  readonly mbu: number;
}

const CACHE_LIMIT = 1 << 16;

/**
 * A deployment's cost model. Construction precomputes shapes and constants; `iterationTime` is
 * the hot path (a per-token-count cache makes it a few array reads plus the attention terms).
 */
export class PerfModel {
  readonly config: PerfModelConfig;
  readonly geometry: LayerGeometry;
  readonly peaks: DevicePeaks;
  readonly profileChoice: ProfileChoice;
  readonly profile: CalibrationProfile;
  /** {@link PerfModel.profile} with every kernel's fixed cost scaled for CUDA-graph replay (the same object without graphs). */
  readonly graphProfile: CalibrationProfile;
  /** Iterations of at most this many tokens use {@link PerfModel.graphProfile}. */
  private readonly graphMaxTokens: number;
  readonly engine: EngineProfile;
  readonly memory: MemoryPlan;
  readonly layersPerStage: number;
  readonly stages: number;
  readonly gpusPerReplica: number;
  private readonly tensorParallelSize: number;
  private readonly allReduceLink: LinkEfficiency;
  private readonly allReduceBandwidthGbs: number;
  private readonly stageLink: LinkEfficiency;
  private readonly stageBandwidthGbs: number;
  private readonly layerCache = new Float64Array(CACHE_LIMIT).fill(-1);
  private readonly lmHeadCache = new Float64Array(CACHE_LIMIT).fill(-1);
  private readonly embeddingCache = new Float64Array(CACHE_LIMIT).fill(-1);
  /** Multiply-accumulate weights touched per token in one layer (active experts only), for FLOP counts. */
  private readonly activeLayerParams: number;
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
  /** {@link PerfModel.weightBytesRead} without the LM head, per token count (−1: not computed yet). */
  private readonly weightBytesCache = new Float64Array(CACHE_LIMIT).fill(-1);
  /** KV-cache bytes read per context token by decode attention, all layers and TP ranks. */
  private readonly kvReadBytesPerToken: number;

  constructor(config: PerfModelConfig) {
    this.config = config;
    const { modelSpec: model, clusterSpec: cluster, parallelismSpec: parallel } = config;
    const engine = config.engineProfile ?? 'vllm';
    this.engine = typeof engine === 'string' ? ENGINE_PROFILES[engine] : engine;
    this.profileChoice = profileForGpu(cluster.gpuSpec);
    this.profile = scaleProfile(this.profileChoice.profile, this.engine, model.weightDtype);
    this.graphMaxTokens = this.engine.cudaGraphs.maxTokens;
    this.graphProfile = graphProfile(this.profile, this.engine.cudaGraphs.launchScale);
    this.geometry = layerGeometry(model, parallel.tensorParallelSize);
    const gpu = cluster.gpuSpec;
    const fp8 = model.weightDtype === 'fp8' && gpu.fp8Tflops > 0;
    this.peaks = {
      flopsPerSecond: (fp8 ? gpu.fp8Tflops : gpu.computeTflops) * 1e12,
      bytesPerSecond: gpu.memoryBandwidthGbs * 1e9,
    };
    this.memory = memoryPlan(model, cluster, parallel, config.schedulerSpec, this.engine.kvCacheSizing);
    this.tensorParallelSize = parallel.tensorParallelSize;
    this.stages = parallel.pipelineParallelSize;
    this.layersPerStage = model.nLayers / this.stages;
    this.gpusPerReplica = this.tensorParallelSize * this.stages;
    const tpCrossesNodes = this.tensorParallelSize > cluster.nGpusPerNode;
    const communication = this.profile.communication;
    this.allReduceLink = tpCrossesNodes ? communication.allReduceInterNode : communication.allReduceIntraNode;
    this.allReduceBandwidthGbs = tpCrossesNodes
      ? cluster.interNodeBandwidthGbs
      : gpu.interconnectBandwidthGbs;
    const stagesCrossNodes = this.gpusPerReplica > cluster.nGpusPerNode;
    this.stageLink = stagesCrossNodes ? communication.sendRecvInterNode : communication.sendRecvIntraNode;
    this.stageBandwidthGbs = stagesCrossNodes ? cluster.interNodeBandwidthGbs : gpu.interconnectBandwidthGbs;
    const h = model.hiddenSize;
    const attentionParams =
      h * (model.nHeads + 2 * model.nKvHeads) * model.headDim + model.nHeads * model.headDim * h;
    const expertParams = (model.gatedMlp ? 3 : 2) * h * model.expertFfnDim;
    this.decodeAttentionFlopsPerToken = 4 * model.headDim * model.nHeads;
    const weightBytesPerReplica = this.memory.weightBytesPerGpu * this.gpusPerReplica;
    const weightBytes = this.geometry.weightBytes;
    this.expertWeightBytesPerLayer = model.numExperts > 1 ? expertParams * weightBytes : 0;
    this.embeddingRowBytes = h * weightBytes;
    this.lmHeadWeightBytes = model.vocabSize * h * weightBytes;
    // nParams counts the embedding table and, unless tied to it, the LM head matrix once each.
    const tables = (model.tieWordEmbeddings ? 1 : 2) * this.lmHeadWeightBytes;
    this.layerWeightBytesPerReplica = Math.max(
      0,
      weightBytesPerReplica - tables - model.nLayers * model.numExperts * this.expertWeightBytesPerLayer,
    );
    this.kvReadBytesPerToken =
      this.geometry.kvBytesPerTokenPerLayer * this.tensorParallelSize * model.nLayers;
    this.activeLayerParams =
      attentionParams +
      (model.numExperts > 1
        ? model.expertsPerToken * expertParams + h * model.numExperts
        : (model.gatedMlp ? 3 : 2) * h * model.ffnDim);
  }

  /** The kernel profile of an iteration of `tokens` tokens: CUDA-graph replay for small iterations when the engine captures graphs. */
  profileFor(tokens: number): CalibrationProfile {
    return tokens <= this.graphMaxTokens ? this.graphProfile : this.profile;
  }

  /** Wall time of an iteration from its CPU and GPU seconds: overlapped engines take the longer, the others both in turn. */
  iterationWallTime(cpuS: number, gpuS: number): number {
    return this.engine.overlapsCpu ? Math.max(cpuS, gpuS) : cpuS + gpuS;
  }

  /** Seconds of one layer's token-count-dependent work on one rank: projections, element-wise kernels, MoE, all-reduces. */
  layerTime(tokens: number): number {
    if (tokens < CACHE_LIMIT) {
      const cached = this.layerCache[tokens] as number;
      if (cached >= 0) return cached;
      const value = this.computeLayerTime(tokens, undefined);
      this.layerCache[tokens] = value;
      return value;
    }
    return this.computeLayerTime(tokens, undefined);
  }

  private computeLayerTime(tokens: number, breakdown: OperatorBreakdown | undefined): number {
    if (tokens <= 0) return 0;
    const { geometry, peaks } = this;
    const profile = this.profileFor(tokens);
    const model = this.config.modelSpec;
    let total = 0;
    const add = (key: keyof OperatorBreakdown, seconds: number) => {
      total += seconds;
      if (breakdown) breakdown[key] += seconds;
    };
    for (const operator of ['inputNorm', 'rope', 'postAttentionNorm', 'residualAdd'] as const) {
      add(operator, elementwiseOperatorCost(operator, tokens, geometry, peaks, profile).seconds);
    }
    add('qkvProjection', linearOperatorCost('qkvProjection', tokens, geometry, peaks, profile).seconds);
    add('outputProjection', linearOperatorCost('outputProjection', tokens, geometry, peaks, profile).seconds);
    if (model.numExperts > 1) {
      const routed = tokens * model.expertsPerToken;
      const active = expectedActiveExperts(model.numExperts, model.expertsPerToken, tokens);
      const perExpert = routed / active;
      add(
        'moeRouter',
        gemmCost(tokens, model.numExperts, model.hiddenSize, geometry.weightBytes, 2, peaks, profile.gemm)
          .seconds,
      );
      add(
        'upProjection',
        active * linearOperatorCost('upProjection', perExpert, geometry, peaks, profile).seconds,
      );
      add('activation', elementwiseOperatorCost('activation', routed, geometry, peaks, profile).seconds);
      add(
        'downProjection',
        active * linearOperatorCost('downProjection', perExpert, geometry, peaks, profile).seconds,
      );
    } else {
      add('upProjection', linearOperatorCost('upProjection', tokens, geometry, peaks, profile).seconds);
      add('activation', elementwiseOperatorCost('activation', tokens, geometry, peaks, profile).seconds);
      add('downProjection', linearOperatorCost('downProjection', tokens, geometry, peaks, profile).seconds);
    }
    add(
      'allReduce',
      2 *
        allReduceTime(
          tokens * model.hiddenSize * 2,
          this.tensorParallelSize,
          this.allReduceBandwidthGbs,
          this.allReduceLink,
        ),
    );
    return total;
  }

  /** Seconds of the embedding lookup for `tokens` tokens on the first stage (cached per token count). */
  embeddingTime(tokens: number): number {
    if (tokens < CACHE_LIMIT) {
      const cached = this.embeddingCache[tokens] as number;
      if (cached >= 0) return cached;
    }
    const value = elementwiseOperatorCost(
      'embedding',
      tokens,
      this.geometry,
      this.peaks,
      this.profileFor(tokens),
    ).seconds;
    if (tokens < CACHE_LIMIT) this.embeddingCache[tokens] = value;
    return value;
  }

  /** Seconds of the LM head (logits for `sequences` sequences) and sampling on the last stage. */
  lmHeadTime(sequences: number): number {
    if (sequences <= 0) return 0;
    if (sequences < CACHE_LIMIT) {
      const cached = this.lmHeadCache[sequences] as number;
      if (cached >= 0) return cached;
    }
    const model = this.config.modelSpec;
    const value =
      gemmCost(
        sequences,
        model.vocabSize / this.tensorParallelSize,
        model.hiddenSize,
        this.geometry.weightBytes,
        2,
        this.peaks,
        this.profileFor(sequences).gemm,
      ).seconds +
      allReduceTime(
        (sequences * model.vocabSize * 4) / this.tensorParallelSize,
        this.tensorParallelSize,
        this.allReduceBandwidthGbs,
        this.allReduceLink,
      );
    if (sequences < CACHE_LIMIT) this.lmHeadCache[sequences] = value;
    return value;
  }

  /**
   * Seconds of attention in one layer on one rank: one prefill kernel over the chunks, one decode
   * kernel. `tokens` (the batch's token count, which picks the CUDA-graph profile) is counted from
   * the batch unless the caller already has it.
   */
  attentionTime(batch: BatchShape, breakdown?: OperatorBreakdown, tokens = countTokens(batch)): number {
    const { geometry, peaks } = this;
    const profile = this.profileFor(tokens);
    let prefill = 0;
    const chunks = batch.prefillChunks;
    if (chunks.length > 0) {
      prefill = profile.attention.prefillLaunchUs * 1e-6;
      for (let index = 0; index < chunks.length; index++) {
        prefill += prefillAttentionSeconds(
          chunks[index] as number,
          batch.prefillContexts[index] as number,
          geometry.headsPerRank,
          geometry.headDim,
          peaks,
          profile.attention,
        );
      }
    }
    const decode = decodeAttentionCost(
      batch.decodeSequences,
      batch.decodeContextTokens,
      geometry.kvBytesPerTokenPerLayer,
      peaks,
      profile.attention,
    ).seconds;
    if (breakdown) {
      breakdown.attentionPrefill += prefill;
      breakdown.attentionDecode += decode;
    }
    return prefill + decode;
  }

  /**
   * GPU seconds of pipeline stage `stage` (0-based) for a batch, including its outgoing activation
   * transfer. Callers walking every stage pass `tokens` and the per-layer `attention` once.
   */
  stageTime(
    batch: BatchShape,
    stage: number,
    tokens = countTokens(batch),
    attention = this.attentionTime(batch, undefined, tokens),
  ): number {
    const sampled = batch.sampledSequences ?? batch.prefillChunks.length + batch.decodeSequences;
    let time = this.layersPerStage * (this.layerTime(tokens) + attention);
    if (stage === 0) time += this.embeddingTime(tokens);
    if (stage === this.stages - 1) time += this.lmHeadTime(sampled);
    else
      time += sendRecvTime(
        tokens * this.config.modelSpec.hiddenSize * 2,
        this.stageBandwidthGbs,
        this.stageLink,
      );
    return time;
  }

  /**
   * A decode-only iteration of `sequences` sequences on a single-stage replica as linear functions
   * of the sequences' total context C (decode attention reads the KV cache, so its time, FLOPs and
   * bytes grow linearly in C; everything else depends on `sequences` only):
   * GPU seconds = fixedS + perContextTokenS × C, FLOPs = flops0 + flops1 × C, bytes = bytes0 + bytes1 × C.
   * The engine uses it to advance runs of steady decode iterations in closed form.
   */
  decodeLinearCost(sequences: number): DecodeLinearCost {
    const { geometry, peaks } = this;
    const profile = this.profileFor(sequences);
    const model = this.config.modelSpec;
    const attention = profile.attention;
    const attentionFixed = decodeAttentionCost(
      sequences,
      0,
      geometry.kvBytesPerTokenPerLayer,
      peaks,
      attention,
    ).seconds;
    const attentionPerToken = geometry.kvBytesPerTokenPerLayer / decodeAttentionBandwidth(peaks, attention);
    return {
      fixedS:
        this.layersPerStage * (this.layerTime(sequences) + attentionFixed) +
        this.embeddingTime(sequences) +
        this.lmHeadTime(sequences),
      perContextTokenS: this.layersPerStage * attentionPerToken,
      flops0:
        2 * sequences * this.activeLayerParams * model.nLayers +
        2 * sequences * model.vocabSize * model.hiddenSize,
      flops1: this.decodeAttentionFlopsPerToken * model.nLayers,
      bytes0: this.weightBytesRead(sequences, sequences),
      bytes1: this.kvReadBytesPerToken,
    };
  }

  /** Engine CPU seconds for an iteration over `sequences` sequences. */
  cpuOverhead(sequences: number): number {
    return (this.engine.cpuOverheadBaseUs + this.engine.cpuOverheadPerSequenceUs * sequences) * 1e-6;
  }

  /** Seconds of one iteration without pipelining (every stage in turn) plus CPU overhead: the hot path. */
  iterationTime(batch: BatchShape): number {
    const tokens = countTokens(batch);
    if (tokens === 0) return 0;
    const attention = this.attentionTime(batch, undefined, tokens);
    let gpu = 0;
    for (let stage = 0; stage < this.stages; stage++) gpu += this.stageTime(batch, stage, tokens, attention);
    return this.iterationWallTime(this.cpuOverhead(batch.prefillChunks.length + batch.decodeSequences), gpu);
  }

  /** FLOPs and device-memory bytes of an iteration over the whole replica (for MFU/MBU). */
  work(batch: BatchShape): { flops: number; bytes: number } {
    return { flops: this.flopsOf(batch), bytes: this.bytesOf(batch) };
  }

  /** FLOPs of an iteration over the whole replica (no allocation: the engine calls it per iteration). */
  flopsOf(batch: BatchShape): number {
    const model = this.config.modelSpec;
    let tokens = batch.decodeSequences;
    let attentionFlops = 0;
    for (let index = 0; index < batch.prefillChunks.length; index++) {
      const chunk = batch.prefillChunks[index] as number;
      tokens += chunk;
      attentionFlops += prefillAttentionFlops(
        chunk,
        batch.prefillContexts[index] as number,
        model.nHeads,
        model.headDim,
      );
    }
    attentionFlops += this.decodeAttentionFlopsPerToken * batch.decodeContextTokens;
    const sampled = batch.sampledSequences ?? batch.prefillChunks.length + batch.decodeSequences;
    return (
      2 * tokens * this.activeLayerParams * model.nLayers +
      attentionFlops * model.nLayers +
      2 * sampled * model.vocabSize * model.hiddenSize
    );
  }

  /**
   * Device-memory bytes of an iteration over the whole replica: the weights it reads
   * ({@link PerfModel.weightBytesRead}) plus the KV cache decode attention reads.
   */
  bytesOf(batch: BatchShape): number {
    const sampled = batch.sampledSequences ?? batch.prefillChunks.length + batch.decodeSequences;
    return (
      this.weightBytesRead(countTokens(batch), sampled) + batch.decodeContextTokens * this.kvReadBytesPerToken
    );
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
    if (tokens < CACHE_LIMIT) {
      const cached = this.weightBytesCache[tokens] as number;
      if (cached >= 0) return cached + head;
    }
    const model = this.config.modelSpec;
    const active = expectedActiveExperts(model.numExperts, model.expertsPerToken, tokens);
    const value =
      this.layerWeightBytesPerReplica +
      model.nLayers * active * this.expertWeightBytesPerLayer +
      Math.min(tokens, model.vocabSize) * this.embeddingRowBytes;
    if (tokens < CACHE_LIMIT) this.weightBytesCache[tokens] = value;
    return value + head;
  }

  /** The iteration's time by stage and operator, with MFU and MBU (allocates; not for the hot path). */
  breakdown(batch: BatchShape): IterationBreakdown {
    const operators = emptyBreakdown();
    const tokens = countTokens(batch);
    const sampled = batch.sampledSequences ?? batch.prefillChunks.length + batch.decodeSequences;
    const stageS: number[] = [];
    for (let stage = 0; stage < this.stages; stage++) {
      const perLayer = emptyBreakdown();
      let time =
        this.layersPerStage *
        (this.computeLayerTime(tokens, perLayer) + this.attentionTime(batch, perLayer, tokens));
      for (const key of Object.keys(perLayer) as (keyof OperatorBreakdown)[])
        operators[key] += perLayer[key] * this.layersPerStage;
      if (stage === 0) {
        const embedding = this.embeddingTime(tokens);
        operators.embedding += embedding;
        time += embedding;
      }
      if (stage === this.stages - 1) {
        const head = this.lmHeadTime(sampled);
        operators.lmHead += head;
        time += head;
      } else {
        const transfer = sendRecvTime(
          tokens * this.config.modelSpec.hiddenSize * 2,
          this.stageBandwidthGbs,
          this.stageLink,
        );
        operators.pipelineTransfer += transfer;
        time += transfer;
      }
      stageS.push(time);
    }
    const cpuOverheadS =
      tokens === 0 ? 0 : this.cpuOverhead(batch.prefillChunks.length + batch.decodeSequences);
    operators.cpuOverhead = cpuOverheadS;
    const totalS = this.iterationWallTime(
      cpuOverheadS,
      stageS.reduce((sum, value) => sum + value, 0),
    );
    const { flops, bytes } = this.work(batch);
    const gpus = this.gpusPerReplica;
    return {
      totalS,
      stageS,
      cpuOverheadS,
      operators,
      flops,
      bytes,
      mfu: totalS > 0 ? flops / (totalS * this.peaks.flopsPerSecond * gpus) : 0,
      mbu: totalS > 0 ? bytes / (totalS * this.peaks.bytesPerSecond * gpus) : 0,
    };
  }

  /** Seconds to prefill one prompt of `inputTokens` tokens alone (batch-1 time to first token, without queueing). */
  prefillTime(inputTokens: number): number {
    return this.iterationTime({
      prefillChunks: [inputTokens],
      prefillContexts: [0],
      decodeSequences: 0,
      decodeContextTokens: 0,
    });
  }

  /** Seconds of one decode step of `batchSize` sequences that each have `contextLength` tokens cached. */
  decodeStepTime(batchSize: number, contextLength: number): number {
    return this.iterationTime({
      prefillChunks: [],
      prefillContexts: [],
      decodeSequences: batchSize,
      decodeContextTokens: batchSize * contextLength,
    });
  }
}

function countTokens(batch: BatchShape): number {
  let tokens = batch.decodeSequences;
  for (const chunk of batch.prefillChunks) tokens += chunk;
  return tokens;
}

function emptyBreakdown(): OperatorBreakdown {
  return {
    embedding: 0,
    inputNorm: 0,
    qkvProjection: 0,
    rope: 0,
    attentionPrefill: 0,
    attentionDecode: 0,
    outputProjection: 0,
    postAttentionNorm: 0,
    upProjection: 0,
    activation: 0,
    downProjection: 0,
    residualAdd: 0,
    moeRouter: 0,
    allReduce: 0,
    lmHead: 0,
    pipelineTransfer: 0,
    cpuOverhead: 0,
  };
}

function scaleProfile(
  profile: CalibrationProfile,
  engine: EngineProfile,
  weightDtype: Dtype,
): CalibrationProfile {
  const compute = engine.computeEfficiencyScale;
  const memory = engine.memoryEfficiencyScale;
  const quantized =
    weightDtype === 'int8' || weightDtype === 'int4' ? engine.quantizedWeightEfficiency[weightDtype] : 1;
  const latency = engine.collectiveLatencyScale;
  const halfTokens = engine.gemmHalfEfficiencyScale;
  if (compute === 1 && memory === 1 && quantized === 1 && latency === 1 && halfTokens === 1) return profile;
  const { communication } = profile;
  return {
    ...profile,
    communication: {
      ...communication,
      allReduceIntraNode: {
        ...communication.allReduceIntraNode,
        latencyUs: communication.allReduceIntraNode.latencyUs * latency,
      },
      allReduceInterNode: {
        ...communication.allReduceInterNode,
        latencyUs: communication.allReduceInterNode.latencyUs * latency,
      },
    },
    gemm: {
      ...profile.gemm,
      computeEfficiency: Math.min(1, profile.gemm.computeEfficiency * compute),
      halfEfficiencyTokens: profile.gemm.halfEfficiencyTokens * halfTokens,
      memoryEfficiency: Math.min(1, profile.gemm.memoryEfficiency * memory * quantized),
    },
    attention: {
      ...profile.attention,
      prefillComputeEfficiency: Math.min(1, profile.attention.prefillComputeEfficiency * compute),
      decodeMemoryEfficiency: Math.min(1, profile.attention.decodeMemoryEfficiency * memory),
    },
  };
}

/** A profile whose kernels' fixed costs are multiplied by `launchScale` (CUDA-graph replay). */
function graphProfile(profile: CalibrationProfile, launchScale: number): CalibrationProfile {
  if (launchScale === 1) return profile;
  const { gemm, elementwise, attention } = profile;
  return {
    ...profile,
    gemm: { ...gemm, launchUs: gemm.launchUs * launchScale },
    elementwise: { ...elementwise, launchUs: elementwise.launchUs * launchScale },
    attention: {
      ...attention,
      prefillLaunchUs: attention.prefillLaunchUs * launchScale,
      decodeLaunchUs: attention.decodeLaunchUs * launchScale,
    },
  };
}

/** Builds the cost model of a deployment (see {@link PerfModel}). */
export function createPerfModel(config: PerfModelConfig): PerfModel {
  return new PerfModel(config);
}
