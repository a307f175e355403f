import type { RequestRecord } from './simulation-metrics';

/** Points of an empirical CDF. */
export interface CdfPoints {
  readonly x: readonly number[];
  readonly y: readonly number[];
}

/** Latency distributions as CDF points: x in seconds, y cumulative fraction. */
export type LatencyCdfs = Readonly<Record<'ttft' | 'tpot' | 'e2e', CdfPoints>>;

/** At most this many points per CDF (quantiles of the sorted samples). */
const CDF_POINTS = 200;

/** Empirical CDF of values, reduced to at most 200 quantile points. */
export function cdfOf(values: readonly number[]): CdfPoints {
  const sorted = values.filter(Number.isFinite).sort((a, b) => a - b);
  if (sorted.length === 0) return { x: [], y: [] };
  const count = Math.min(CDF_POINTS, sorted.length);
  const x: number[] = [];
  const y: number[] = [];
  for (let index = 0; index < count; index++) {
    const rank = count === 1 ? sorted.length - 1 : Math.round((index * (sorted.length - 1)) / (count - 1));
    x.push(sorted[rank] ?? Number.NaN);
    y.push((rank + 1) / sorted.length);
  }
  return { x, y };
}

/** CDFs of TTFT, TPOT and end-to-end latency from per-request records. */
export function latencyCdfs(records: readonly RequestRecord[]): LatencyCdfs {
  return {
    ttft: cdfOf(records.map((record) => record.firstTokenLatencyS)),
    tpot: cdfOf(
      records
        .filter((record) => record.outputTokens > 1)
        .map((record) => (record.endToEndLatencyS - record.firstTokenLatencyS) / (record.outputTokens - 1)),
    ),
    e2e: cdfOf(records.map((record) => record.endToEndLatencyS)),
  };
}
