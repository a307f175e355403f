import type { ConfigInput } from './config-input';
import type { BUILT_IN_ROUTERS } from './name-registry';
/**
 * How requests are spread over the data-parallel replicas: a built-in router, or any name registered
 * with @sim/engine's `registerRouter` (the `string & {}` keeps editors completing the built-ins).
 */
export type RouterPolicy = (typeof BUILT_IN_ROUTERS)[number] | (string & {});

/**
 * Weights of the `scored` router (llm-d style): each replica's score is
 * prefix × (share of the prompt the router believes it caches) + load × (its requests in flight
 * relative to the others, 1 for the least loaded) + kv × (share of its KV blocks free); the highest
 * score wins. Each term lies in [0, 1]; weights are ≥ 0.
 */
export interface RouterWeights {
  readonly prefix: number;
  readonly load: number;
  readonly kv: number;
}

/** Settings of the router beyond its name, fully resolved. */
export interface ResolvedRouterOptions {
  /** The `scored` router's weights. Default prefix 3, load 2, kv 2 (assumed, not fitted). */
  readonly weights: RouterWeights;
  /**
   * Seconds between the router's refreshes of what each replica's engine reports (KV blocks in
   * use, requests waiting), as a router scraping engine metrics sees them: in between it routes by
   * the last refresh. 0 (default): always current. What the router knows by itself (the requests it
   * has in flight per replica, the prefixes it routed where) is always current.
   */
  readonly stalenessS: number;
}

/** A router with settings, as written: `{ type: 'scored', weights: { prefix: 3, load: 1 } }`. */
export interface RouterSpecInput {
  /** The router's name (see {@link RouterPolicy}). */
  type: RouterPolicy;
  /** Only for `scored`: weights, each defaulting as in {@link ResolvedRouterOptions}. */
  weights?: Partial<RouterWeights>;
  /** See {@link ResolvedRouterOptions.stalenessS}. */
  stalenessS?: number;
}

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
  /** The router's weights and staleness (written inside `router` as an object; see {@link RouterSpecInput}). */
  readonly routerOptions: ResolvedRouterOptions;
  /**
   * Expert parallelism for an MoE model (vLLM's `--enable-expert-parallel`): the routed experts are
   * spread whole over all dataParallelSize × tensorParallelSize GPUs (each holds numExperts / that
   * many, and the attention and dense weights of its replica's TP shard), and every MoE layer
   * dispatches each token to the GPUs of its experts and combines the results (two all-to-alls).
   * The replicas are assumed equally loaded: each GPU's experts serve every replica's tokens as if
   * the others ran the same batch. With `disaggregation` it applies inside each pool (over its
   * replicas × TP). Default false (experts split by TP inside each replica).
   */
  readonly expertParallel: boolean;
  /**
   * With expertParallel: the GPUs one expert-parallel group spans, a multiple of tensorParallelSize
   * that divides dataParallelSize × tensorParallelSize; the replicas form groups of
   * expertParallelSize / tensorParallelSize, each spreading the experts over its own GPUs (several
   * independent vLLM EP deployments behind one router). Default (and always without expert
   * parallelism): dataParallelSize × tensorParallelSize, one group.
   */
  readonly expertParallelSize: number;
  /**
   * With expertParallel: the busiest GPU's routed tokens over the mean (routing skew; the MoE layer
   * waits for it). Default 1 (uniform routing).
   */
  readonly expertImbalance: number;
}

/**
 * Parallelism as the user writes it; every field defaults (1 / round-robin). `router` is a name,
 * or an object with the name as `type` and the router's settings.
 */
export type ParallelismSpec = ConfigInput<Omit<ResolvedParallelismSpec, 'router' | 'routerOptions'>> & {
  router?: RouterPolicy | RouterSpecInput;
};
