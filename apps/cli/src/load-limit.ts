import type { ResolvedConfig, SimulationStatistics } from '@sim/engine';

/** How a run's load compares with what it served. */
export interface LoadAssessment {
  /** The configured arrival rate (req/s) of an open-loop generator (the stages' mean with load stages); undefined for traces and closed loops. */
  readonly offeredRate: number | undefined;
  /** Completed requests per second. */
  readonly servedRate: number;
  /** The engine warned that requests pile up faster than they are served. */
  readonly overloaded: boolean;
  /**
   * Not overloaded and serving at least 90% of the offered rate: the load, not the deployment,
   * sets the throughput.
   */
  readonly keepsUp: boolean;
}

/** Arrival processes whose rate is the config's `arrivalRate`. */
const OPEN_LOOP_PROCESSES: ReadonlySet<string> = new Set(['poisson', 'gamma', 'deterministic']);

/** Served at or above this fraction of the offered rate counts as keeping up (Poisson counts vary). */
const KEEPS_UP_FRACTION = 0.9;

/** The arrival rate, or with load stages their mean (Σ rate × duration / Σ duration). */
function meanOfferedRate(workload: ResolvedConfig['workloadSpec']): number {
  if (workload.stages === undefined) return workload.arrivalRate;
  let requests = 0;
  let duration = 0;
  for (const stage of workload.stages) {
    requests += stage.rate * stage.durationS;
    duration += stage.durationS;
  }
  return requests / duration;
}

/** Whether a run kept up with its offered load, or was overloaded. */
export function assessLoad(config: ResolvedConfig, statistics: SimulationStatistics): LoadAssessment {
  const workload = config.workloadSpec;
  const offeredRate = OPEN_LOOP_PROCESSES.has(workload.arrivalProcess)
    ? meanOfferedRate(workload)
    : undefined;
  const servedRate = statistics.requestsPerSec;
  const overloaded = statistics.warnings.some((warning) => /overload/i.test(warning));
  return {
    offeredRate,
    servedRate,
    overloaded,
    keepsUp:
      offeredRate !== undefined &&
      !overloaded &&
      statistics.completedRequests > 0 &&
      servedRate >= KEEPS_UP_FRACTION * offeredRate,
  };
}

const rate = (value: number) => value.toFixed(value >= 10 ? 0 : 1);
const range = (values: readonly number[]) => {
  const low = rate(Math.min(...values));
  const high = rate(Math.max(...values));
  return low === high ? low : `${low}–${high}`;
};

/**
 * When every run kept up with its offered load, a sentence saying so: equal throughputs then mean
 * "the load is the limit", not "the deployments are equally fast". Undefined otherwise.
 */
export function loadLimitedNote(
  runs: readonly { readonly config: ResolvedConfig; readonly statistics: SimulationStatistics }[],
): string | undefined {
  const assessments = runs.map((run) => assessLoad(run.config, run.statistics));
  if (assessments.length === 0 || !assessments.every((assessment) => assessment.keepsUp)) return undefined;
  const subject =
    assessments.length === 1
      ? 'The deployment keeps'
      : assessments.length === 2
        ? 'Both deployments keep'
        : `All ${assessments.length} deployments keep`;
  // Every run keeps up, so every one has an offered rate.
  const offered = range(assessments.map((assessment) => assessment.offeredRate ?? Number.NaN));
  const served = range(assessments.map((assessment) => assessment.servedRate));
  return `${subject} up with the offered load (${offered} req/s offered, ~${served} served): throughput is set by the load, not the deployment; compare latency, or raise the arrival rate.`;
}
