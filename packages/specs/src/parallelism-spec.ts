import type { ConfigInput } from './config-input';
/** How requests are spread over the data-parallel replicas. */
export type RouterPolicy = 'round-robin' | 'least-outstanding' | 'least-kv';

/** How the model is split over the cluster's GPUs, fully resolved. TP × PP × DP = GPUs in the cluster. */
export interface ResolvedParallelismSpec {
  /** Tensor-parallel degree: each layer's weights and heads split over this many GPUs. Default 1. */
  readonly tensorParallelSize: number;
  /** Pipeline-parallel degree: layers split into this many consecutive stages. Default 1. */
  readonly pipelineParallelSize: number;
  /** Data-parallel degree: independent model replicas behind a router. Default 1. */
  readonly dataParallelSize: number;
  /** How the router picks a replica for each arriving request. Default `round-robin`. */
  readonly router: RouterPolicy;
}

/** Parallelism as the user writes it; every field defaults (1 / round-robin). */
export type ParallelismSpec = ConfigInput<ResolvedParallelismSpec>;
