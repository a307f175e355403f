import { withRoomFor } from './typed-array-room';

/** Summary of a latency distribution, in seconds. */
export interface DistributionSummary {
  readonly mean: number;
  readonly min: number;
  readonly max: number;
  readonly p50: number;
  readonly p90: number;
  readonly p95: number;
  readonly p99: number;
}

/** All zeros: the summary of an empty sample (never NaN in the output). */
export const EMPTY_SUMMARY: DistributionSummary = { mean: 0, min: 0, max: 0, p50: 0, p90: 0, p95: 0, p99: 0 };

/** A growable array of doubles (one value per completed request). */
export class Samples {
  private values = new Float64Array(1024);
  private length = 0;

  get size(): number {
    return this.length;
  }

  push(value: number): void {
    this.values = withRoomFor(this.values, this.length);
    this.values[this.length++] = value;
  }

  /** Values in insertion order (a view; copy before mutating). */
  view(): Float64Array {
    return this.values.subarray(0, this.length);
  }

  /**
   * Mean, min, max and percentiles (linear interpolation between order statistics, as numpy's
   * default). The order statistics come from quickselect on a copy (O(n), no full sort).
   */
  summarize(): DistributionSummary {
    const length = this.length;
    if (length === 0) return EMPTY_SUMMARY;
    const values = this.values.slice(0, length);
    let sum = 0;
    let min = Number.POSITIVE_INFINITY;
    let max = Number.NEGATIVE_INFINITY;
    for (let index = 0; index < length; index++) {
      const value = values[index] ?? 0;
      sum += value;
      if (value < min) min = value;
      if (value > max) max = value;
    }
    // Quantiles in increasing order: each selection only searches to the right of the previous one.
    let from = 0;
    const at = (q: number) => {
      const rank = q * (length - 1);
      const low = Math.floor(rank);
      select(values, low, from, length - 1);
      from = low;
      const lowValue = values[low] ?? Number.NaN;
      if (rank === low || low + 1 >= length) return lowValue;
      let next = Number.POSITIVE_INFINITY; // the next order statistic: the smallest right of `low`
      for (let index = low + 1; index < length; index++) {
        const value = values[index] ?? next;
        if (value < next) next = value;
      }
      return lowValue + (next - lowValue) * (rank - low);
    };
    const p50 = at(0.5);
    const p90 = at(0.9);
    const p95 = at(0.95);
    const p99 = at(0.99);
    return { mean: sum / length, min, max, p50, p90, p95, p99 };
  }
}

/**
 * A weighted histogram with logarithmic buckets 1% wide from 1 µs up, for distributions with
 * too many values to keep (inter-token gaps). Mean, min and max are exact; percentiles are
 * within 1%.
 */
export class LogHistogram {
  private static readonly base = Math.log(1.01);
  private static readonly floor = 1e-6;
  private readonly weights = new Float64Array(2400);
  private total = 0;
  private sum = 0;
  private minimum = Number.POSITIVE_INFINITY;
  private maximum = 0;
  /** The last computed bin and the values certainly inside it (see add). */
  private safeIndex = 0;
  private safeLow = Number.POSITIVE_INFINITY;
  private safeHigh = Number.NEGATIVE_INFINITY;

  add(value: number, weight = 1): void {
    if (weight <= 0) return;
    // Consecutive values (a run of decode gaps) usually fall in the same bin: skip the logarithm when
    // the value is inside the last bin, shrunk by a relative 1e-9 so rounding in log/exp cannot matter.
    let index: number;
    if (value >= this.safeLow && value < this.safeHigh) index = this.safeIndex;
    else {
      index =
        value <= LogHistogram.floor
          ? 0
          : Math.min(
              this.weights.length - 1,
              Math.floor(Math.log(value / LogHistogram.floor) / LogHistogram.base) + 1,
            );
      if (index > 0 && index < this.weights.length - 1) {
        this.safeIndex = index;
        this.safeLow = LogHistogram.floor * Math.exp((index - 1) * LogHistogram.base) * (1 + 1e-9);
        this.safeHigh = LogHistogram.floor * Math.exp(index * LogHistogram.base) * (1 - 1e-9);
      }
    }
    this.weights[index] = (this.weights[index] ?? 0) + weight;
    this.total += weight;
    this.sum += value * weight;
    if (value < this.minimum) this.minimum = value;
    if (value > this.maximum) this.maximum = value;
  }

  get count(): number {
    return this.total;
  }

  summarize(): DistributionSummary {
    if (this.total === 0) return EMPTY_SUMMARY;
    const at = (q: number) => {
      const target = q * this.total;
      let cumulative = 0;
      for (let index = 0; index < this.weights.length; index++) {
        cumulative += this.weights[index] ?? 0;
        if (cumulative >= target) {
          const middle =
            index === 0
              ? LogHistogram.floor
              : LogHistogram.floor * Math.exp((index - 0.5) * LogHistogram.base);
          return Math.min(this.maximum, Math.max(this.minimum, middle));
        }
      }
      return this.maximum;
    };
    return {
      mean: this.sum / this.total,
      min: this.minimum,
      max: this.maximum,
      p50: at(0.5),
      p90: at(0.9),
      p95: at(0.95),
      p99: at(0.99),
    };
  }
}

/**
 * Rearranges `values[left..right]` so that `values[k]` is the value a sort would put there, with
 * nothing larger before it and nothing smaller after it (Hoare quickselect, median-of-three pivots).
 */
function select(values: Float64Array, k: number, left: number, right: number): void {
  let low = left;
  let high = right;
  while (high > low) {
    const middle = (low + high) >>> 1;
    const a = values[low] ?? Number.NaN;
    const b = values[middle] ?? Number.NaN;
    const c = values[high] ?? Number.NaN;
    const pivot = Math.max(Math.min(a, b), Math.min(Math.max(a, b), c)); // median of three
    let i = low;
    let j = high;
    while (i <= j) {
      while ((values[i] ?? Number.NaN) < pivot) i++;
      while ((values[j] ?? Number.NaN) > pivot) j--;
      if (i <= j) {
        const swap = values[i] ?? Number.NaN;
        values[i] = values[j] ?? Number.NaN;
        values[j] = swap;
        i++;
        j--;
      }
    }
    if (k <= j) high = j;
    else if (k >= i) low = i;
    else return;
  }
}
