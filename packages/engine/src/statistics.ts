import type { DistributionSummary } from './distribution';

/** What `metrics.computeStatistics()` returns: plain, JSON-serializable data. See docs/metrics.md for every formula. */
export interface SimulationStatistics {
  /** Requests whose last token was produced within the simulation. */
  readonly completedRequests: number;
  /** Requests that arrived. */
  readonly totalRequests: number;
  /** Requests refused because they can never fit (longer than the context or the whole KV cache). */
  readonly rejectedRequests: number;
  /** Requests admitted or waiting but not finished when the simulation stopped. */
  readonly inFlightRequests: number;
  /**
   * T, in simulated seconds, the denominator of every rate: the duration when the run stopped there
   * with work left; otherwise the later of the last event and the end of arrivals (see docs/metrics.md).
   */
  readonly simulatedDurationS: number;
  /** Output tokens generated per second (all generated tokens / simulatedDurationS). */
  readonly throughputTokensPerSec: number;
  /** (Prompt tokens prefilled + output tokens) per second. */
  readonly totalTokensPerSec: number;
  /** Completed requests per second. */
  readonly requestsPerSec: number;
  /** Output tokens generated. */
  readonly outputTokens: number;
  /** Prompt tokens whose prefill completed (first time only). */
  readonly inputTokens: number;
  /** Time to first token of completed requests (those arriving after `warmupS`), seconds. */
  readonly firstTokenLatency: DistributionSummary;
  /** Per completed request (after the warm-up) with ≥ 2 outputs: (e2e − TTFT) / (outputs − 1), seconds. */
  readonly timePerOutputToken: DistributionSummary;
  /** Every gap between two consecutive tokens of the same request (after the warm-up), seconds; mean ITL = mean TPOT for fixed lengths when drained. */
  readonly interTokenLatency: DistributionSummary;
  /** Arrival to last token, completed requests (after the warm-up), seconds. */
  readonly endToEndLatency: DistributionSummary;
  /** Arrival to first scheduling, completed requests (after the warm-up), seconds. */
  readonly queueingDelay: DistributionSummary;
  /** Fraction of GPU-time the GPUs ran kernels (0..1), over all GPUs. */
  readonly gpuUtilization: number;
  /** Model FLOPs utilization over the run (0..1). */
  readonly mfu: number;
  /** Memory-bandwidth utilization over the run (0..1). */
  readonly mbu: number;
  /** KV blocks in use: time-weighted mean and peak fraction. */
  readonly kvCacheUtilization: { readonly mean: number; readonly peak: number };
  /** Mean sequences per iteration. */
  readonly meanBatchSize: number;
  /** Iterations run (all replicas and pipeline virtual engines). */
  readonly iterations: number;
  /** Preemptions (KV cache ran out). */
  readonly preemptions: number;
  /** Completed requests (after the warm-up) per second of (T − warmupS) that met every SLO given (all of them when none is set). */
  readonly goodput: number;
  /** Fraction of completed requests (after the warm-up) that met the SLOs. */
  readonly sloAttainment: number;
  /** Per-GPU memory plan. */
  readonly memory: {
    readonly weightGbPerGpu: number;
    readonly kvCacheGbPerGpu: number;
    readonly kvCapacityTokens: number;
  };
  /** Human-readable warnings (memory, overload, unfinished requests, too short a run, rejections). */
  readonly warnings: readonly string[];
  /** Which parts of the prediction are extrapolated beyond the calibration data. */
  readonly confidence: readonly string[];
}
