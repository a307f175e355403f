import type {
  Dtype,
  ResolvedClusterSpec,
  ResolvedModelSpec,
  ResolvedParallelismSpec,
  ResolvedSchedulerSpec,
} from '@sim/specs';
import { DTYPE_BYTES, embeddingParamCount, groupDigits, routedExpertParamCount } from '@sim/specs';
import { attentionLayers } from './attention-layers';
import type { KvCacheSizing } from './engine-profiles';
import { expertSpreadOf } from './expert-parallel';
import { layerGeometry } from './layer-geometry';

/**
 * Memory the runtime keeps outside weights, activations and KV cache, per GPU, in bytes: CUDA
 * context, cuBLAS/NCCL workspaces, CUDA graphs (vLLM's "non-torch memory"). 1 GiB.
 */
export const RUNTIME_OVERHEAD_BYTES = 1.0 * 2 ** 30;

/** Scheduler settings the memory plan reads. */
export type MemoryPlanScheduler = Pick<
  ResolvedSchedulerSpec,
  'gpuMemoryUtilization' | 'kvBlockSize' | 'maxNumBatchedTokens' | 'maxBatchSize'
>;

/** Where each GPU's memory goes, and how much KV cache remains. All sizes in bytes, per GPU. */
export interface MemoryPlan {
  /** The GPU's memory as the driver reports it (`gpuSpec.memoryBytes`). Bytes. */
  readonly totalBytesPerGpu: number;
  /**
   * Bytes of weights one GPU holds: each tensor class in its own format (routed experts at
   * expertDtype, the embedding and LM head at embeddingDtype, the rest at weightDtype), / (TP × PP);
   * with expert parallelism the routed experts are spread further.
   */
  readonly weightBytesPerGpu: number;
  /** Peak activation memory of a forward pass over maxNumBatchedTokens tokens plus the fp32 logits of maxBatchSize sequences. Bytes. */
  readonly activationBytesPerGpu: number;
  /** {@link RUNTIME_OVERHEAD_BYTES}. */
  readonly runtimeOverheadBytesPerGpu: number;
  /** The engine's KV-cache sizing rule (from its engine profile). */
  readonly kvCacheSizing: KvCacheSizing;
  /**
   * Bytes the engine may use in all (weights, activations, runtime and KV cache), with f the
   * config's gpuMemoryUtilization: `fraction-of-total`: total × f; `fraction-of-free`: weights +
   * activations + runtime + f × what they leave free.
   */
  readonly usableBytesPerGpu: number;
  /** What remains for the KV cache (0 when nothing remains). Bytes. */
  readonly kvCacheBytesPerGpu: number;
  /**
   * KV-cache bytes one token occupies on one GPU (its stage's layers, its TP share of KV heads).
   * With local attention layers whose cache is set aside per sequence
   * ({@link MemoryPlan.localKvBytesPerGpu} > 0), the full-context layers only.
   */
  readonly kvBytesPerToken: number;
  /**
   * Bytes set aside for the local (sliding-window) layers' cache: maxBatchSize sequences × (window +
   * one block) tokens × their bytes per token on this GPU, when that holds more tokens than counting
   * those layers per token (short windows); else 0, as without local layers.
   */
  readonly localKvBytesPerGpu: number;
  /** Tokens the KV cache holds (whole blocks). */
  readonly kvCapacityTokens: number;
  /** KV blocks of `blockSize` tokens. */
  readonly kvCapacityBlocks: number;
  /** Tokens per block. */
  readonly blockSize: number;
  /** True when weights, activations and overhead fit in the usable memory with room for at least one block. */
  readonly fits: boolean;
  /** One human-readable sentence: the numbers (in GiB), and the fixes when it does not fit. */
  readonly verdict: string;
  /**
   * Problems of a plan that fits, one sentence each with the numbers and a fix: today, a KV cache
   * too small for one sequence of the model's maxContextLength (longer requests are rejected).
   * Empty when there is nothing to say.
   */
  readonly warnings: readonly string[];
}

/** A size in binary gigabytes, as device memory is labelled (an "80 GB" GPU has 80 GiB). */
const gib = (bytes: number) => `${(bytes / 2 ** 30).toFixed(1)} GiB`;
/** Token counts (integers) with digit grouping, without Intl (see groupDigits). */
const count = groupDigits;

/** The numbers of one layout, without the sentences. */
interface MemoryBudget {
  readonly totalBytes: number;
  readonly weightBytes: number;
  readonly activationBytes: number;
  readonly usableBytes: number;
  readonly kvCacheBytes: number;
  readonly kvBytesPerToken: number;
  readonly localKvBytes: number;
  readonly kvCapacityBlocks: number;
}

function memoryBudget(
  model: ResolvedModelSpec,
  cluster: ResolvedClusterSpec,
  tp: number,
  pp: number,
  scheduler: MemoryPlanScheduler,
  sizing: KvCacheSizing,
  expertSpread = 1,
): MemoryBudget {
  const geometry = layerGeometry(model, tp);
  // Each tensor class in its own format; with expert parallelism the routed experts are spread over
  // expertSpread times more GPUs. Whatever nParams holds beyond the derived classes (biases, a
  // published count's rounding) is counted at weightDtype.
  const routed = routedExpertParamCount(model);
  const tables = embeddingParamCount(model);
  const weightBytes =
    ((model.nParams - routed - tables) * DTYPE_BYTES[model.weightDtype] +
      (routed / expertSpread) * DTYPE_BYTES[model.expertDtype] +
      tables * DTYPE_BYTES[model.embeddingDtype]) /
    (tp * pp);
  // The widest MLP a token passes: an MoE model's dense layers and shared experts may be wider than an expert.
  const matrices = model.gatedMlp ? 3 : 2;
  const mlpWidth = Math.max(
    geometry.upWidth + geometry.ffnPerRank,
    model.numExperts > 1 && model.nDenseLayers > 0 ? (matrices * model.ffnDim) / tp : 0,
    model.numExperts > 1 ? (matrices * model.numSharedExperts * model.sharedExpertFfnDim) / tp : 0,
  );
  const activationBytes =
    scheduler.maxNumBatchedTokens * (2 * geometry.hiddenSize + geometry.qkvWidth + mlpWidth) * 2 +
    scheduler.maxBatchSize * model.vocabSize * 4;
  const totalBytes = cluster.gpuSpec.memoryBytes;
  const fraction = scheduler.gpuMemoryUtilization;
  const fixedBytes = weightBytes + activationBytes + RUNTIME_OVERHEAD_BYTES;
  const usableBytes =
    sizing === 'fraction-of-free'
      ? Math.min(totalBytes, fixedBytes + fraction * Math.max(0, totalBytes - fixedBytes))
      : totalBytes * fraction;
  // Local layers keep at most their window (plus the block being filled) per sequence. Either their
  // cache is set aside for maxBatchSize such sequences and the block pool counts the full-context
  // layers only, or every layer is counted per token (an engine's hybrid allocator does better than
  // both); the plan takes whichever holds more tokens: the first for short windows (gpt-oss, 128),
  // the second for long ones (Llama 4's 8,192-token chunks).
  const layers = attentionLayers(model);
  const perLayer = geometry.kvBytesPerTokenPerLayer;
  const allLayersPerToken = (model.nLayers / pp) * perLayer;
  let localKvBytes = 0;
  let kvBytesPerToken = allLayersPerToken;
  if (layers.local > 0 && layers.full > 0) {
    const reserved =
      (layers.local / pp) *
      perLayer *
      Math.min(layers.window + scheduler.kvBlockSize, model.maxContextLength) *
      scheduler.maxBatchSize;
    const fullPerToken = (layers.full / pp) * perLayer;
    const free = Math.max(0, usableBytes - fixedBytes);
    if (Math.max(0, free - reserved) / fullPerToken > free / allLayersPerToken) {
      localKvBytes = reserved;
      kvBytesPerToken = fullPerToken;
    }
  }
  const kvCacheBytes = Math.max(0, usableBytes - fixedBytes - localKvBytes);
  const kvCapacityBlocks = Math.floor(kvCacheBytes / (kvBytesPerToken * scheduler.kvBlockSize));
  return {
    totalBytes,
    weightBytes,
    activationBytes,
    usableBytes,
    kvCacheBytes,
    kvBytesPerToken,
    localKvBytes,
    kvCapacityBlocks,
  };
}

/**
 * The longest sequence (prompt + output, tokens) one scheduler can hold: with pipeline parallelism
 * the engine runs one virtual engine per stage, each with 1/PP of the blocks (as vLLM's).
 */
function longestSequence(blocks: number, pp: number, blockSize: number): number {
  return Math.floor(blocks / pp) * blockSize;
}

/** Tensor-parallel degrees that split the model's heads and KV heads evenly, up to 64. */
function validTensorParallel(model: ResolvedModelSpec): number[] {
  const degrees: number[] = [];
  for (let degree = 1; degree <= 64; degree++) {
    const kvOk = model.nKvHeads % degree === 0 || degree % model.nKvHeads === 0;
    if (model.nHeads % degree === 0 && kvOk) degrees.push(degree);
  }
  return degrees;
}

/**
 * The fixes that leave room for one sequence of maxContextLength tokens, computed: the smallest
 * tensor-parallel degree at the current pipeline depth that suffices, else the smallest layout
 * (fewest GPUs, then the least pipeline parallelism), up to 64 GPUs; the first lower weight
 * precision that suffices at the current layout; then a bigger GPU.
 */
function fixes(
  model: ResolvedModelSpec,
  cluster: ResolvedClusterSpec,
  parallelism: ResolvedParallelismSpec,
  scheduler: MemoryPlanScheduler,
  sizing: KvCacheSizing,
): string {
  const needed = model.maxContextLength;
  const blockSize = scheduler.kvBlockSize;
  const tp = parallelism.tensorParallelSize;
  const pp = parallelism.pipelineParallelSize;
  const spread = expertSpreadOf(parallelism);
  const options: string[] = [];
  const holds = (candidateTp: number, candidatePp: number) => {
    const budget = memoryBudget(model, cluster, candidateTp, candidatePp, scheduler, sizing, spread);
    return longestSequence(budget.kvCapacityBlocks, candidatePp, blockSize) >= needed ? budget : undefined;
  };
  const degrees = validTensorParallel(model);
  let layout: { tp: number; pp: number; budget: MemoryBudget } | undefined;
  for (const candidateTp of degrees) {
    if (candidateTp <= tp || candidateTp * pp > 64) continue;
    const budget = holds(candidateTp, pp);
    if (budget !== undefined) {
      layout = { tp: candidateTp, pp, budget };
      break;
    }
  }
  for (let gpus = tp * pp + 1; layout === undefined && gpus <= 64; gpus++) {
    for (let candidatePp = 1; candidatePp <= gpus; candidatePp++) {
      const candidateTp = gpus / candidatePp;
      if (!degrees.includes(candidateTp) || model.nLayers % candidatePp !== 0) continue;
      const budget = holds(candidateTp, candidatePp);
      if (budget !== undefined) {
        layout = { tp: candidateTp, pp: candidatePp, budget };
        break;
      }
    }
  }
  if (layout !== undefined) {
    options.push(
      `TP ${layout.tp}${layout.pp > 1 ? ` × PP ${layout.pp}` : ''} (${layout.tp * layout.pp} GPUs: ${count(layout.budget.kvCapacityBlocks * blockSize)} KV tokens)`,
    );
  }
  const precisions: Dtype[] = ['fp8', 'int4'];
  for (const weightDtype of precisions) {
    if (DTYPE_BYTES[weightDtype] >= DTYPE_BYTES[model.weightDtype]) continue;
    // As a config overriding weightDtype would: the classes stored like the weights follow it.
    const quantized = {
      ...model,
      weightDtype,
      expertDtype: model.expertDtype === model.weightDtype ? weightDtype : model.expertDtype,
      embeddingDtype: model.embeddingDtype === model.weightDtype ? weightDtype : model.embeddingDtype,
    };
    const budget = memoryBudget(quantized, cluster, tp, pp, scheduler, sizing, spread);
    if (longestSequence(budget.kvCapacityBlocks, pp, blockSize) >= needed) {
      options.push(
        `weightDtype ${weightDtype} at TP ${tp}${pp > 1 ? ` × PP ${pp}` : ''} (${count(budget.kvCapacityBlocks * blockSize)} KV tokens)`,
      );
      break;
    }
  }
  options.push('a GPU with more memory');
  return options.join(', or ');
}

/** How the usable memory was computed, for the sentences. */
function sizingText(budget: MemoryBudget, sizing: KvCacheSizing, fraction: number): string {
  return sizing === 'fraction-of-free'
    ? `the KV cache gets ${fraction} of what weights, activations and runtime leave free of ${gib(budget.totalBytes)} (TensorRT-LLM's kv_cache_free_gpu_mem_fraction)`
    : `${gib(budget.totalBytes)} × gpuMemoryUtilization ${fraction} = ${gib(budget.usableBytes)} usable`;
}

/**
 * Plans one GPU's memory for a model, GPU, parallel layout and scheduler, with the engine's KV-cache
 * sizing rule (`kvCacheSizing`, default vLLM's `fraction-of-total`).
 */
export function memoryPlan(
  model: ResolvedModelSpec,
  cluster: ResolvedClusterSpec,
  parallelism: ResolvedParallelismSpec,
  scheduler: MemoryPlanScheduler,
  kvCacheSizing: KvCacheSizing = 'fraction-of-total',
): MemoryPlan {
  const tp = parallelism.tensorParallelSize;
  const pp = parallelism.pipelineParallelSize;
  const spread = expertSpreadOf(parallelism);
  const budget = memoryBudget(model, cluster, tp, pp, scheduler, kvCacheSizing, spread);
  const blockSize = scheduler.kvBlockSize;
  const kvCapacityTokens = budget.kvCapacityBlocks * blockSize;
  const fits = budget.kvCapacityBlocks > 0;
  const fraction = scheduler.gpuMemoryUtilization;
  const gpu = cluster.gpuSpec.name;
  const layout = `TP ${tp}, PP ${pp}${spread > 1 ? `, experts spread over groups of ${spread * tp} GPUs` : ''}`;
  const local = budget.localKvBytes > 0 ? ` + sliding-window KV ${gib(budget.localKvBytes)}` : '';
  const parts = `weights ${gib(budget.weightBytes)} + activations ${gib(budget.activationBytes)} + runtime ${gib(RUNTIME_OVERHEAD_BYTES)}${local}`;
  const verdict = fits
    ? `${model.name} on ${gpu} (${layout}): ${sizingText(budget, kvCacheSizing, fraction)}; ${parts} per GPU leave ${gib(budget.kvCacheBytes)} for ${count(kvCapacityTokens)} KV tokens.`
    : `${model.name} does not fit on ${gpu} with ${layout}: ${parts} per GPU leave no room for one KV block of ${blockSize} tokens (${sizingText(budget, kvCacheSizing, fraction)}). Fixes: ${fixes(model, cluster, parallelism, scheduler, kvCacheSizing)}.`;
  const warnings: string[] = [];
  const longest = longestSequence(budget.kvCapacityBlocks, pp, blockSize);
  if (fits && longest < model.maxContextLength) {
    const perEngine = pp > 1 ? ` (${count(longest)} for each of the ${pp} pipeline virtual engines)` : '';
    warnings.push(
      `KV cache holds ${count(kvCapacityTokens)} tokens${perEngine}, less than one max-length sequence (maxContextLength ${count(model.maxContextLength)}): requests longer than ${count(longest)} tokens (prompt + output) will be rejected; use ${fixes(model, cluster, parallelism, scheduler, kvCacheSizing)}, or lower maxContextLength.`,
    );
  }
  return {
    totalBytesPerGpu: budget.totalBytes,
    weightBytesPerGpu: budget.weightBytes,
    activationBytesPerGpu: budget.activationBytes,
    runtimeOverheadBytesPerGpu: RUNTIME_OVERHEAD_BYTES,
    kvCacheSizing,
    usableBytesPerGpu: budget.usableBytes,
    kvCacheBytesPerGpu: budget.kvCacheBytes,
    kvBytesPerToken: budget.kvBytesPerToken,
    localKvBytesPerGpu: budget.localKvBytes,
    kvCapacityTokens,
    kvCapacityBlocks: budget.kvCapacityBlocks,
    blockSize,
    fits,
    verdict,
    warnings,
  };
}

/** The most sequences of `length` tokens (input + output) the KV cache holds at once. */
export function maxConcurrentSequences(plan: MemoryPlan, length: number): number {
  return Math.floor(plan.kvCapacityBlocks / Math.ceil(length / plan.blockSize));
}
