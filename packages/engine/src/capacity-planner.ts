import { createPerfModel } from '@sim/perf-model';
import {
  findGpuPreset,
  GPU_PRESETS,
  type ResolvedConfig,
  resolveConfig,
  SimError,
  type SimulatorConfig,
} from '@sim/specs';
import { Simulation } from './simulation';

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
}

/** One replica layout the planner evaluates. */
export interface Candidate {
  readonly gpu: string;
  readonly tensorParallelSize: number;
  readonly pipelineParallelSize: number;
  readonly maxBatchSize: number;
  readonly scheduler: SchedulerChoice;
  /** TP × PP. */
  readonly gpusPerReplica: number;
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

const DEFAULT_SCHEDULERS: readonly SchedulerChoice[] = [
  { name: 'continuous', chunkedPrefill: false },
  { name: 'chunked-512', chunkedPrefill: true, maxNumBatchedTokens: 512 },
  { name: 'chunked-2048', chunkedPrefill: true, maxNumBatchedTokens: 2048 },
];

/** The config of one candidate replica at an arrival rate. */
export function candidateConfig(request: PlanRequest, candidate: Candidate, rate: number): SimulatorConfig {
  // Runs are bounded by numRequests only (the default duration is then unbounded).
  const { simulationDurationS: _duration, ...base } = request.base;
  return {
    ...base,
    clusterSpec: {
      ...base.clusterSpec,
      gpuSpec: { name: candidate.gpu },
      nGpusPerNode: candidate.gpusPerReplica,
      nNodes: 1,
    },
    parallelismSpec: {
      tensorParallelSize: candidate.tensorParallelSize,
      pipelineParallelSize: candidate.pipelineParallelSize,
      dataParallelSize: 1,
    },
    schedulerSpec: {
      ...base.schedulerSpec,
      batchingType: 'continuous',
      maxBatchSize: candidate.maxBatchSize,
      chunkedPrefill: candidate.scheduler.chunkedPrefill,
      ...(candidate.scheduler.maxNumBatchedTokens === undefined
        ? {}
        : {
            maxNumBatchedTokens: candidate.scheduler.maxNumBatchedTokens,
            prefillChunkSize: candidate.scheduler.maxNumBatchedTokens,
          }),
    },
    workloadSpec: {
      ...base.workloadSpec,
      arrivalRate: rate,
      arrivalProcess: base.workloadSpec?.arrivalProcess === 'gamma' ? 'gamma' : 'poisson',
      numRequests: request.requestsPerRun ?? 400,
    },
    drain: true,
    slo: {
      ttftS: request.ttftP99S,
      ...(request.tpotP99S === undefined ? {} : { tpotS: request.tpotP99S }),
    },
  };
}

/** Reason given for a candidate whose weights (and activations) do not fit in its GPUs' memory. */
export const WEIGHTS_DO_NOT_FIT = 'weights do not fit';

/** Search defaults when the request does not name its own. */
const DEFAULT_TENSOR_SIZES = [1, 2, 4, 8];
const DEFAULT_PIPELINE_SIZES = [1, 2];
const DEFAULT_BATCH_CAPS = [64, 128, 256];

/** A candidate replica layout (its GPU count follows from TP × PP). */
function candidateOf(
  gpu: string,
  tensorParallelSize: number,
  pipelineParallelSize: number,
  maxBatchSize: number,
  scheduler: SchedulerChoice,
): Candidate {
  return {
    gpu,
    tensorParallelSize,
    pipelineParallelSize,
    maxBatchSize,
    scheduler,
    gpusPerReplica: tensorParallelSize * pipelineParallelSize,
  };
}

/**
 * Every candidate of the search space, and the ones pruned before simulating (weights that do not
 * fit, TP that does not divide the heads, more GPUs than allowed, unknown GPU), with the reason.
 * When no candidate holds the weights, `smallestFitting` is the deployment with the fewest GPUs
 * (then the lowest price) that would, looking beyond `maxGpus` and, if none of the requested GPUs
 * can, at every GPU preset; undefined when even that finds none.
 */
export function enumerateCandidates(request: PlanRequest): {
  candidates: Candidate[];
  pruned: { candidate: Candidate; reason: string }[];
  smallestFitting?: Candidate;
} {
  const candidates: Candidate[] = [];
  const pruned: { candidate: Candidate; reason: string }[] = [];
  for (const requested of request.gpus) {
    const gpu = findGpuPreset(requested)?.name ?? requested; // aliases (`H100`) become preset names
    for (const tensorParallelSize of request.tensorParallelSizes ?? DEFAULT_TENSOR_SIZES) {
      for (const pipelineParallelSize of request.pipelineParallelSizes ?? DEFAULT_PIPELINE_SIZES) {
        for (const maxBatchSize of request.maxBatchSizes ?? DEFAULT_BATCH_CAPS) {
          for (const scheduler of request.schedulers ?? DEFAULT_SCHEDULERS) {
            const candidate = candidateOf(
              gpu,
              tensorParallelSize,
              pipelineParallelSize,
              maxBatchSize,
              scheduler,
            );
            const reason = pruneReason(request, candidate);
            if (reason === undefined) candidates.push(candidate);
            else pruned.push({ candidate, reason });
          }
        }
      }
    }
  }
  if (candidates.length > 0) return { candidates, pruned };
  const smallestFitting = smallestFittingDeployment(request);
  return smallestFitting === undefined ? { candidates, pruned } : { candidates, pruned, smallestFitting };
}

function pruneReason(request: PlanRequest, candidate: Candidate): string | undefined {
  if (findGpuPreset(candidate.gpu) === undefined) return `unknown GPU preset "${candidate.gpu}"`;
  if (candidate.gpusPerReplica > request.maxGpus)
    return `needs ${candidate.gpusPerReplica} GPUs > max ${request.maxGpus}`;
  return memoryPruneReason(request, candidate);
}

/** Why the candidate cannot run before any simulation (bad config, weights do not fit), or undefined. */
function memoryPruneReason(request: PlanRequest, candidate: Candidate): string | undefined {
  let config: ResolvedConfig;
  try {
    config = resolveConfig(candidateConfig(request, candidate, 1));
  } catch (error) {
    return error instanceof SimError ? error.message.split('\n').slice(-1)[0]?.trim() : String(error);
  }
  // The memory plan alone decides this (a Simulation would also build the workload and policies).
  return createPerfModel(config).memory.fits ? undefined : WEIGHTS_DO_NOT_FIT;
}

/**
 * The deployment with the fewest GPUs (then the lowest $/hour) whose weights fit, ignoring
 * `maxGpus`: among the requested GPUs first, then among every GPU preset.
 */
function smallestFittingDeployment(request: PlanRequest): Candidate | undefined {
  const scheduler = (request.schedulers ?? DEFAULT_SCHEDULERS)[0] as SchedulerChoice;
  const maxBatchSize = Math.min(...(request.maxBatchSizes ?? DEFAULT_BATCH_CAPS));
  const tensorSizes = [...new Set([...(request.tensorParallelSizes ?? []), ...DEFAULT_TENSOR_SIZES])];
  const search = (gpus: readonly string[]): Candidate | undefined => {
    const layouts: Candidate[] = [];
    for (const requested of gpus) {
      const gpu = findGpuPreset(requested)?.name;
      if (gpu === undefined) continue;
      // Only depths the search itself tries, so "rerun with --max-gpus N" finds it.
      for (const tensorParallelSize of tensorSizes)
        for (const pipelineParallelSize of request.pipelineParallelSizes ?? DEFAULT_PIPELINE_SIZES)
          layouts.push(candidateOf(gpu, tensorParallelSize, pipelineParallelSize, maxBatchSize, scheduler));
    }
    const price = (candidate: Candidate) =>
      (findGpuPreset(candidate.gpu)?.pricePerHour || Number.POSITIVE_INFINITY) * candidate.gpusPerReplica;
    layouts.sort(
      (a, b) =>
        a.gpusPerReplica - b.gpusPerReplica ||
        price(a) - price(b) ||
        a.pipelineParallelSize - b.pipelineParallelSize,
    );
    return layouts.find((candidate) => memoryPruneReason(request, candidate) === undefined);
  };
  return search(request.gpus) ?? search(Object.keys(GPU_PRESETS));
}

/** The outcome of one simulation in the rate search. */
export interface Trial {
  readonly pass: boolean;
  readonly ttftP99S: number;
  readonly tpotP99S: number;
  readonly violation: number;
  readonly meanOutputTokens: number;
}

/**
 * A trial's arrivals must last this many mean end-to-end latencies: a burst shorter than a few
 * request lifetimes fits in the batch and the KV cache and says nothing about sustained load.
 */
const LIFETIMES_PER_TRIAL = 8;
/** Most requests one trial simulates while lengthening itself to LIFETIMES_PER_TRIAL. */
const MAX_TRIAL_REQUESTS = 20_000;

/**
 * Simulations of a candidate at a rate: does one replica sustain it within the SLOs (and reject
 * almost nothing)? The run is lengthened until its arrivals span {@link LIFETIMES_PER_TRIAL} mean
 * request lifetimes (at most {@link MAX_TRIAL_REQUESTS} requests; a rate that still needs more
 * fails, as unproven), and it fails when the engine calls it overloaded (queue growth or waiting
 * times), so a short burst that the batch absorbs is not taken for capacity.
 */
export function trial(request: PlanRequest, candidate: Candidate, rate: number, stopEarly = true): Trial {
  const base = candidateConfig(request, candidate, rate);
  let requests = request.requestsPerRun ?? 400;
  for (;;) {
    const config = resolveConfig({ ...base, workloadSpec: { ...base.workloadSpec, numRequests: requests } });
    const simulation = new Simulation(
      config,
      stopEarly ? { stopAfterSloMisses: Math.floor(0.01 * requests) } : {},
    );
    while (simulation.step(100_000)) {
      // run to the end or until clearly over capacity
    }
    if (simulation.stoppedEarly)
      return {
        pass: false,
        ttftP99S: Number.NaN,
        tpotP99S: Number.NaN,
        violation: Number.POSITIVE_INFINITY,
        meanOutputTokens: Number.NaN,
      };
    const statistics = simulation.finish().computeStatistics();
    const lifetime = statistics.endToEndLatency.mean;
    const needed = Math.ceil(1.25 * rate * LIFETIMES_PER_TRIAL * lifetime);
    const tooShort = requests / rate < LIFETIMES_PER_TRIAL * lifetime;
    if (tooShort && requests < MAX_TRIAL_REQUESTS) {
      requests = Math.min(MAX_TRIAL_REQUESTS, Math.max(needed, 2 * requests));
      continue;
    }
    const ttft = statistics.firstTokenLatency.p99;
    const tpot = statistics.timePerOutputToken.p99;
    const violation = Math.max(
      ttft / request.ttftP99S,
      request.tpotP99S === undefined ? 0 : tpot / request.tpotP99S,
    );
    const rejectedTooMany = statistics.rejectedRequests > 0.01 * statistics.totalRequests;
    const overloaded = statistics.warnings.some((warning) => warning.startsWith('Overloaded'));
    const unsustained = tooShort || overloaded;
    return {
      pass: violation <= 1 && !rejectedTooMany && !unsustained && statistics.completedRequests > 0,
      ttftP99S: ttft,
      tpotP99S: tpot,
      violation: rejectedTooMany || unsustained ? Number.POSITIVE_INFINITY : violation,
      meanOutputTokens:
        statistics.completedRequests > 0
          ? statistics.outputTokens / statistics.completedRequests
          : Number.NaN,
    };
  }
}

/** Geometric bisection steps after bracketing below the target (each halves the log-interval: 8 steps ≈ 3% on a 1024× range). */
const BISECTION_STEPS = 8;
/** The search's lowest rate, as a fraction of the target. */
const LOWEST_FRACTION = 1 / 1024;
/** Above the target the search doubles the rate, at most this many times (up to the target × 64). */
const MAX_DOUBLINGS = 6;
/** Bisection steps within one doubling above the target (5 halvings of a 2× interval ≈ 2%). */
const UPPER_BISECTION_STEPS = 5;

/**
 * Finds the highest arrival rate one replica of the candidate sustains within the SLOs. It first
 * simulates the target rate. When one replica meets the SLOs there, it doubles the rate until a run
 * fails (at most to the target × 64) and bisects the last doubling, so the reported maximum is the
 * replica's own and not the target. Otherwise it bisects geometrically between target/1024 and the
 * target. Each step is a full simulation that stops early once it is clearly over capacity. Then it
 * re-simulates one replica at its share of the target rate for the P99s.
 */
export function evaluateCandidate(request: PlanRequest, candidate: Candidate): CandidateEvaluation {
  const target = request.targetRate;
  let simulations = 0;
  let bestTrial: Trial | undefined;
  let maxRate = 0;
  let maxRateIsLowerBound = false;
  let meanOutputTokens = Number.NaN;
  const run = (rate: number, stopEarly = true) => {
    simulations++;
    const outcome = trial(request, candidate, rate, stopEarly);
    if (bestTrial === undefined || outcome.violation < bestTrial.violation) bestTrial = outcome;
    return outcome;
  };
  /** Geometric bisection of [low, high] where low passes and high fails; returns the last passing rate. */
  const bisect = (low: number, high: number, steps: number) => {
    for (let step = 0; step < steps; step++) {
      const middle = Math.sqrt(low * high);
      const outcome = run(middle);
      if (outcome.pass) {
        low = middle;
        meanOutputTokens = outcome.meanOutputTokens;
      } else high = middle;
    }
    return low;
  };
  const atTarget = run(target);
  if (atTarget.pass) {
    meanOutputTokens = atTarget.meanOutputTokens;
    let low = target;
    let high: number | undefined;
    for (let doubling = 0; doubling < MAX_DOUBLINGS && high === undefined; doubling++) {
      const outcome = run(low * 2);
      if (outcome.pass) low *= 2;
      else high = low * 2;
    }
    if (high === undefined) {
      maxRate = low;
      maxRateIsLowerBound = true;
    } else maxRate = bisect(low, high, UPPER_BISECTION_STEPS);
    // The P99s at the target use the target's own run, whatever rate the search went up to.
    meanOutputTokens = atTarget.meanOutputTokens;
  } else {
    const low = target * LOWEST_FRACTION;
    // Run the lowest rate to the end: if even it misses, its P99s say by how much (the "closest" answer).
    const lowest = run(low, false);
    if (lowest.pass) {
      meanOutputTokens = lowest.meanOutputTokens;
      maxRate = bisect(low, target, BISECTION_STEPS);
    }
  }
  const evaluation = (replicas: number, share: Trial | undefined): CandidateEvaluation => ({
    candidate,
    maxRatePerReplica: maxRate,
    maxRateIsLowerBound,
    replicas,
    simulations,
    ttftP99AtTargetS: share?.ttftP99S ?? Number.NaN,
    tpotP99AtTargetS: share?.tpotP99S ?? Number.NaN,
    meanOutputTokens,
    bestViolation: bestTrial?.violation ?? Number.POSITIVE_INFINITY,
    bestTtftP99S: bestTrial?.ttftP99S ?? Number.NaN,
    bestTpotP99S: bestTrial?.tpotP99S ?? Number.NaN,
  });
  if (maxRate <= 0) return evaluation(Number.POSITIVE_INFINITY, undefined);
  if (atTarget.pass) return evaluation(1, atTarget);
  const replicas = Math.ceil(target / maxRate - 1e-9);
  return evaluation(replicas, run(target / replicas));
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

/** Ranks evaluated candidates: GPUs and cost for the target rate, and the cost–latency Pareto frontier. */
export function rankCandidates(
  request: PlanRequest,
  evaluations: readonly CandidateEvaluation[],
): PlanResult {
  const rows: PlanRow[] = [];
  const overBudget: CandidateEvaluation[] = [];
  for (const evaluation of evaluations) {
    if (evaluation.maxRatePerReplica <= 0) continue;
    const totalGpus = evaluation.replicas * evaluation.candidate.gpusPerReplica;
    if (totalGpus > request.maxGpus) {
      overBudget.push(evaluation);
      continue;
    }
    const price = findGpuPreset(evaluation.candidate.gpu)?.pricePerHour ?? 0;
    const costPerHour = price > 0 ? price * totalGpus : Number.NaN;
    const tokensPerHour = request.targetRate * evaluation.meanOutputTokens * 3600;
    rows.push({
      evaluation,
      totalGpus,
      costPerHour,
      costPerMillionOutputTokens: (costPerHour / tokensPerHour) * 1e6,
      pareto: false,
    });
  }
  const key = (row: PlanRow) =>
    Number.isFinite(row.costPerHour) ? row.costPerHour : Number.POSITIVE_INFINITY;
  rows.sort(
    (a, b) =>
      key(a) - key(b) ||
      a.totalGpus - b.totalGpus ||
      a.evaluation.ttftP99AtTargetS - b.evaluation.ttftP99AtTargetS ||
      describeCandidate(a.evaluation.candidate).localeCompare(describeCandidate(b.evaluation.candidate)),
  );
  // Pareto frontier of (cost, P99 TTFT) among priced rows: walking by increasing cost, keep rows that
  // lower the best TTFT so far. Rows without a price cannot be placed on it.
  let bestTtft = Number.POSITIVE_INFINITY;
  const ranked = rows.map((row) => {
    const ttft = row.evaluation.ttftP99AtTargetS;
    const pareto = Number.isFinite(row.costPerHour) && ttft < bestTtft;
    if (pareto) bestTtft = ttft;
    return { ...row, pareto };
  });
  const result: PlanResult = { rows: ranked, overBudget };
  if (ranked.length > 0) return result;
  const closest = [...evaluations].sort((a, b) => a.bestViolation - b.bestViolation)[0];
  return closest === undefined ? result : { ...result, closest };
}

/** `H100-80GB TP4 PP1 cap 128 chunked-512`. */
export function describeCandidate(candidate: Candidate): string {
  return `${candidate.gpu} TP${candidate.tensorParallelSize} PP${candidate.pipelineParallelSize} cap ${candidate.maxBatchSize} ${candidate.scheduler.name}`;
}

/** The full deployment of a ranked row (DP replicas) at the target rate, for verification. */
export function deploymentConfig(request: PlanRequest, evaluation: CandidateEvaluation): SimulatorConfig {
  const single = candidateConfig(request, evaluation.candidate, request.targetRate);
  return {
    ...single,
    clusterSpec: {
      ...single.clusterSpec,
      nGpusPerNode: evaluation.candidate.gpusPerReplica,
      nNodes: evaluation.replicas,
    },
    parallelismSpec: {
      ...single.parallelismSpec,
      dataParallelSize: evaluation.replicas,
      router: 'least-outstanding',
    },
    workloadSpec: {
      ...single.workloadSpec,
      numRequests: (request.requestsPerRun ?? 400) * evaluation.replicas,
    },
  };
}
