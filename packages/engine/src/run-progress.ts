import type { ResolvedConfig } from '@sim/specs';
import type { RunCounters } from './run-counters';
import type { Progress } from './run-options';
import type { WorkloadSource } from './workload-source';

/**
 * A run's progress (for progress bars), never decreasing. A run that stops at the duration counts
 * simulated time; a drained or count-bounded run counts requests that have left (finished,
 * rejected or timed out) against the requests it will have: the arrivals once they ended, before
 * that numRequests, the trace's rows, or rate × duration.
 */
export class RunProgress {
  private readonly config: ResolvedConfig;
  private readonly workload: Pick<WorkloadSource, 'plannedRequests' | 'arrivalsEndS' | 'expectedArrivals'>;
  /** The last fraction reported. */
  private last = 0;

  constructor(
    config: ResolvedConfig,
    workload: Pick<WorkloadSource, 'plannedRequests' | 'arrivalsEndS' | 'expectedArrivals'>,
  ) {
    this.config = config;
    this.workload = workload;
  }

  /** Progress at simulated time `now` with `counts` observed; `done` when the run is over (fraction 1). */
  at(now: number, counts: RunCounters, done: boolean): Progress {
    const { simulationDurationS: duration, drain, workloadSpec } = this.config;
    const workload = this.workload;
    let fraction = Number.NaN;
    if (done) fraction = 1;
    else if (!drain && Number.isFinite(duration) && workload.plannedRequests === undefined) {
      fraction = now / duration;
    } else {
      const openLoop =
        workloadSpec.arrivalProcess !== 'closed-loop' && workloadSpec.arrivalProcess !== 'trace';
      const total =
        workload.arrivalsEndS !== undefined
          ? counts.arrived
          : (workload.plannedRequests ??
            (openLoop && Number.isFinite(duration) ? workload.expectedArrivals(duration) : Number.NaN));
      const left = counts.completed + counts.rejected + counts.timedOut;
      const byRequests = total > 0 ? left / Math.max(total, counts.arrived) : Number.NaN;
      // Time counts when the run stops at the duration, or (closed loop) when nothing else is known.
      const byTime =
        Number.isFinite(duration) && (!drain || Number.isNaN(total)) ? now / duration : Number.NaN;
      const known = [byRequests, byTime].filter((value) => !Number.isNaN(value));
      if (known.length > 0) fraction = Math.max(...known);
    }
    if (!Number.isNaN(fraction)) {
      fraction = Math.min(1, Math.max(fraction, this.last));
      this.last = fraction;
    }
    return { simulatedTimeS: now, fraction, completedRequests: counts.completed };
  }
}
