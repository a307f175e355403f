/** Per-interval series for plots, bounded in length (intervals double when the run is long). */
export interface TimeSeries {
  /** Start of each interval, in seconds. */
  readonly timeS: number[];
  /** Output tokens per second generated in the interval. */
  readonly throughputTokensPerSec: number[];
  /** Requests completed per second in the interval. */
  readonly completionsPerSec: number[];
  /** Time-averaged number of waiting requests (all replicas). */
  readonly queueLength: number[];
  /** Time-averaged sequences per running iteration. */
  readonly batchSize: number[];
  /** Time-averaged fraction of KV blocks in use (mean over replicas). */
  readonly kvCacheUtilization: number[];
}

const MAX_BUCKETS = 256;

/** Accumulates per-interval sums; merges neighbouring buckets to stay under MAX_BUCKETS. */
export class TimeSeriesRecorder {
  private interval: number;
  private tokens: number[] = [];
  private completions: number[] = [];
  private queueTime: number[] = [];
  private batchTime: number[] = [];
  private kvTime: number[] = [];
  private busyTime: number[] = [];
  private observedTime: number[] = [];

  constructor(durationS: number) {
    this.interval = Number.isFinite(durationS) ? Math.max(durationS / 120, 1e-3) : 1;
  }

  private bucket(time: number): number {
    let index = Math.floor(time / this.interval);
    while (index >= MAX_BUCKETS) {
      this.merge();
      index = Math.floor(time / this.interval);
    }
    while (this.tokens.length <= index) {
      for (const series of [
        this.tokens,
        this.completions,
        this.queueTime,
        this.batchTime,
        this.kvTime,
        this.busyTime,
        this.observedTime,
      ])
        series.push(0);
    }
    return index;
  }

  private merge(): void {
    const fold = (series: number[]) => {
      const merged: number[] = [];
      for (let index = 0; index < series.length; index += 2)
        merged.push((series[index] ?? 0) + (series[index + 1] ?? 0));
      return merged;
    };
    this.tokens = fold(this.tokens);
    this.completions = fold(this.completions);
    this.queueTime = fold(this.queueTime);
    this.batchTime = fold(this.batchTime);
    this.kvTime = fold(this.kvTime);
    this.busyTime = fold(this.busyTime);
    this.observedTime = fold(this.observedTime);
    this.interval *= 2;
  }

  addTokens(time: number, tokens: number): void {
    const index = this.bucket(time);
    this.tokens[index] = (this.tokens[index] as number) + tokens;
  }

  addCompletion(time: number): void {
    const index = this.bucket(time);
    this.completions[index] = (this.completions[index] as number) + 1;
  }

  /** Records an iteration running from `start` for `duration` with the given state (time-weighted). */
  addIteration(
    start: number,
    duration: number,
    batchSize: number,
    kvUtilization: number,
    queueLength: number,
  ): void {
    const index = this.bucket(start);
    this.batchTime[index] = (this.batchTime[index] as number) + batchSize * duration;
    this.kvTime[index] = (this.kvTime[index] as number) + kvUtilization * duration;
    this.queueTime[index] = (this.queueTime[index] as number) + queueLength * duration;
    this.busyTime[index] = (this.busyTime[index] as number) + duration;
  }

  /** Records a queue-length observation while idle (so the queue series covers idle time too). */
  observe(time: number, queueLength: number, duration: number): void {
    const index = this.bucket(time);
    this.queueTime[index] = (this.queueTime[index] as number) + queueLength * duration;
    this.observedTime[index] = (this.observedTime[index] as number) + duration;
  }

  result(endTime: number): TimeSeries {
    const buckets = Math.min(this.tokens.length, Math.max(1, Math.ceil(endTime / this.interval)));
    const timeS: number[] = [];
    const throughput: number[] = [];
    const completions: number[] = [];
    const queue: number[] = [];
    const batch: number[] = [];
    const kv: number[] = [];
    for (let index = 0; index < buckets; index++) {
      const start = index * this.interval;
      const width = Math.max(1e-12, Math.min(this.interval, endTime - start));
      const busy = this.busyTime[index] as number;
      const weighted = busy + (this.observedTime[index] as number);
      timeS.push(start);
      throughput.push((this.tokens[index] as number) / width);
      completions.push((this.completions[index] as number) / width);
      queue.push(weighted > 0 ? (this.queueTime[index] as number) / weighted : 0);
      batch.push(busy > 0 ? (this.batchTime[index] as number) / busy : 0);
      kv.push(busy > 0 ? (this.kvTime[index] as number) / busy : 0);
    }
    return {
      timeS,
      throughputTokensPerSec: throughput,
      completionsPerSec: completions,
      queueLength: queue,
      batchSize: batch,
      kvCacheUtilization: kv,
    };
  }
}
