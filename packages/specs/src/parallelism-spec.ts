import type { ConfigInput } from './config-input';
import type { BUILT_IN_ROUTERS } from './name-registry';
/**
 * How requests are spread over the data-parallel replicas: a built-in router, or any name registered
 * with @sim/engine's `registerRouter` (the `string & {}` keeps editors completing the built-ins).
 */
export type RouterPolicy = (typeof BUILT_IN_ROUTERS)[number] | (string & {});

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
