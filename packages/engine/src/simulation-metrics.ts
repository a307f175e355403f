import type { Sequence } from '@sim/scheduler';
import type { ResolvedConfig } from '@sim/specs';
import type { SimulationStatistics } from './statistics';
import type { TimeSeries } from './time-series';

/** One completed request (optional, for CSV export). Times in seconds. */
export interface RequestRecord {
  readonly id: number;
  readonly arrivalS: number;
  readonly inputTokens: number;
  readonly outputTokens: number;
  readonly queueingDelayS: number;
  readonly firstTokenLatencyS: number;
  readonly endToEndLatencyS: number;
  readonly preemptions: number;
  readonly replica: number;
}

/** A completed request's record (`run({ recordRequests: true })`). */
export function requestRecord(
  sequence: Sequence,
  times: { readonly queueing: number; readonly ttft: number; readonly e2e: number },
  replica: number,
): RequestRecord {
  return {
    id: sequence.id,
    arrivalS: sequence.arrivalTime,
    inputTokens: sequence.inputTokens,
    outputTokens: sequence.outputTokens,
    queueingDelayS: times.queueing,
    firstTokenLatencyS: times.ttft,
    endToEndLatencyS: times.e2e,
    preemptions: sequence.preemptions,
    replica,
  };
}

/** A Chrome trace event (chrome://tracing, Perfetto): one span per iteration per pipeline stage. */
export interface TraceEvent {
  readonly name: string;
  readonly ph: 'X';
  /** Start, microseconds. */
  readonly ts: number;
  /** Duration, microseconds. */
  readonly dur: number;
  /** Replica. */
  readonly pid: number;
  /** Pipeline stage. */
  readonly tid: number;
  readonly args: Readonly<Record<string, number>>;
}

/** What `run()` returns: the statistics plus optional detail, all plain data. */
export class SimulationMetrics {
  readonly config: ResolvedConfig;
  private readonly statistics: SimulationStatistics;
  private readonly series: TimeSeries;
  private readonly records: readonly RequestRecord[] | undefined;
  private readonly trace: readonly TraceEvent[] | undefined;

  constructor(
    config: ResolvedConfig,
    statistics: SimulationStatistics,
    series: TimeSeries,
    records?: readonly RequestRecord[],
    trace?: readonly TraceEvent[],
  ) {
    this.config = config;
    this.statistics = statistics;
    this.series = series;
    this.records = records;
    this.trace = trace;
  }

  /** The summary statistics (a fresh deep copy each call). */
  computeStatistics(): SimulationStatistics {
    return structuredClone(this.statistics);
  }

  /** Bounded per-interval series (throughput, queue length, batch size, KV use). */
  timeSeries(): TimeSeries {
    return structuredClone(this.series);
  }

  /** Per-request records, when the run was started with `recordRequests: true` (else empty). */
  requestRecords(): readonly RequestRecord[] {
    return this.records ?? [];
  }

  /** Chrome trace events, when the run was started with `chromeTrace: true` (else empty). */
  chromeTrace(): { traceEvents: readonly TraceEvent[] } {
    return { traceEvents: this.trace ?? [] };
  }

  toJSON(): SimulationStatistics {
    return this.computeStatistics();
  }
}
