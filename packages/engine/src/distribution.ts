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
    if (this.length === this.values.length) {
      const grown = new Float64Array(this.values.length * 2);
      grown.set(this.values);
      this.values = grown;
    }
    this.values[this.length++] = value;
  }

  /** Values in insertion order (a view; copy before mutating). */
  view(): Float64Array {
    return this.values.subarray(0, this.length);
  }

  /** Mean, min, max and percentiles (linear interpolation between order statistics, as numpy's default). */
  summarize(): DistributionSummary {
    if (this.length === 0) return EMPTY_SUMMARY;
    const sorted = this.values.slice(0, this.length).sort();
    let sum = 0;
    for (const value of sorted) sum += value;
    const at = (q: number) => {
      const rank = q * (sorted.length - 1);
      const low = Math.floor(rank);
      const high = Math.min(sorted.length - 1, low + 1);
      return (sorted[low] as number) + ((sorted[high] as number) - (sorted[low] as number)) * (rank - low);
    };
    return {
      mean: sum / sorted.length,
      min: sorted[0] as number,
      max: sorted[sorted.length - 1] as number,
      p50: at(0.5),
      p90: at(0.9),
      p95: at(0.95),
      p99: at(0.99),
    };
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
    this.weights[index] = (this.weights[index] as number) + weight;
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
        cumulative += this.weights[index] as number;
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
