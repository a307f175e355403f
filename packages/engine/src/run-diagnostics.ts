import { type PerfModel, confidenceNotes as perfModelConfidenceNotes } from '@sim/perf-model';
import { configWarnings, type ResolvedConfig } from '@sim/specs';
import { calibrationNotes } from './calibration-file';
import type { DistributionSummary } from './distribution';
import type { RunCounters } from './run-counters';
import type { WorkloadSource } from './workload-source';

/** What the warnings are judged from: the config, the perf model and what the run observed. */
export interface RunDiagnosticsInput {
  readonly config: ResolvedConfig;
  readonly perf: PerfModel;
  readonly counts: RunCounters;
  /** The simulated duration T, seconds. */
  readonly duration: number;
  /** Admitted requests not finished, rejected or timed out at T. */
  readonly inFlight: number;
  /** Mean waiting requests per time-series bucket. */
  readonly queueLength: readonly number[];
  /** Queueing delay of measured completed requests. */
  readonly queueing: DistributionSummary;
  readonly workload: Pick<WorkloadSource, 'arrivalsEndS' | 'plannedRequests' | 'count'>;
  /** The run's clock when it stopped. */
  readonly now: number;
  /** Virtual engines (replicas × pipeline stages). */
  readonly engineCount: number;
  /** KV-cache tokens one scheduler holds (longer requests are rejected). */
  readonly kvTokensPerEngine: number;
  /** How long the oldest unfinished request had been in the system at T, seconds (0 when none). */
  readonly oldestInFlightS: number;
}

/** The run's warnings (statistics.warnings): the config's and the memory plan's, then what the run showed. */
export function runWarnings(run: RunDiagnosticsInput): string[] {
  const { config, counts, duration, inFlight, workload } = run;
  const warnings = [...configWarnings(config), ...run.perf.memory.warnings];
  if (
    counts.completed === 0 &&
    counts.arrived > 0 &&
    (counts.rejected === counts.arrived || counts.timedOut > 0)
  ) {
    // Every request was refused, or requests timed out: the rejection or timeout warning below says why.
  } else if (counts.completed === 0) {
    warnings.push(
      `Completed requests is 0: no request finished within the simulated ${duration.toFixed(1)} s (${counts.arrived} arrived). The simulation is too short for requests to finish: increase simulationDurationS, reduce avgOutputLength, or set drain: true.`,
    );
  } else if (config.warmupS > 0 && counts.measuredCompleted === 0) {
    warnings.push(
      `No completed request arrived after warmupS ${config.warmupS} s (the last arrival was at ${(workload.arrivalsEndS ?? run.now).toFixed(1)} s): every latency statistic is empty. Lower warmupS or run longer.`,
    );
  } else if (counts.measuredCompleted < 30) {
    warnings.push(
      `Only ${counts.measuredCompleted} requests completed${config.warmupS > 0 ? ' after the warm-up' : ''}: percentiles are unreliable. Lengthen simulationDurationS or raise numRequests.`,
    );
  }
  if (counts.rejected > 0) {
    warnings.push(
      `${counts.rejected} requests rejected: longer than the model context (${config.modelSpec.maxContextLength} tokens) or than the whole KV cache (${run.kvTokensPerEngine} tokens per scheduler). Use a bigger GPU, more TP, or shorter requests.${config.workloadSpec.sessions === undefined ? '' : ' With sessions, each turn resends the whole conversation, so long sessions outgrow the context (a rejected turn ends its session): fewer turns per session or shorter turns keep them within it.'}`,
    );
  }
  const traceRows = workload.plannedRequests;
  if (
    config.workloadSpec.arrivalProcess === 'trace' &&
    traceRows !== undefined &&
    workload.count < traceRows &&
    workload.arrivalsEndS === config.simulationDurationS
  ) {
    warnings.push(
      `simulationDurationS ${config.simulationDurationS} s replayed ${workload.count.toLocaleString('en-US')} of the trace's ${traceRows.toLocaleString('en-US')} requests (the rest arrive later). Leave simulationDurationS out to replay the whole trace.`,
    );
  }
  const overload = overloadWarning(run);
  if (overload !== undefined) warnings.push(overload);
  const admitted = counts.arrived - counts.rejected;
  if (counts.timedOut > 0) {
    warnings.push(
      `${counts.timedOut} of ${admitted} admitted requests (${((100 * counts.timedOut) / admitted).toFixed(1)}%) timed out: not finished ${config.workloadSpec.requestTimeoutS} s (workloadSpec.requestTimeoutS) after arriving, so their clients gave up and the server aborted them; the tokens generated for them are wasted (throughputTokensPerSec counts them, completedOutputTokensPerSec does not). Latency statistics cover completed requests only, so they understate what clients waited. Lower the arrival rate, add replicas (dataParallelSize), use a faster deployment, or raise requestTimeoutS.`,
    );
  }
  if (inFlight > 0 && inFlight > 0.01 * admitted) {
    const oldest = run.oldestInFlightS;
    warnings.push(
      `${inFlight} of ${admitted} admitted requests (${((100 * inFlight) / admitted).toFixed(1)}%) had not finished when the run stopped at ${duration.toFixed(1)} s: latency statistics cover completed requests only and understate latency (the oldest unfinished request had been in the system for ${oldest.toFixed(1)} s). Set drain: true to finish them.`,
    );
  }
  if (counts.preemptions > 0) {
    warnings.push(
      `${counts.preemptions} preemptions: the KV cache ran out and sequences were ${config.schedulerSpec.preemptionMode === 'swap' ? 'swapped to host memory' : 'evicted and recomputed'}. Lower maxBatchSize or add memory to avoid them.`,
    );
  }
  if (counts.stageBusyS / Math.max(1e-9, duration * run.engineCount) < 0.2 && counts.completed > 0) {
    warnings.push(
      'GPU utilization is low (< 20%): the deployment is mostly idle at this load. Increase the batch size or the arrival rate, or use fewer GPUs.',
    );
  }
  return warnings;
}

/**
 * Overload, judged by what grows: the waiting queue over the arrival window (open loop: its mean
 * over the last quarter against the second quarter), and waiting times (90% of requests waiting
 * more than twice the mean service time, and over a second) — not by completions within the
 * window, which lag arrivals on any stable deployment whose requests are long.
 */
function overloadWarning(run: RunDiagnosticsInput): string | undefined {
  const { config, counts, duration, queueLength, queueing, workload } = run;
  const advice = 'Lower the arrival rate, add replicas (dataParallelSize), or use a faster deployment.';
  const arrivalsEnd = Math.min(duration, workload.arrivalsEndS ?? duration);
  const buckets = Math.min(
    queueLength.length,
    Math.floor((queueLength.length * arrivalsEnd) / Math.max(duration, 1e-12)),
  );
  if (config.workloadSpec.arrivalProcess !== 'closed-loop' && buckets >= 8) {
    const mean = (from: number, to: number) => {
      let sum = 0;
      for (let index = from; index < to; index++) sum += queueLength[index] ?? 0;
      return sum / Math.max(1, to - from);
    };
    const quarter = Math.floor(buckets / 4);
    const early = mean(quarter, 2 * quarter);
    const late = mean(buckets - quarter, buckets);
    if (late >= 5 && late > 1.5 * early + 2) {
      const arrivalRate = arrivalsEnd > 0 ? counts.arrived / arrivalsEnd : 0;
      const completionRate = duration > 0 ? counts.completed / duration : 0;
      const consequence =
        counts.timedOut > 0
          ? `waiting times grow until clients give up (${counts.timedOut} requests timed out), so the completed requests' latencies depend on the timeout`
          : "waiting times grow with the run's length, so its latencies depend on how long it ran";
      return `Overloaded: the waiting queue grew from ${early.toFixed(0)} to ${late.toFixed(0)} requests on average (second vs last quarter of the arrivals) while requests arrived at ${arrivalRate.toFixed(2)} req/s and completed at ${completionRate.toFixed(2)} req/s: ${consequence}. ${advice}`;
    }
  }
  if (counts.queueing.size >= 20) {
    const service = counts.serviceSum / Math.max(1, counts.measuredCompleted);
    // Request-level batching waits up to batchWaitTimeoutS to form a batch by design: not overload.
    const scheduler = config.schedulerSpec;
    const formation = scheduler.batchingType === 'continuous' ? 0 : scheduler.batchWaitTimeoutS;
    if (queueing.p90 > 1 + formation && queueing.p90 > 2 * service + formation) {
      const waited = `10% of requests waited more than ${queueing.p90.toFixed(1)} s before being scheduled (longest ${queueing.max.toFixed(1)} s), more than twice their mean service time of ${service.toFixed(2)} s${formation > 0 ? ` plus the ${formation} s batch wait` : ''}`;
      if (config.workloadSpec.arrivalProcess === 'closed-loop')
        return `Saturated: ${waited}: ${config.workloadSpec.concurrency} clients keep more requests in flight than the deployment batches (maxBatchSize ${scheduler.maxBatchSize}), so they queue. Use fewer clients (concurrency), a larger maxBatchSize if memory allows, or more replicas.`;
      const timedOut = counts.timedOut > 0 ? ` (and ${counts.timedOut} requests timed out)` : '';
      return `Overloaded: ${waited}: the queue, not the GPUs, sets latency at this load${timedOut}. ${advice}`;
    }
  }
  return undefined;
}

/** Notes on what the prediction extrapolates beyond the calibration data (statistics.confidence): @sim/perf-model's, with a calibration file's notes unless the run brought its own engine profile. */
export function confidenceNotes(config: ResolvedConfig, perf: PerfModel, customProfile: boolean): string[] {
  return perfModelConfidenceNotes(config, perf, customProfile ? [] : calibrationNotes(config));
}
