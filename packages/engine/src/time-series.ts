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

type Sum = 'tokens' | 'completions' | 'queueTime' | 'batchTime' | 'kvTime' | 'busyTime' | 'observedTime';
const SUMS: readonly Sum[] = [
  'tokens',
  'completions',
  'queueTime',
  'batchTime',
  'kvTime',
  'busyTime',
  'observedTime',
];

/** Accumulates per-interval sums; merges neighbouring buckets to stay under MAX_BUCKETS. */
export class TimeSeriesRecorder {
  private interval: number;
  private buckets = 0;
  private readonly sums = Object.fromEntries(SUMS.map((name) => [name, [] as number[]])) as Record<
    Sum,
    number[]
  >;

  constructor(durationS: number) {
    this.interval = Number.isFinite(durationS) ? Math.max(durationS / 120, 1e-3) : 1;
  }

  /** Adds `value` to sum `name` in the bucket holding `time`, growing or coarsening the buckets as needed. */
  private add(name: Sum, time: number, value: number): void {
    let index = Math.floor(time / this.interval);
    while (index >= MAX_BUCKETS) {
      this.merge();
      index = Math.floor(time / this.interval);
    }
    for (; this.buckets <= index; this.buckets++) for (const sum of SUMS) this.sums[sum].push(0);
    const series = this.sums[name];
    series[index] = (series[index] as number) + value;
  }

  private merge(): void {
    for (const name of SUMS) {
      const series = this.sums[name];
      const merged: number[] = [];
      for (let index = 0; index < series.length; index += 2)
        merged.push((series[index] ?? 0) + (series[index + 1] ?? 0));
      this.sums[name] = merged;
    }
    this.buckets = this.sums.tokens.length;
    this.interval *= 2;
  }

  addTokens(time: number, tokens: number): void {
    this.add('tokens', time, tokens);
  }

  addCompletion(time: number): void {
    this.add('completions', time, 1);
  }

  /** Records an iteration running from `start` for `duration` with the given state (time-weighted). */
  addIteration(
    start: number,
    duration: number,
    batchSize: number,
    kvUtilization: number,
    queueLength: number,
  ): void {
    this.add('batchTime', start, batchSize * duration);
    this.add('kvTime', start, kvUtilization * duration);
    this.add('queueTime', start, queueLength * duration);
    this.add('busyTime', start, duration);
  }

  /** Records a queue-length observation while idle (so the queue series covers idle time too). */
  observe(time: number, queueLength: number, duration: number): void {
    this.add('queueTime', time, queueLength * duration);
    this.add('observedTime', time, duration);
  }

  result(endTime: number): TimeSeries {
    const buckets = Math.min(this.sums.tokens.length, Math.max(1, Math.ceil(endTime / this.interval)));
    const timeS: number[] = [];
    const throughput: number[] = [];
    const completions: number[] = [];
    const queue: number[] = [];
    const batch: number[] = [];
    const kv: number[] = [];
    for (let index = 0; index < buckets; index++) {
      const start = index * this.interval;
      const width = Math.max(1e-12, Math.min(this.interval, endTime - start));
      const busy = this.sums.busyTime[index] as number;
      const weighted = busy + (this.sums.observedTime[index] as number);
      timeS.push(start);
      throughput.push((this.sums.tokens[index] as number) / width);
      completions.push((this.sums.completions[index] as number) / width);
      queue.push(weighted > 0 ? (this.sums.queueTime[index] as number) / weighted : 0);
      batch.push(busy > 0 ? (this.sums.batchTime[index] as number) / busy : 0);
      kv.push(busy > 0 ? (this.sums.kvTime[index] as number) / busy : 0);
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
