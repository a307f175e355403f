import {
  DTYPE_BYTES,
  type EngineProfileName,
  moeLayerCount,
  type ResolvedClusterSpec,
  type ResolvedModelSpec,
  type ResolvedParallelismSpec,
  type ResolvedSchedulerSpec,
  type ResolvedSpeculativeSpec,
  tokensPerStep,
} from '@sim/specs';
import { type AttentionLayers, attentionLayers, localDecodeContext } from './attention-layers';
import { type BatchShape, countTokens } from './batch-shape';
import type { CalibrationProfile } from './calibration-profile';
import { allReduceTime, type CollectiveLink, replicaLinks, sendRecvTime } from './communication';
import type { DecodeLinearCost } from './decode-linear-cost';
import { engineProfileNamed } from './engine-profile-registry';
import type { EngineProfile } from './engine-profiles';
import { expectedActiveExperts } from './expected-active-experts';
import { type ExpertParallelLayout, expertParallelLayout, expertsHeldActive } from './expert-parallel';
import { type ProfileChoice, profileForGpu } from './gpu-profiles';
import { IterationWork, TOKEN_CACHE_LIMIT } from './iteration-work';
import { elementwiseOperatorCost, linearOperatorCost, weightGemmCost } from './layer-cost';
import { type LayerGeometry, layerGeometry, withMlp, withWeights } from './layer-geometry';
import { type MemoryPlan, memoryPlan } from './memory-plan';
import { type IterationBreakdown, iterationBreakdown, type OperatorBreakdown } from './operator-breakdown';
import { graphProfile, scaleProfile } from './profile-scaling';
import {
  type DevicePeaks,
  decodeAttentionBandwidth,
  decodeAttentionCost,
  prefillAttentionSeconds,
} from './roofline';
import { sixteenBitPeaks, type WeightKernels, weightKernels } from './weight-kernels';

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
  /** Speculative decoding (absent: one token per decode step). */
  readonly speculativeSpec?: ResolvedSpeculativeSpec;
}

/**
 * A deployment's cost model. Construction precomputes shapes and constants; `iterationTime` is
 * the hot path (a per-token-count cache makes it a few array reads plus the attention terms).
 */
export class PerfModel {
  readonly config: PerfModelConfig;
  readonly geometry: LayerGeometry;
  /** The datasheet peaks at the weights' compute format (the FP8 peak for fp8 weights where the GPU has one): MFU and MBU are measured against them. */
  readonly peaks: DevicePeaks;
  /** The 16-bit peaks: attention (16-bit activations and KV reads) and element-wise kernels run against them. */
  private readonly sixteenBit: DevicePeaks;
  /** How GEMMs over the model's weights, its routed experts and its LM head run (by their storage formats). */
  private readonly weightKernels: WeightKernels;
  private readonly expertKernels: WeightKernels;
  private readonly headKernels: WeightKernels;
  /** The routed experts' geometry: the layer's, with the experts' own weight format. */
  private readonly expertGeometry: LayerGeometry;
  /** Full-context and local attention layers. */
  readonly attentionLayers: AttentionLayers;
  /**
   * True when a decode iteration's time, FLOPs and bytes are linear in the batch's total context
   * ({@link PerfModel.decodeLinearCost} is exact); false with local attention layers, whose reads
   * stop growing at the window.
   */
  readonly decodeIsLinear: boolean;
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
  /** Where tensor-parallel all-reduces and pipeline sends run. */
  private readonly allReduceLink: CollectiveLink;
  private readonly stageLink: CollectiveLink;
  /**
   * Per-token-count caches of layerTime, lmHeadTime and embeddingTime. 0 means not computed yet
   * (times are positive; a 0 would only be computed again): zero-filled arrays cost nothing to
   * create, where filling 64k entries with a sentinel cost ~1.7 ms each per model.
   */
  private readonly layerCache = new Float64Array(TOKEN_CACHE_LIMIT);
  private readonly lmHeadCache = new Float64Array(TOKEN_CACHE_LIMIT);
  private readonly embeddingCache = new Float64Array(TOKEN_CACHE_LIMIT);
  /** FLOPs and bytes of iterations (for MFU and MBU). */
  private readonly iterationWork: IterationWork;
  /** Share of the layers that are MoE layers (0 for a dense model; below 1 with `nDenseLayers`). */
  private readonly moeLayerShare: number;
  /** The geometry of a dense layer's MLP (ffnDim wide), and of an MoE layer's shared experts (all of them as one MLP). */
  private readonly denseGeometry: LayerGeometry;
  private readonly sharedExpertGeometry: LayerGeometry | undefined;
  /** The expert-parallel group (undefined without `parallelismSpec.expertParallel`). */
  readonly expertParallel: ExpertParallelLayout | undefined;
  /** Speculative decoding: mean tokens per step (τ) and the draft model's cost model (draft-model only). */
  readonly speculative:
    | { readonly spec: ResolvedSpeculativeSpec; readonly tokensPerStep: number; readonly draft?: PerfModel }
    | undefined;

  constructor(config: PerfModelConfig) {
    this.config = config;
    const { modelSpec: model, clusterSpec: cluster, parallelismSpec: parallel } = config;
    const engine = config.engineProfile ?? 'vllm';
    this.engine = typeof engine === 'string' ? engineProfileNamed(engine) : engine;
    this.profileChoice = profileForGpu(cluster.gpuSpec);
    this.profile = scaleProfile(this.profileChoice.profile, this.engine);
    this.graphMaxTokens = this.engine.cudaGraphs.maxTokens;
    this.graphProfile = graphProfile(this.profile, this.engine.cudaGraphs.launchScale);
    this.geometry = layerGeometry(model, parallel.tensorParallelSize);
    this.expertGeometry = withWeights(this.geometry, model.expertDtype);
    this.attentionLayers = attentionLayers(model);
    this.decodeIsLinear = this.attentionLayers.local === 0;
    this.moeLayerShare = moeLayerCount(model) / model.nLayers;
    this.denseGeometry = withMlp(this.geometry, model, model.ffnDim, parallel.tensorParallelSize);
    this.expertParallel = parallel.expertParallel
      ? expertParallelLayout(model, cluster, parallel, this.expertGeometry, this.profile.communication)
      : undefined;
    const speculative = config.speculativeSpec;
    this.speculative =
      speculative === undefined
        ? undefined
        : {
            spec: speculative,
            tokensPerStep: tokensPerStep(speculative),
            ...(speculative.draftModelSpec === undefined
              ? {}
              : {
                  draft: new PerfModel({
                    modelSpec: speculative.draftModelSpec,
                    clusterSpec: config.clusterSpec,
                    parallelismSpec: config.parallelismSpec,
                    schedulerSpec: config.schedulerSpec,
                    ...(config.engineProfile === undefined ? {} : { engineProfile: config.engineProfile }),
                  }),
                }),
          };
    this.sharedExpertGeometry =
      model.numExperts > 1 && model.numSharedExperts > 0
        ? withMlp(
            this.geometry,
            model,
            model.numSharedExperts * model.sharedExpertFfnDim,
            parallel.tensorParallelSize,
          )
        : undefined;
    const gpu = cluster.gpuSpec;
    const fp8 = model.weightDtype === 'fp8' && gpu.fp8Tflops > 0;
    this.peaks = {
      flopsPerSecond: (fp8 ? gpu.fp8Tflops : gpu.computeTflops) * 1e12,
      bytesPerSecond: gpu.memoryBandwidthGbs * 1e9,
    };
    this.sixteenBit = sixteenBitPeaks(gpu);
    this.weightKernels = weightKernels(model.weightDtype, gpu, this.engine);
    this.expertKernels = weightKernels(model.expertDtype, gpu, this.engine);
    this.headKernels = weightKernels(model.embeddingDtype, gpu, this.engine);
    this.memory = memoryPlan(model, cluster, parallel, config.schedulerSpec, this.engine.kvCacheSizing);
    this.tensorParallelSize = parallel.tensorParallelSize;
    this.stages = parallel.pipelineParallelSize;
    this.layersPerStage = model.nLayers / this.stages;
    this.gpusPerReplica = this.tensorParallelSize * this.stages;
    const links = replicaLinks(
      cluster,
      this.profile.communication,
      this.tensorParallelSize,
      this.gpusPerReplica,
    );
    this.allReduceLink = links.allReduce;
    this.stageLink = links.sendRecv;
    this.iterationWork = new IterationWork(
      model,
      this.geometry,
      this.tensorParallelSize,
      this.memory.weightBytesPerGpu * this.gpusPerReplica,
      this.expertParallel,
    );
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
    if (tokens < TOKEN_CACHE_LIMIT) {
      const cached = this.layerCache[tokens] ?? 0;
      if (cached > 0) return cached;
      const value = this.computeLayerTime(tokens, undefined);
      this.layerCache[tokens] = value;
      return value;
    }
    return this.computeLayerTime(tokens, undefined);
  }

  /** {@link PerfModel.layerTime}, uncached, adding each operator's seconds to `breakdown`. */
  layerTimeBreakdown(tokens: number, breakdown: OperatorBreakdown): number {
    return this.computeLayerTime(tokens, breakdown);
  }

  private computeLayerTime(tokens: number, breakdown: OperatorBreakdown | undefined): number {
    if (tokens <= 0) return 0;
    const { geometry, sixteenBit: peaks, weightKernels: kernels } = this;
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
    add('qkvProjection', linearOperatorCost('qkvProjection', tokens, geometry, kernels, profile).seconds);
    add(
      'outputProjection',
      linearOperatorCost('outputProjection', tokens, geometry, kernels, profile).seconds,
    );
    // The MLP, averaged over the layers: an MoE layer's experts (and shared experts), a dense layer's MLP.
    const moeShare = this.moeLayerShare;
    const expertParallel = this.expertParallel;
    if (moeShare > 0) add('moeRouter', moeShare * this.routerSeconds(tokens, profile));
    if (moeShare > 0 && expertParallel !== undefined)
      this.addExpertParallelMoe(tokens, expertParallel, moeShare, profile, add);
    else if (moeShare > 0) {
      const routed = tokens * model.expertsPerToken;
      const active = expectedActiveExperts(model.numExperts, model.expertsPerToken, tokens);
      this.addFusedExperts(routed, active, this.expertGeometry, moeShare, profile, add);
      if (this.sharedExpertGeometry !== undefined)
        this.addDenseMlp(tokens, this.sharedExpertGeometry, moeShare, profile, add);
    }
    if (moeShare < 1) this.addDenseMlp(tokens, this.denseGeometry, 1 - moeShare, profile, add);
    add(
      'allReduce',
      2 *
        allReduceTime(
          tokens * model.hiddenSize * 2,
          this.tensorParallelSize,
          this.allReduceLink.bandwidthGbs,
          this.allReduceLink.efficiency,
        ),
    );
    return total;
  }

  /** Seconds of an MoE layer's router (a GEMM to one logit per expert, in the model's weight format). */
  private routerSeconds(tokens: number, profile: CalibrationProfile): number {
    const model = this.config.modelSpec;
    return weightGemmCost(
      tokens,
      model.numExperts,
      model.hiddenSize,
      this.geometry.weightBytes,
      this.geometry.activationBytes,
      this.weightKernels,
      profile.gemm,
    ).seconds;
  }

  /**
   * Adds an MoE layer's routed experts under expert parallelism, times `share`: this GPU's whole
   * experts serving the routed tokens of every replica of the group (assumed to run batches like
   * this one), in one fused kernel, and the dispatch and combine all-to-alls.
   */
  private addExpertParallelMoe(
    tokens: number,
    parallel: ExpertParallelLayout,
    share: number,
    profile: CalibrationProfile,
    add: (key: keyof OperatorBreakdown, seconds: number) => void,
  ): void {
    const model = this.config.modelSpec;
    const k = model.expertsPerToken;
    // Each TP rank dispatches its share of the tokens; the busiest GPU gets `imbalance` × the mean.
    const pairs = ((tokens * k) / this.tensorParallelSize) * parallel.imbalance;
    const active = expertsHeldActive(model, parallel, tokens);
    this.addFusedExperts(pairs, active, parallel.expertGeometry, share, profile, add);
    // Dispatch and combine: each token's hidden state to and from the GPUs of its k experts.
    const bytes =
      (tokens / this.tensorParallelSize) * k * model.hiddenSize * 2 * ((parallel.group - 1) / parallel.group);
    add(
      'expertAllToAll',
      share * 2 * sendRecvTime(bytes, parallel.link.bandwidthGbs, parallel.link.efficiency),
    );
  }

  /**
   * Adds routed experts in one fused kernel, times `share`: `pairs` token-expert pairs over `active`
   * experts of `geometry` (in the experts' format). vLLM's fused MoE kernel runs every active
   * expert's GEMM in one launch.
   */
  private addFusedExperts(
    pairs: number,
    active: number,
    geometry: LayerGeometry,
    share: number,
    profile: CalibrationProfile,
    add: (key: keyof OperatorBreakdown, seconds: number) => void,
  ): void {
    const { sixteenBit: peaks, expertKernels: kernels } = this;
    const perExpert = pairs / active;
    const launch = profile.gemm.launchUs * 1e-6;
    const fused = (operator: 'upProjection' | 'downProjection') =>
      launch +
      active * (linearOperatorCost(operator, perExpert, geometry, kernels, profile).seconds - launch);
    add('upProjection', share * fused('upProjection'));
    add('activation', share * elementwiseOperatorCost('activation', pairs, geometry, peaks, profile).seconds);
    add('downProjection', share * fused('downProjection'));
  }

  /** Adds a dense MLP's up projection, activation and down projection, times `share` (of the layers that have it). */
  private addDenseMlp(
    tokens: number,
    geometry: LayerGeometry,
    share: number,
    profile: CalibrationProfile,
    add: (key: keyof OperatorBreakdown, seconds: number) => void,
  ): void {
    const { sixteenBit: peaks, weightKernels: kernels } = this;
    add(
      'upProjection',
      share * linearOperatorCost('upProjection', tokens, geometry, kernels, profile).seconds,
    );
    add(
      'activation',
      share * elementwiseOperatorCost('activation', tokens, geometry, peaks, profile).seconds,
    );
    add(
      'downProjection',
      share * linearOperatorCost('downProjection', tokens, geometry, kernels, profile).seconds,
    );
  }

  /** Seconds of the embedding lookup for `tokens` tokens on the first stage (cached per token count). */
  embeddingTime(tokens: number): number {
    if (tokens < TOKEN_CACHE_LIMIT) {
      const cached = this.embeddingCache[tokens] ?? 0;
      if (cached > 0) return cached;
    }
    const value = elementwiseOperatorCost(
      'embedding',
      tokens,
      this.geometry,
      this.sixteenBit,
      this.profileFor(tokens),
    ).seconds;
    if (tokens < TOKEN_CACHE_LIMIT) this.embeddingCache[tokens] = value;
    return value;
  }

  /** Seconds of the LM head (logits for `sequences` sequences) and sampling on the last stage. */
  lmHeadTime(sequences: number): number {
    if (sequences <= 0) return 0;
    if (sequences < TOKEN_CACHE_LIMIT) {
      const cached = this.lmHeadCache[sequences] ?? 0;
      if (cached > 0) return cached;
    }
    const model = this.config.modelSpec;
    const value =
      weightGemmCost(
        sequences,
        model.vocabSize / this.tensorParallelSize,
        model.hiddenSize,
        DTYPE_BYTES[model.embeddingDtype],
        this.geometry.activationBytes,
        this.headKernels,
        this.profileFor(sequences).gemm,
      ).seconds +
      allReduceTime(
        (sequences * model.vocabSize * 4) / this.tensorParallelSize,
        this.tensorParallelSize,
        this.allReduceLink.bandwidthGbs,
        this.allReduceLink.efficiency,
      );
    if (sequences < TOKEN_CACHE_LIMIT) this.lmHeadCache[sequences] = value;
    return value;
  }

  /**
   * Seconds of attention in one layer on one rank: one prefill kernel over the chunks, one decode
   * kernel. `tokens` (the batch's token count, which picks the CUDA-graph profile) is counted from
   * the batch unless the caller already has it.
   */
  attentionTime(batch: BatchShape, breakdown?: OperatorBreakdown, tokens = countTokens(batch)): number {
    const profile = this.profileFor(tokens);
    const layers = this.attentionLayers;
    let prefill = this.prefillAttentionSeconds(batch, profile, Number.POSITIVE_INFINITY);
    let decode = this.decodeAttentionSeconds(batch.decodeSequences, batch.decodeContextTokens, profile);
    if (layers.local > 0) {
      // The mean layer: full-context and local layers in their proportions.
      const total = layers.full + layers.local;
      const localDecode = this.decodeAttentionSeconds(
        batch.decodeSequences,
        localDecodeContext(batch.decodeSequences, batch.decodeContextTokens, layers.window),
        profile,
      );
      const localPrefill = this.prefillAttentionSeconds(batch, profile, layers.window);
      prefill = (layers.full * prefill + layers.local * localPrefill) / total;
      decode = (layers.full * decode + layers.local * localDecode) / total;
    }
    if (breakdown) {
      breakdown.attentionPrefill += prefill;
      breakdown.attentionDecode += decode;
    }
    return prefill + decode;
  }

  /** One layer's prefill-attention kernel over the batch's chunks, each token attending to at most `window` tokens. */
  private prefillAttentionSeconds(batch: BatchShape, profile: CalibrationProfile, window: number): number {
    const { prefillChunks: chunks, prefillContexts: contexts } = batch;
    if (chunks.length === 0) return 0;
    const { geometry, sixteenBit: peaks } = this;
    let seconds = profile.attention.prefillLaunchUs * 1e-6;
    for (let index = 0; index < chunks.length; index++) {
      seconds += prefillAttentionSeconds(
        chunks[index] ?? 0,
        contexts[index] ?? 0,
        geometry.headsPerRank,
        geometry.headDim,
        peaks,
        profile.attention,
        window,
      );
    }
    return seconds;
  }

  /** One layer's decode-attention kernel over `sequences` sequences reading `contextTokens` cached tokens. */
  private decodeAttentionSeconds(
    sequences: number,
    contextTokens: number,
    profile: CalibrationProfile,
  ): number {
    return decodeAttentionCost(
      sequences,
      contextTokens,
      this.geometry.kvBytesPerTokenPerLayer,
      this.sixteenBit,
      profile.attention,
    ).seconds;
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
    const speculative = this.speculative;
    if (speculative === undefined || batch.decodeSequences === 0)
      return this.plainStageTime(stage, tokens, sampled, attention);
    // One speculative step: its prefill chunks as usual; its decodes verified over k + 1 positions
    // each (and drafted on the last stage), emitting τ tokens per sequence: this engine iteration
    // (one token per sequence) costs the prefill part plus 1/τ of the rest.
    const extra = batch.decodeSequences * speculative.spec.numSpeculativeTokens;
    const verify = this.plainStageTime(stage, tokens + extra, sampled + extra, attention);
    const draft =
      stage === this.stages - 1 ? this.draftSeconds(batch.decodeSequences, batch.decodeContextTokens) : 0;
    const prefill = this.prefillPartStageTime(batch, stage);
    return prefill + (verify + draft - prefill) / speculative.tokensPerStep;
  }

  /** A stage's seconds for `tokens` tokens sampling `sampled` positions, attention given. */
  private plainStageTime(stage: number, tokens: number, sampled: number, attention: number): number {
    let time = this.layersPerStage * (this.layerTime(tokens) + attention);
    if (stage === 0) time += this.embeddingTime(tokens);
    if (stage === this.stages - 1) time += this.lmHeadTime(sampled);
    else time += this.stageTransferTime(tokens);
    return time;
  }

  /** The stage's seconds of the batch's prefill chunks alone (0 without any). */
  private prefillPartStageTime(batch: BatchShape, stage: number): number {
    const chunks = batch.prefillChunks;
    if (chunks.length === 0) return 0;
    const prefill: BatchShape = {
      prefillChunks: chunks,
      prefillContexts: batch.prefillContexts,
      decodeSequences: 0,
      decodeContextTokens: 0,
    };
    const tokens = countTokens(prefill);
    // The chunks that finish their prompt sample a token (the batch's samples less its decodes).
    const sampled = (batch.sampledSequences ?? chunks.length + batch.decodeSequences) - batch.decodeSequences;
    return this.plainStageTime(stage, tokens, sampled, this.attentionTime(prefill, undefined, tokens));
  }

  /**
   * GPU seconds of drafting k tokens for `sequences` decoding sequences with `contextTokens` tokens
   * cached in all: an EAGLE head or an MTP layer runs one decoder layer of the target's geometry
   * and the LM head per draft token; a draft model its whole forward pass; n-grams nothing.
   */
  draftSeconds(sequences: number, contextTokens: number): number {
    const speculative = this.speculative;
    if (speculative === undefined || sequences <= 0) return 0;
    const k = speculative.spec.numSpeculativeTokens;
    const decode = {
      prefillChunks: [],
      prefillContexts: [],
      decodeSequences: sequences,
      decodeContextTokens: contextTokens,
    };
    switch (speculative.spec.method) {
      case 'ngram':
        return 0;
      case 'draft-model': {
        const draft = speculative.draft;
        if (draft === undefined) return 0;
        let seconds = 0;
        for (let stage = 0; stage < draft.stages; stage++) seconds += draft.stageTime(decode, stage);
        return k * seconds;
      }
      default:
        return k * (this.layerTime(sequences) + this.attentionTime(decode) + this.lmHeadTime(sequences));
    }
  }

  /** Seconds to send an iteration's activations (`tokens` hidden states) to the next pipeline stage. */
  stageTransferTime(tokens: number): number {
    return sendRecvTime(
      tokens * this.config.modelSpec.hiddenSize * 2,
      this.stageLink.bandwidthGbs,
      this.stageLink.efficiency,
    );
  }

  /**
   * A decode-only iteration of `sequences` sequences on a single-stage replica as linear functions
   * of the sequences' total context C (decode attention reads the KV cache, so its time, FLOPs and
   * bytes grow linearly in C; everything else depends on `sequences` only):
   * GPU seconds = fixedS + perContextTokenS × C, FLOPs = flops0 + flops1 × C, bytes = bytes0 + bytes1 × C.
   * The engine uses it to advance runs of steady decode iterations in closed form. Exact only when
   * {@link PerfModel.decodeIsLinear}: local attention layers are counted here as full-context ones
   * (an upper bound), and the engine steps such models iteration by iteration.
   */
  decodeLinearCost(sequences: number): DecodeLinearCost {
    const { geometry, sixteenBit: peaks } = this;
    const profile = this.profileFor(sequences);
    const attention = profile.attention;
    const attentionFixed = decodeAttentionCost(
      sequences,
      0,
      geometry.kvBytesPerTokenPerLayer,
      peaks,
      attention,
    ).seconds;
    const attentionPerToken = geometry.kvBytesPerTokenPerLayer / decodeAttentionBandwidth(peaks, attention);
    const speculative = this.speculative;
    if (speculative !== undefined) {
      // A speculative step verifies k + 1 positions per sequence (reading the cache once) and drafts
      // k tokens; this iteration, one token per sequence, costs 1/τ of it.
      const verified = sequences * (speculative.spec.numSpeculativeTokens + 1);
      const draftFixed = this.draftSeconds(sequences, 0);
      const per = 1 / speculative.tokensPerStep;
      return {
        fixedS:
          per *
          (this.layersPerStage * (this.layerTime(verified) + attentionFixed) +
            this.embeddingTime(verified) +
            this.lmHeadTime(verified) +
            draftFixed),
        perContextTokenS:
          per * (this.layersPerStage * attentionPerToken + (this.draftSeconds(sequences, 1) - draftFixed)),
        flops0: per * this.iterationWork.decodeFlops(verified),
        flops1: per * this.iterationWork.decodeFlopsPerContextToken,
        bytes0: per * this.iterationWork.weightBytesRead(verified, verified),
        bytes1: per * this.iterationWork.kvReadBytesPerToken,
      };
    }
    return {
      fixedS:
        this.layersPerStage * (this.layerTime(sequences) + attentionFixed) +
        this.embeddingTime(sequences) +
        this.lmHeadTime(sequences),
      perContextTokenS: this.layersPerStage * attentionPerToken,
      flops0: this.iterationWork.decodeFlops(sequences),
      flops1: this.iterationWork.decodeFlopsPerContextToken,
      bytes0: this.iterationWork.weightBytesRead(sequences, sequences),
      bytes1: this.iterationWork.kvReadBytesPerToken,
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
    return this.speculativeWork(batch, (shape) => this.iterationWork.flopsOf(shape));
  }

  /**
   * Device-memory bytes of an iteration over the whole replica: the weights it reads
   * ({@link PerfModel.weightBytesRead}) plus the KV cache decode attention reads.
   */
  bytesOf(batch: BatchShape): number {
    return this.speculativeWork(batch, (shape) => this.iterationWork.bytesOf(shape));
  }

  /**
   * `work` of the batch; with speculative decoding, of its prefill chunks plus 1/τ of the rest of
   * the step that verifies k + 1 positions per decoding sequence (the target's work only: the
   * drafts' FLOPs and bytes are not counted, so MFU and MBU are lower bounds there).
   */
  private speculativeWork(batch: BatchShape, work: (shape: BatchShape) => number): number {
    const speculative = this.speculative;
    const decodes = batch.decodeSequences;
    if (speculative === undefined || decodes === 0) return work(batch);
    const extra = decodes * speculative.spec.numSpeculativeTokens;
    const sampled = batch.sampledSequences ?? batch.prefillChunks.length + decodes;
    const verify = work({ ...batch, decodeSequences: decodes + extra, sampledSequences: sampled + extra });
    const prefill =
      batch.prefillChunks.length === 0
        ? 0
        : work({
            prefillChunks: batch.prefillChunks,
            prefillContexts: batch.prefillContexts,
            decodeSequences: 0,
            decodeContextTokens: 0,
            sampledSequences: sampled - decodes,
          });
    return prefill + (verify - prefill) / speculative.tokensPerStep;
  }

  /** Weight bytes an iteration of `tokens` tokens that samples `sampledSequences` tokens reads over the whole replica (see {@link IterationWork.weightBytesRead}). */
  weightBytesRead(tokens: number, sampledSequences: number): number {
    return this.iterationWork.weightBytesRead(tokens, sampledSequences);
  }

  /** The iteration's time by stage and operator, with MFU and MBU (allocates; not for the hot path). */
  breakdown(batch: BatchShape): IterationBreakdown {
    return iterationBreakdown(this, batch);
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

/** Builds the cost model of a deployment (see {@link PerfModel}). */
export function createPerfModel(config: PerfModelConfig): PerfModel {
  return new PerfModel(config);
}
