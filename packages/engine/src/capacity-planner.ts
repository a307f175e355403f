import { resolveConfig } from '@sim/specs';
import { candidateConfig, candidatePricePerHour, describeCandidate } from './plan-candidates';
import type { Candidate, CandidateEvaluation, PlanRequest, PlanResult, PlanRow } from './plan-types';
import { SimulationRun } from './simulation-run';

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
    const simulation = new SimulationRun(
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
    const costPerHour = candidatePricePerHour(evaluation.candidate) * evaluation.replicas;
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
