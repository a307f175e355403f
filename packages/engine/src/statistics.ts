import type { SpeculativeMethod } from '@sim/specs';
import type { DistributionSummary } from './distribution';
import type { DisaggregationStatistics } from './serving-pool';
import type { SessionStatistics } from './session-tracker';

/** What `metrics.computeStatistics()` returns: plain, JSON-serializable data. See docs/metrics.md for every formula. */
export interface SimulationStatistics {
  /** Requests whose last token was produced within the simulation. */
  readonly completedRequests: number;
  /** Requests that arrived. */
  readonly totalRequests: number;
  /** Requests refused because they can never fit (longer than the context or the whole KV cache). */
  readonly rejectedRequests: number;
  /**
   * Requests whose client gave up: not finished (last token delivered) `workloadSpec.requestTimeoutS`
   * after arriving, so the server aborted them. Present only when requestTimeoutS is set.
   */
  readonly timedOutRequests?: number;
  /** Requests admitted or waiting but not finished (nor timed out) when the simulation stopped. */
  readonly inFlightRequests: number;
  /**
   * T, in simulated seconds, the denominator of every rate: the duration when the run stopped there
   * with work left; otherwise the later of the last event and the end of arrivals (see docs/metrics.md).
   */
  readonly simulatedDurationS: number;
  /** Output tokens generated per second (all generated tokens / simulatedDurationS). */
  readonly throughputTokensPerSec: number;
  /**
   * Output tokens of completed requests per second (Σ outputs of completed requests /
   * simulatedDurationS): what load generators call output throughput, counting successful requests
   * only; timed-out requests' tokens are wasted. Present only when `workloadSpec.requestTimeoutS` is set.
   */
  readonly completedOutputTokensPerSec?: number;
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
  /**
   * Busy fraction (0..1): the share of time the GPUs were running an iteration's kernels, summed over
   * pipeline stages and replicas. Not how hard they ran: a busy GPU at low MFU and MBU counts as 1
   * here (see `mfu` and `mbu` for that). CPU overhead between kernels is not busy time.
   */
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
    /**
     * GB set aside per GPU for the sliding-window layers' cache (window + one block per sequence,
     * for maxBatchSize sequences), beside kvCacheGbPerGpu. Present only when the plan sets it aside.
     */
    readonly localKvGbPerGpu?: number;
  };
  /**
   * Fraction of prompt tokens served from the prefix cache (`schedulerSpec.enablePrefixCaching`)
   * instead of prefilled: Σ cachedᵢ / Σ inputᵢ over the measured requests (arriving at or after
   * `warmupS`) whose first prefill completed, where cachedᵢ is the prompt tokens found in the cache
   * at the request's first admission (`Sequence.cachedPromptTokens`; re-prefills after a
   * preemption are not counted). 0 when caching is off, nothing hit, or no prefill completed.
   */
  readonly prefixCacheHitRate: number;
  /**
   * KV offload to host memory (`schedulerSpec.kvOffload`): what host memory served and what moved
   * over the host link (see {@link KvOffloadStatistics}). Present only with kvOffload.
   */
  readonly kvOffload?: KvOffloadStatistics;
  /** Speculative decoding (`speculativeSpec`): tokens per step and the decode speedup. Present only with speculativeSpec. */
  readonly speculative?: SpeculativeStatistics;
  /**
   * Routing imbalance: the most requests routed to one data-parallel replica over the mean,
   * max_r nᵣ / (Σ nᵣ / R). 1 is perfectly even (and the value with one replica); R means one
   * replica got everything. 0 when no request arrived.
   */
  readonly routingImbalance: number;
  /** Per data-parallel replica, in order (one entry without data parallelism). */
  readonly replicas: readonly ReplicaStatistics[];
  /**
   * Per load stage (`workloadSpec.stages`), in order; empty without stages. Each entry covers the
   * requests that arrived in that stage, wherever they finished (see {@link StageStatistics}).
   */
  readonly stages: readonly StageStatistics[];
  /**
   * Multi-turn sessions (`workloadSpec.sessions`): sessions started, completed and failed, follow-up
   * turns, and first-token latency and prefix-cache hit rate of first versus follow-up turns.
   * Present only with sessions.
   */
  readonly sessions?: SessionStatistics;
  /**
   * Disaggregated prefill and decode (`config.disaggregation`): the distribution of the KV-transfer
   * time each handed-over request waited, and per pool its instances, GPUs, requests, utilization,
   * mean queue and memory. Present only with disaggregation.
   */
  readonly disaggregation?: DisaggregationStatistics;
  /** Human-readable warnings (memory, overload, unfinished requests, too short a run, rejections). */
  readonly warnings: readonly string[];
  /** Which parts of the prediction are extrapolated beyond the calibration data. */
  readonly confidence: readonly string[];
}

/** Speculative decoding (`speculativeSpec`); see docs/metrics.md. */
export interface SpeculativeStatistics {
  readonly method: SpeculativeMethod;
  /** Draft tokens per step (k). */
  readonly numSpeculativeTokens: number;
  /** Mean tokens a step emits, τ = 1 + Σᵢ Πⱼ≤ᵢ αⱼ (from the configured acceptance rates). */
  readonly tokensPerStep: number;
  /** Mean draft tokens accepted per step, τ − 1. */
  readonly acceptedTokensPerStep: number;
  /**
   * Decode speedup per token against the same deployment without speculation, at the run's mean
   * batch size and mean context (prompt plus half the output): GPU seconds per token without over
   * with. Below 1 when speculation costs more than it saves (large batches, low acceptance).
   */
  readonly decodeSpeedup: number;
}

/** KV offload to host memory (`schedulerSpec.kvOffload`); see docs/metrics.md. */
export interface KvOffloadStatistics {
  /**
   * Prompt tokens of the requests `prefixCacheHitRate` counts that were loaded from host memory at
   * the request's first admission (`Sequence.hostPromptTokens`; part of the cached tokens).
   */
  readonly hostHitTokens: number;
  /** hostHitTokens / the prompt tokens of those requests (0..prefixCacheHitRate): the share served from host memory. */
  readonly hostHitRate: number;
  /** KV blocks loaded from host memory to the GPU, all requests (warm-up and re-prefills included) and replicas. */
  readonly blocksLoaded: number;
  /** KV blocks written to host memory (evicted prefix-cache blocks not already there), all replicas. */
  readonly blocksOffloaded: number;
  /** Seconds of host → GPU transfers: Σ over iterations of their loaded blocks' bytes / the host bandwidth (iterations wait for them). */
  readonly loadTimeS: number;
}

/** What one data-parallel replica served. */
export interface ReplicaStatistics {
  /** Requests the router sent to it (arrivals, not rejected). */
  readonly requests: number;
  /** As the overall `prefixCacheHitRate`, over the measured requests it served. */
  readonly prefixCacheHitRate: number;
}

/**
 * Statistics of one load stage (`workloadSpec.stages[index]`), over the requests that arrived in
 * the stage's window [startS, startS + durationS). A request counts in the stage it arrived in, for
 * everything: its latencies, tokens, inter-token gaps and prefix-cache hits, even when it is served
 * after the stage ended (so a stage's backlog shows in its own latencies, not the next stage's).
 * Rates divide by the stage's window, cut at `simulationDurationS` when the run ends inside it
 * (0 when that leaves nothing). Latency distributions, goodput and SLO attainment cover measured
 * requests (arriving at or after `warmupS`), as the overall ones. See docs/metrics.md.
 */
export interface StageStatistics {
  /** Position in `workloadSpec.stages`. */
  readonly index: number;
  /** The stage's arrival rate, requests per second. */
  readonly rate: number;
  /** When the stage starts (the sum of the earlier stages' durations), seconds. */
  readonly startS: number;
  /** The stage's configured length, seconds. */
  readonly durationS: number;
  /** Requests that arrived in the stage. */
  readonly totalRequests: number;
  /** Of those, the ones that completed within the run (possibly after the stage ended). */
  readonly completedRequests: number;
  /** Of those, the ones refused (longer than the context or the whole KV cache). */
  readonly rejectedRequests: number;
  /** Of those, the ones whose client gave up (`workloadSpec.requestTimeoutS`); present only when it is set. */
  readonly timedOutRequests?: number;
  /** Of those, the ones not finished (nor timed out) when the run stopped. */
  readonly inFlightRequests: number;
  /** Output tokens of the stage's completed requests. */
  readonly outputTokens: number;
  /** Prompt tokens of the stage's requests whose first prefill completed. */
  readonly inputTokens: number;
  /** outputTokens / the stage's window. */
  readonly throughputTokensPerSec: number;
  /** (inputTokens + outputTokens) / the stage's window. */
  readonly totalTokensPerSec: number;
  /** completedRequests / the stage's window. */
  readonly requestsPerSec: number;
  /** TTFT of the stage's completed (measured) requests, seconds. */
  readonly firstTokenLatency: DistributionSummary;
  /** TPOT of the stage's completed (measured) requests with ≥ 2 outputs, seconds. */
  readonly timePerOutputToken: DistributionSummary;
  /** Every gap between consecutive tokens of the stage's measured requests (completed or in flight), seconds. */
  readonly interTokenLatency: DistributionSummary;
  /** Arrival to last token of the stage's completed (measured) requests, seconds. */
  readonly endToEndLatency: DistributionSummary;
  /** Arrival to first scheduling of the stage's completed (measured) requests, seconds. */
  readonly queueingDelay: DistributionSummary;
  /** The stage's completed measured requests meeting every SLO, per second of the window after warmupS. */
  readonly goodput: number;
  /** That count / the stage's completed measured requests. */
  readonly sloAttainment: number;
  /** As the overall `prefixCacheHitRate`, over the stage's requests. */
  readonly prefixCacheHitRate: number;
}
