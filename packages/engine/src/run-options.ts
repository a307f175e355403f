import type { EngineProfile } from '@sim/perf-model';

/** Options of one run. */
export interface RunOptions {
  /** Keep one record per completed request (for CSV export). Default false. */
  readonly recordRequests?: boolean;
  /** Keep a Chrome trace span per iteration per stage (up to `maxTraceEvents`). Default false. */
  readonly chromeTrace?: boolean;
  /** Cap on Chrome trace spans. Default 200,000. */
  readonly maxTraceEvents?: number;
  /**
   * Stop the run early once more than this many requests miss the config's TTFT SLO, or more than
   * this many miss its TPOT SLO (`SimulationRun.stoppedEarly` then says so). Capacity searches use it
   * to abandon runs that are clearly over capacity: with 1% of N requests already missing, the p99
   * over N requests cannot meet the SLO. Default: never.
   */
  readonly stopAfterSloMisses?: number;
  /**
   * Take every iteration through the event queue, one at a time. By default runs of identical
   * decode-only iterations (single-stage replicas, no Chrome trace) are advanced in bulk: same
   * iteration times and latencies, metrics summed per run (time-series buckets take a run's
   * totals at its start). For checking that path; slower.
   */
  readonly exactIterations?: boolean;
  /**
   * Refuse runs expected to simulate more requests than this (a ConfigError naming the field that
   * makes the run large, with the estimate). Default {@link DEFAULT_MAX_REQUESTS}; Infinity disables.
   */
  readonly maxRequests?: number;
  /**
   * A custom engine profile used instead of the config's named `engineProfile` (its batching
   * defaults still come from the named one). For fitting a profile; see @sim/perf-model's EngineProfile.
   */
  readonly engineProfile?: EngineProfile;
}

/** Default bound on the requests one run may simulate: about a minute of computing on a laptop core. */
export const DEFAULT_MAX_REQUESTS = 10_000_000;

/** Progress of an asynchronous run. */
export interface Progress {
  readonly simulatedTimeS: number;
  /** 0..1 when the run is bounded by a duration or numRequests, else NaN. */
  readonly fraction: number;
  readonly completedRequests: number;
}
