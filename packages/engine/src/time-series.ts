/** Per-interval series for plots, bounded in length (intervals double when the run is long). */
export interface TimeSeries {
  /** Start of each interval, in seconds. */
  readonly timeS: number[];
  /** Output tokens per second generated in the interval. */
  readonly throughputTokensPerSec: number[];
  /** Requests completed per second in the interval. */
  readonly completionsPerSec: number[];
  /** Time-averaged number of requests waiting to be scheduled (all replicas), from event to event. */
  readonly queueLength: number[];
  /** Time-averaged sequences per running iteration. */
  readonly batchSize: number[];
  /** Time-averaged fraction of KV blocks in use (mean over replicas). */
  readonly kvCacheUtilization: number[];
  /**
   * Time-averaged number of requests in the system (arrived, not yet finished or rejected), counted
   * from arrival and finish events: the L of Little's law, measured independently of latencies.
   */
  readonly requestsInSystem: number[];
}

const MAX_BUCKETS = 256;

/** Per-bucket sums, each a fixed array of MAX_BUCKETS (merging halves the resolution in place). */
interface Sums {
  readonly tokens: Float64Array;
  readonly completions: Float64Array;
  readonly queueTime: Float64Array;
  readonly batchTime: Float64Array;
  readonly kvTime: Float64Array;
  readonly busyTime: Float64Array;
  readonly systemTime: Float64Array;
}

/** Accumulates per-interval sums; merges neighbouring buckets to stay under MAX_BUCKETS. */
export class TimeSeriesRecorder {
  private interval: number;
  /** Buckets in use (the highest index written + 1). */
  private buckets = 0;
  private readonly sums: Sums = {
    tokens: new Float64Array(MAX_BUCKETS),
    completions: new Float64Array(MAX_BUCKETS),
    queueTime: new Float64Array(MAX_BUCKETS),
    batchTime: new Float64Array(MAX_BUCKETS),
    kvTime: new Float64Array(MAX_BUCKETS),
    busyTime: new Float64Array(MAX_BUCKETS),
    systemTime: new Float64Array(MAX_BUCKETS),
  };

  /** @param expectedEndS when the run is expected to end (the first interval is a 120th of it; Infinity: 1 s) */
  constructor(expectedEndS: number) {
    this.interval = Number.isFinite(expectedEndS) ? Math.max(expectedEndS / 120, 1e-3) : 1;
  }

  /** The bucket holding `time`, coarsening the buckets (doubling the interval) until it fits. */
  private bucketOf(time: number): number {
    let index = Math.floor(time / this.interval);
    while (index >= MAX_BUCKETS) {
      this.merge();
      index = Math.floor(time / this.interval);
    }
    if (index >= this.buckets) this.buckets = index + 1;
    return index;
  }

  private merge(): void {
    const { tokens, completions, queueTime, batchTime, kvTime, busyTime, systemTime } = this.sums;
    for (const series of [tokens, completions, queueTime, batchTime, kvTime, busyTime, systemTime]) {
      for (let index = 0; index < MAX_BUCKETS / 2; index++)
        series[index] = (series[2 * index] ?? 0) + (series[2 * index + 1] ?? 0);
      series.fill(0, MAX_BUCKETS / 2);
    }
    this.buckets = Math.ceil(this.buckets / 2);
    this.interval *= 2;
  }

  addTokens(time: number, tokens: number): void {
    const index = this.bucketOf(time);
    this.sums.tokens[index] = (this.sums.tokens[index] ?? 0) + tokens;
  }

  addCompletion(time: number): void {
    const index = this.bucketOf(time);
    this.sums.completions[index] = (this.sums.completions[index] ?? 0) + 1;
  }

  /** Records an iteration running from `start` for `duration` with the given state (time-weighted). */
  addIteration(start: number, duration: number, batchSize: number, kvUtilization: number): void {
    const index = this.bucketOf(start);
    const sums = this.sums;
    sums.batchTime[index] = (sums.batchTime[index] ?? 0) + batchSize * duration;
    sums.kvTime[index] = (sums.kvTime[index] ?? 0) + kvUtilization * duration;
    sums.busyTime[index] = (sums.busyTime[index] ?? 0) + duration;
  }

  /**
   * Records that from `start` to `end` (two consecutive events) `waiting` requests waited and
   * `inSystem` were in the system; split across intervals, so both series are exact time averages.
   */
  addLevels(start: number, end: number, waiting: number, inSystem: number): void {
    if ((waiting === 0 && inSystem === 0) || end <= start) return;
    const last = this.bucketOf(end); // coarsen first, so the split below uses the final interval
    const { queueTime, systemTime } = this.sums;
    for (let index = this.bucketOf(start); index <= last; index++) {
      const from = Math.max(start, index * this.interval);
      const to = Math.min(end, (index + 1) * this.interval);
      if (to <= from) continue;
      queueTime[index] = (queueTime[index] ?? 0) + waiting * (to - from);
      systemTime[index] = (systemTime[index] ?? 0) + inSystem * (to - from);
    }
  }

  result(endTime: number): TimeSeries {
    const buckets = Math.min(this.buckets, Math.max(1, Math.ceil(endTime / this.interval)));
    const timeS: number[] = [];
    const throughput: number[] = [];
    const completions: number[] = [];
    const queue: number[] = [];
    const batch: number[] = [];
    const kv: number[] = [];
    const system: number[] = [];
    for (let index = 0; index < buckets; index++) {
      const start = index * this.interval;
      const width = Math.max(1e-12, Math.min(this.interval, endTime - start));
      const busy = this.sums.busyTime[index] ?? 0;
      timeS.push(start);
      throughput.push((this.sums.tokens[index] ?? 0) / width);
      completions.push((this.sums.completions[index] ?? 0) / width);
      queue.push((this.sums.queueTime[index] ?? 0) / width);
      batch.push(busy > 0 ? (this.sums.batchTime[index] ?? 0) / busy : 0);
      kv.push(busy > 0 ? (this.sums.kvTime[index] ?? 0) / busy : 0);
      system.push((this.sums.systemTime[index] ?? 0) / width);
    }
    return {
      timeS,
      throughputTokensPerSec: throughput,
      completionsPerSec: completions,
      queueLength: queue,
      batchSize: batch,
      kvCacheUtilization: kv,
      requestsInSystem: system,
    };
  }
}
