import type { SimulatorConfig } from '@sim/specs';

/** A batching setup the planner tries. */
export interface SchedulerChoice {
  /** Short label, e.g. `continuous` or `chunked-512`. */
  readonly name: string;
  readonly chunkedPrefill: boolean;
  /** Token budget per iteration (and prefill chunk size when chunked). */
  readonly maxNumBatchedTokens?: number;
}

/** What to plan for: a model and workload (the base config), a target load, and latency SLOs. */
export interface PlanRequest {
  /**
   * Model, workload lengths, engine profile, … Its deployment, arrival rate and duration are
   * replaced per candidate; arrivals are Poisson (gamma when the base uses gamma, keeping its
   * burstiness), bounded by `requestsPerRun` and drained.
   */
  readonly base: SimulatorConfig;
  /** Target load, requests per second, over all replicas. */
  readonly targetRate: number;
  /** P99 time-to-first-token SLO, seconds. */
  readonly ttftP99S: number;
  /** P99 time-per-output-token SLO, seconds; without it only TTFT is constrained. */
  readonly tpotP99S?: number;
  /** GPU presets to consider. */
  readonly gpus: readonly string[];
  /** Most GPUs the whole deployment may use. */
  readonly maxGpus: number;
  /** Default [1, 2, 4, 8]. */
  readonly tensorParallelSizes?: readonly number[];
  /** Default [1, 2]. */
  readonly pipelineParallelSizes?: readonly number[];
  /** Default [64, 128, 256]. */
  readonly maxBatchSizes?: readonly number[];
  /** Default: continuous (vLLM v0), chunked prefill with 512 and 2048-token budgets. */
  readonly schedulers?: readonly SchedulerChoice[];
  /** Requests per simulation in the rate search. Default 400. */
  readonly requestsPerRun?: number;
  /**
   * Also search disaggregated prefill/decode groups: every pair of GPUs (prefill, decode), each TP,
   * and prefill:decode instance splits (default [[1, 1], [1, 2], [2, 1], [1, 3], [3, 1], [2, 3]]),
   * with the first scheduler choice that chunks prefills. Default false.
   */
  readonly disaggregated?: boolean;
  /** Prefill:decode instance counts of a group to try. */
  readonly disaggregationSplits?: readonly (readonly [prefill: number, decode: number])[];
  /**
   * For an MoE model, also search expert-parallel groups (`parallelismSpec.expertParallel`): each
   * GPU and TP with `expertParallelReplicas` replicas per group (default [2, 4, 8]), the largest
   * batch cap and the first scheduler choice that chunks prefills. Default false.
   */
  readonly expertParallel?: boolean;
  /** Replicas per expert-parallel group to try. */
  readonly expertParallelReplicas?: readonly number[];
}

/** One pool of a disaggregated candidate: instances of one GPU type and TP. */
export interface PoolLayout {
  readonly gpu: string;
  readonly tensorParallelSize: number;
  readonly replicas: number;
}

/** One replica layout the planner evaluates. */
export interface Candidate {
  readonly gpu: string;
  readonly tensorParallelSize: number;
  readonly pipelineParallelSize: number;
  readonly maxBatchSize: number;
  readonly scheduler: SchedulerChoice;
  /** TP × PP; with `disaggregation`, the GPUs of the whole prefill/decode group. */
  readonly gpusPerReplica: number;
  /**
   * A disaggregated group instead of one replica (`gpu` and `tensorParallelSize` are then its
   * prefill pool's): the unit the planner replicates.
   */
  readonly disaggregation?: { readonly prefill: PoolLayout; readonly decode: PoolLayout };
  /**
   * An expert-parallel group of this many replicas (TP GPUs each) instead of one replica: the unit
   * the planner replicates (`gpusPerReplica` is the group's GPUs). Absent: no expert parallelism.
   */
  readonly expertParallelReplicas?: number;
  /**
   * With the base config's `speculativeSpec`: whether this candidate uses it (the planner tries
   * both). Absent when the base config has none.
   */
  readonly speculative?: boolean;
}

/** The rate search's outcome for one candidate. */
export interface CandidateEvaluation {
  readonly candidate: Candidate;
  /**
   * Highest arrival rate (req/s) one replica sustains within the SLOs, found above the target too
   * (within ~3%); 0 when none does.
   */
  readonly maxRatePerReplica: number;
  /**
   * True when the replica met the SLOs even at the search's highest rate (the target × 64): the
   * real maximum is at least `maxRatePerReplica`.
   */
  readonly maxRateIsLowerBound: boolean;
  /** Replicas needed for the target rate (Infinity when infeasible). */
  readonly replicas: number;
  /** Simulations run for this candidate. */
  readonly simulations: number;
  /** P99 TTFT and TPOT (s) of one replica at its share of the target rate (NaN when infeasible). */
  readonly ttftP99AtTargetS: number;
  readonly tpotP99AtTargetS: number;
  /** Mean output tokens per request in the workload (for $ per token). */
  readonly meanOutputTokens: number;
  /** Smallest SLO violation seen over the runs: max(p99 TTFT / SLO, p99 TPOT / SLO) (≤ 1 means it met them). */
  readonly bestViolation: number;
  /** P99 TTFT and TPOT (s) of the run with the smallest violation (NaN if every run stopped early). */
  readonly bestTtftP99S: number;
  readonly bestTpotP99S: number;
}

/** A ranked deployment. */
export interface PlanRow {
  readonly evaluation: CandidateEvaluation;
  readonly totalGpus: number;
  /** On-demand $/hour for all GPUs; NaN when the GPU preset has no price. */
  readonly costPerHour: number;
  /** $ per million output tokens at the target rate; NaN without a price. */
  readonly costPerMillionOutputTokens: number;
  /** On the cost vs P99 TTFT Pareto frontier. */
  readonly pareto: boolean;
}

/** The planner's answer. */
export interface PlanResult {
  /** Feasible deployments within the GPU budget, cheapest first (by $/hour, then GPUs, then P99 TTFT). */
  readonly rows: readonly PlanRow[];
  /** Candidates that meet the SLOs per replica but need more GPUs than allowed. */
  readonly overBudget: readonly CandidateEvaluation[];
  /** When nothing is feasible: the candidate closest to meeting the SLOs, and by how much it misses. */
  readonly closest?: CandidateEvaluation;
}
