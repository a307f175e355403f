import type { PerfModel } from '@sim/perf-model';
import type { ResolvedConfig, ResolvedDisaggregation, ResolvedPool } from '@sim/specs';
import type { DistributionSummary } from './distribution';
import type { IterationExecutor } from './iteration-executor';
import type { ReplicaRouter } from './replica-router';
import type { Replica } from './virtual-engine';

/**
 * A pool of identical replicas with one router: the whole deployment (`unified`), or one side of a
 * disaggregated one (`prefill`: prompts and first tokens; `decode`: the rest). Each pool has its
 * own config (GPU, TP, replicas, scheduler), perf model, router and iteration executor; its
 * replicas sit at `offset`… in the run's list of replicas (the indices the ledger records).
 */
export interface ServingPool {
  readonly role: 'unified' | 'prefill' | 'decode';
  readonly config: ResolvedConfig;
  readonly perf: PerfModel;
  readonly replicas: readonly Replica[];
  readonly offset: number;
  readonly router: ReplicaRouter;
  readonly executor: IterationExecutor;
  /** KV blocks of each of its schedulers. */
  readonly blocksPerEngine: number;
}

/** What `statistics.disaggregation` reports of one pool (see docs/metrics.md). */
export interface PoolStatistics {
  /** Instances in the pool. */
  readonly replicas: number;
  /** GPUs in the pool (instances × TP). */
  readonly gpus: number;
  /** The pool's GPU. */
  readonly gpu: string;
  /** Requests it was sent (prefill: arrivals not rejected; decode: requests whose KV it received). */
  readonly requests: number;
  /** Busy fraction of its GPUs (as the overall `gpuUtilization`, over this pool's instances). */
  readonly gpuUtilization: number;
  /**
   * Time-averaged requests waiting: prefill, in its schedulers' queues; decode, whose KV is on its
   * way or has arrived without KV blocks free to take it.
   */
  readonly meanQueueLength: number;
  /** Weights and KV cache per GPU, GB, and the tokens one instance's KV cache holds. */
  readonly weightGbPerGpu: number;
  readonly kvCacheGbPerGpu: number;
  readonly kvCapacityTokens: number;
}

/** `statistics.disaggregation`: the KV transfers and each pool. */
export interface DisaggregationStatistics {
  /**
   * Seconds between a request's first token on its prefill instance and its KV cache being on its
   * decode instance (the transfer the prefill did not hide), measured requests that were handed over.
   */
  readonly kvTransferTime: DistributionSummary;
  readonly prefill: PoolStatistics;
  readonly decode: PoolStatistics;
}

/** The config one pool runs: its GPU, TP, replicas and scheduler (no disaggregation of its own). */
export function poolConfig(config: ResolvedConfig, pool: ResolvedPool): ResolvedConfig {
  const { disaggregation: _whole, ...rest } = config;
  return {
    ...rest,
    clusterSpec: {
      ...config.clusterSpec,
      gpuSpec: pool.gpuSpec,
      nGpusPerNode: pool.tensorParallelSize * pool.replicas,
      nNodes: 1,
    },
    parallelismSpec: {
      ...config.parallelismSpec,
      tensorParallelSize: pool.tensorParallelSize,
      pipelineParallelSize: 1,
      dataParallelSize: pool.replicas,
      // Expert parallelism, if on, spans the pool's GPUs.
      expertParallelSize: pool.tensorParallelSize * pool.replicas,
    },
    schedulerSpec: pool.schedulerSpec,
  };
}

/**
 * Seconds a request's KV transfer adds after its prefill: its prompt's KV (`tokens` × the bytes per
 * token of all the prefill instance's GPUs) over `kvTransferBandwidthGbs`; layer-pipelined, the
 * layers move while later ones are computed, so only what the prefill (`prefillS`, from its first
 * scheduling to its first token) could not hide remains, and at least the last layer's share.
 */
export function kvTransferSeconds(
  prefill: PerfModel,
  disaggregation: ResolvedDisaggregation,
  tokens: number,
  prefillS: number,
  layers: number,
): number {
  const bytes = tokens * prefill.memory.kvBytesPerToken * prefill.gpusPerReplica;
  const seconds = bytes / (disaggregation.kvTransferBandwidthGbs * 1e9);
  if (disaggregation.kvTransfer === 'after-prefill') return seconds;
  return Math.max(seconds / layers, seconds - prefillS);
}

/** Σ over the pools of their GPUs' peak FLOP/s and bytes/s (the denominators of MFU and MBU). */
export function peakCapacity(pools: readonly ServingPool[]): {
  readonly flopsPerSecond: number;
  readonly bytesPerSecond: number;
} {
  let flopsPerSecond = 0;
  let bytesPerSecond = 0;
  for (const pool of pools) {
    const gpus = pool.perf.gpusPerReplica * pool.replicas.length;
    flopsPerSecond += pool.perf.peaks.flopsPerSecond * gpus;
    bytesPerSecond += pool.perf.peaks.bytesPerSecond * gpus;
  }
  return { flopsPerSecond, bytesPerSecond };
}
