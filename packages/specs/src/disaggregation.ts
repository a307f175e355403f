import type { GPUSpec, ResolvedGPUSpec } from './gpu-spec';
import type { ResolvedSchedulerSpec, SchedulerSpec } from './scheduler-spec';

/** How a request's KV cache moves from its prefill instance to its decode instance. */
export type KvTransferMode = 'after-prefill' | 'layer-pipelined';

/** One pool of a disaggregated deployment, fully resolved. */
export interface ResolvedPool {
  /** Instances in the pool (each a model replica). */
  readonly replicas: number;
  /** Tensor-parallel degree of each instance (GPUs per instance). */
  readonly tensorParallelSize: number;
  /** The pool's GPU. Default `clusterSpec.gpuSpec` (pools may use different GPUs). */
  readonly gpuSpec: ResolvedGPUSpec;
  /** The pool's scheduler: the config's `schedulerSpec` with the pool's own fields over it. */
  readonly schedulerSpec: ResolvedSchedulerSpec;
}

/**
 * Disaggregated prefill and decode (Splitwise, DistServe, Mooncake, llm-d / vLLM P/D): prefill
 * instances compute each prompt and its first token; the KV cache then moves to a decode instance,
 * which generates the rest. Requests reach prefill instances through `parallelismSpec.router`;
 * decode instances are chosen by their KV use (`least-kv`) when the transfer starts. The two pools'
 * GPUs together are the cluster's (`clusterSpec.nGpusPerNode × nNodes`); `parallelismSpec`'s
 * degrees stay 1 (each pool has its own).
 */
export interface ResolvedDisaggregation {
  readonly prefill: ResolvedPool;
  readonly decode: ResolvedPool;
  /**
   * Bandwidth of one request's KV transfer, GB/s (10⁹ bytes/s). Default: the slower pool's GPU
   * link (`interconnectBandwidthGbs`, NVLink) within one node, `clusterSpec.interNodeBandwidthGbs`
   * across nodes, times the smaller of the two tensor-parallel degrees (the shards move in parallel).
   */
  readonly kvTransferBandwidthGbs: number;
  /**
   * `after-prefill` (default, vLLM's NIXL connector: the decode instance pulls the whole KV once
   * the prefill is done) or `layer-pipelined` (each layer's KV leaves as soon as it is computed:
   * only the part the prefill could not hide is added).
   */
  readonly kvTransfer: KvTransferMode;
}

/** A pool as written: replicas and TP required, GPU and scheduler optional. */
export interface PoolInput {
  replicas: number;
  tensorParallelSize: number;
  gpuSpec?: GPUSpec;
  schedulerSpec?: SchedulerSpec;
}

/** {@link ResolvedDisaggregation} as written. */
export interface DisaggregationInput {
  prefill: PoolInput;
  decode: PoolInput;
  kvTransferBandwidthGbs?: number;
  kvTransfer?: KvTransferMode;
}
