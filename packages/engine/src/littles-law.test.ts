import {
  LLMInferenceSimulator,
  type SimulationMetrics,
  type SimulationStatistics,
  type SimulatorConfig,
  type TimeSeries,
} from '@sim/engine';
import { describe, expect, it } from 'vitest';

/**
 * Little's law, L = λW, from two independent measurements of the same run: L is the time-average
 * number of requests in the system read from the time series (which the engine builds from
 * arrival and finish events), λ the arrivals per second, and W the mean end-to-end latency from
 * the statistics (built from each request's own timestamps). With `drain: true` every request
 * that arrives also leaves before T, so over [0, T] the law is a sample-path identity:
 * ∫N(t)dt = Σ (eᵢ − aᵢ). Both sides are then equal up to floating-point rounding, not up to
 * statistical error: any disagreement is a bookkeeping error in one of the two measurements.
 * The same holds for the waiting queue: Lq = λ·Wq, with Wq the mean queueing delay, as long as
 * nobody is preempted (a preempted request waits again, which queueingDelay does not count).
 */

type SeriesWithPopulation = TimeSeries & { readonly requestsInSystem?: readonly number[] };

/** metrics.timeSeries().requestsInSystem: time-averaged requests arrived and not yet finished or rejected. */
function requestsInSystem(series: TimeSeries): readonly number[] {
  const values = (series as SeriesWithPopulation).requestsInSystem;
  expect(values, 'metrics.timeSeries().requestsInSystem').toBeDefined();
  return values as readonly number[];
}

/** ∫₀ᵀ of a per-interval time average: each interval's value times its width (the last one ends at T). */
function integral(series: TimeSeries, values: readonly number[], end: number): number {
  const interval = (series.timeS[1] as number) - (series.timeS[0] as number);
  expect(values).toHaveLength(series.timeS.length);
  let total = 0;
  for (let index = 0; index < values.length; index++)
    total += (values[index] as number) * Math.min(interval, end - (series.timeS[index] as number));
  return total;
}

/** Relative agreement of two sides of an identity computed by different floating-point sums. */
const IDENTITY = 1e-6;

const cases: { name: string; config: SimulatorConfig }[] = [
  {
    name: 'continuous batching, lognormal lengths, Poisson arrivals',
    config: {
      modelSpec: { name: 'llama-2-7b' },
      workloadSpec: {
        arrivalRate: 6,
        lengthDistribution: 'lognormal',
        avgInputLength: 400,
        avgOutputLength: 150,
      },
      simulationDurationS: 120,
      drain: true,
    },
  },
  {
    name: 'two replicas behind least-outstanding routing, chunked prefill, bursty arrivals',
    config: {
      modelSpec: { name: 'llama-3.1-8b' },
      clusterSpec: { gpuSpec: { name: 'H100' }, nGpusPerNode: 2 },
      parallelismSpec: { dataParallelSize: 2, router: 'least-outstanding' },
      schedulerSpec: { chunkedPrefill: true },
      workloadSpec: {
        arrivalProcess: 'gamma',
        burstinessCv: 2,
        arrivalRate: 20,
        lengthDistribution: 'lognormal',
        avgOutputLength: 200,
      },
      simulationDurationS: 60,
      drain: true,
    },
  },
  {
    name: 'one request at a time (M/D/1 at ρ ≈ 0.7: a real queue)',
    config: {
      modelSpec: { name: 'llama-2-7b' },
      engineProfile: 'ideal',
      schedulerSpec: { maxBatchSize: 1 },
      workloadSpec: { arrivalRate: 4.5, avgInputLength: 128, avgOutputLength: 16 },
      simulationDurationS: 300,
      drain: true,
    },
  },
];

/** One drained run per case, shared by its tests. */
function drained(config: SimulatorConfig) {
  let result: { metrics: SimulationMetrics; stats: SimulationStatistics } | undefined;
  return () => {
    if (result === undefined) {
      const metrics = new LLMInferenceSimulator(config).run();
      const stats = metrics.computeStatistics();
      // Every arrival left, none was refused or evicted: the identities cover all of them.
      expect(stats.rejectedRequests).toBe(0);
      expect(stats.inFlightRequests).toBe(0);
      expect(stats.preemptions).toBe(0);
      expect(stats.completedRequests).toBeGreaterThan(300);
      result = { metrics, stats };
    }
    return result;
  };
}

describe("Little's law from independent measurements (drained runs)", () => {
  for (const { name, config } of cases) {
    const outcome = drained(config);

    it(`L = λW: time-average requests in system against arrivals × mean e2e; ${name}`, () => {
      const { metrics, stats } = outcome();
      const end = stats.simulatedDurationS;
      const series = metrics.timeSeries();
      const meanInSystem = integral(series, requestsInSystem(series), end) / end;
      const littleL = (stats.totalRequests / end) * stats.endToEndLatency.mean;
      expect(meanInSystem).toBeGreaterThan(0.5); // a loaded system, not an empty one
      expect(
        Math.abs(meanInSystem - littleL) / littleL,
        `time-average requests in system ${meanInSystem} vs λW ${littleL}`,
      ).toBeLessThan(IDENTITY);
    });

    it(`Lq = λWq: time-average queue length against arrivals × mean queueing delay; ${name}`, () => {
      const { metrics, stats } = outcome();
      const end = stats.simulatedDurationS;
      const series = metrics.timeSeries();
      const meanWaiting = integral(series, series.queueLength, end) / end;
      const littleLq = (stats.totalRequests / end) * stats.queueingDelay.mean;
      expect(littleLq).toBeGreaterThan(0.01);
      expect(
        Math.abs(meanWaiting - littleLq) / littleLq,
        `time-average queue length ${meanWaiting} vs λWq ${littleLq}`,
      ).toBeLessThan(IDENTITY);
      // Waiting requests are in the system: per interval, never more waiting than present.
      requestsInSystem(series).forEach((present, index) => {
        expect(series.queueLength[index] as number).toBeLessThanOrEqual(present + 1e-9);
      });
    });
  }
});
