import type {
  ResolvedClusterSpec,
  ResolvedModelSpec,
  ResolvedParallelismSpec,
  ResolvedSchedulerSpec,
} from '@sim/specs';
import { DTYPE_BYTES } from '@sim/specs';
import { layerGeometry } from './layer-geometry';

/** Memory the runtime keeps outside weights, activations and KV cache: CUDA context, cuBLAS/NCCL workspaces, CUDA graphs. */
export const RUNTIME_OVERHEAD_BYTES = 1.0 * 2 ** 30;

/** Where each GPU's memory goes, and how much KV cache remains. All sizes in bytes, per GPU. */
export interface MemoryPlan {
  /** Bytes of weights one GPU holds: nParams × bytes per weight / (TP × PP). */
  readonly weightBytesPerGpu: number;
  /** Peak activation memory of a forward pass over maxNumBatchedTokens tokens plus the fp32 logits of maxBatchSize sequences. */
  readonly activationBytesPerGpu: number;
  /** {@link RUNTIME_OVERHEAD_BYTES}. */
  readonly runtimeOverheadBytesPerGpu: number;
  /** memorySizeGb × 10⁹ × gpuMemoryUtilization. */
  readonly usableBytesPerGpu: number;
  /** What remains for the KV cache (0 when nothing remains). */
  readonly kvCacheBytesPerGpu: number;
  /** KV-cache bytes one token occupies on one GPU (its stage's layers, its TP share of KV heads). */
  readonly kvBytesPerToken: number;
  /** Tokens the KV cache holds (whole blocks). */
  readonly kvCapacityTokens: number;
  /** KV blocks of `blockSize` tokens. */
  readonly kvCapacityBlocks: number;
  /** Tokens per block. */
  readonly blockSize: number;
  /** True when weights, activations and overhead fit in the usable memory with room for at least one block. */
  readonly fits: boolean;
  /** One human-readable sentence: the numbers, and the fixes when it does not fit. */
  readonly verdict: string;
}

const gb = (bytes: number) => `${(bytes / 1e9).toFixed(1)} GB`;

/** Plans one GPU's memory for a model, GPU, parallel layout and scheduler. */
export function memoryPlan(
  model: ResolvedModelSpec,
  cluster: ResolvedClusterSpec,
  parallelism: ResolvedParallelismSpec,
  scheduler: Pick<
    ResolvedSchedulerSpec,
    'gpuMemoryUtilization' | 'kvBlockSize' | 'maxNumBatchedTokens' | 'maxBatchSize'
  >,
): MemoryPlan {
  const tp = parallelism.tensorParallelSize;
  const pp = parallelism.pipelineParallelSize;
  const geometry = layerGeometry(model, tp);
  const weightBytesPerGpu = (model.nParams * DTYPE_BYTES[model.weightDtype]) / (tp * pp);
  const tokens = scheduler.maxNumBatchedTokens;
  const activationBytesPerGpu =
    tokens * (2 * geometry.hiddenSize + geometry.qkvWidth + geometry.upWidth + geometry.ffnPerRank) * 2 +
    scheduler.maxBatchSize * model.vocabSize * 4;
  const usableBytesPerGpu = cluster.gpuSpec.memorySizeGb * 1e9 * scheduler.gpuMemoryUtilization;
  const kvCacheBytesPerGpu = Math.max(
    0,
    usableBytesPerGpu - weightBytesPerGpu - activationBytesPerGpu - RUNTIME_OVERHEAD_BYTES,
  );
  const kvBytesPerToken = (model.nLayers / pp) * geometry.kvBytesPerTokenPerLayer;
  const blockSize = scheduler.kvBlockSize;
  const kvCapacityBlocks = Math.floor(kvCacheBytesPerGpu / (kvBytesPerToken * blockSize));
  const kvCapacityTokens = kvCapacityBlocks * blockSize;
  const fits = kvCapacityBlocks > 0;
  const needed = weightBytesPerGpu + activationBytesPerGpu + RUNTIME_OVERHEAD_BYTES;
  const verdict = fits
    ? `${model.name} on ${cluster.gpuSpec.name} (TP ${tp}, PP ${pp}): weights ${gb(weightBytesPerGpu)} + activations ${gb(activationBytesPerGpu)} + runtime ${gb(RUNTIME_OVERHEAD_BYTES)} per GPU leave ${gb(kvCacheBytesPerGpu)} for ${kvCapacityTokens.toLocaleString('en-US')} KV tokens.`
    : `${model.name} does not fit on ${cluster.gpuSpec.name} with TP ${tp} × PP ${pp}: it needs ${gb(needed)} per GPU (weights ${gb(weightBytesPerGpu)}) but only ${gb(usableBytesPerGpu)} is usable (${cluster.gpuSpec.memorySizeGb} GB × ${scheduler.gpuMemoryUtilization}). Fixes: a GPU with more memory, more tensor or pipeline parallelism (TP ${tp * Math.max(2, Math.ceil(needed / usableBytesPerGpu))}?), or lower precision (weightDtype fp8/int8/int4).`;
  return {
    weightBytesPerGpu,
    activationBytesPerGpu,
    runtimeOverheadBytesPerGpu: RUNTIME_OVERHEAD_BYTES,
    usableBytesPerGpu,
    kvCacheBytesPerGpu,
    kvBytesPerToken,
    kvCapacityTokens,
    kvCapacityBlocks,
    blockSize,
    fits,
    verdict,
  };
}

/** The most sequences of `length` tokens (input + output) the KV cache holds at once. */
export function maxConcurrentSequences(plan: MemoryPlan, length: number): number {
  return Math.floor(plan.kvCapacityBlocks / Math.ceil(length / plan.blockSize));
}
