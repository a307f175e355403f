import { LLMInferenceSimulator, type RequestRecord, type SimulatorConfig } from '@sim/engine';
import { describe, expect, it } from 'vitest';

/**
 * The event loop against queueing theory. One replica with `maxBatchSize: 1` runs one request at
 * a time, first come first served; with fixed lengths and the `ideal` engine profile (no CPU
 * overhead) every request takes the same service time D (a prefill and 15 decode iterations), so
 * the deployment is a single deterministic server: M/D/1 under Poisson arrivals, D/D/1 under
 * deterministic ones, and a closed loop of N clients has exact answers too.
 */
const server = (
  workloadSpec: SimulatorConfig['workloadSpec'],
  extra: SimulatorConfig = {},
): SimulatorConfig => ({
  modelSpec: { name: 'llama-2-7b' },
  engineProfile: 'ideal',
  schedulerSpec: { maxBatchSize: 1 },
  workloadSpec: { avgInputLength: 128, avgOutputLength: 16, ...workloadSpec },
  drain: true,
  ...extra,
});

const run = (config: SimulatorConfig) => new LLMInferenceSimulator(config).run({ recordRequests: true });

/** Records in arrival order (ids are given at arrival). */
const byArrival = (records: readonly RequestRecord[]) => [...records].sort((a, b) => a.id - b.id);

/** The service time D: end-to-end latency of a request alone in the system. */
function serviceTime(): number {
  const records = run(server({ numRequests: 1 })).requestRecords();
  expect(records).toHaveLength(1);
  const only = records[0] as RequestRecord;
  expect(only.queueingDelayS).toBe(0);
  return only.endToEndLatencyS;
}

const D = serviceTime();

/** Absolute slack for times that are sums of a few hundred floating-point durations (seconds). */
const ROUNDING_S = 1e-9;

/** Two-sided 99.9% quantile of Student's t with 9 degrees of freedom (10 replications). */
const T_999_9DF = 4.781;

const mean = (values: readonly number[]) => values.reduce((sum, value) => sum + value, 0) / values.length;
const standardError = (values: readonly number[]) => {
  const mu = mean(values);
  const variance = values.reduce((sum, value) => sum + (value - mu) ** 2, 0) / (values.length - 1);
  return Math.sqrt(variance / values.length);
};

describe('a single deterministic server (maxBatchSize 1, fixed lengths, ideal profile)', () => {
  it('has a service time that does not depend on when the request arrives', () => {
    expect(D).toBeGreaterThan(0.05); // a 128-token prefill and 15 decodes of a 7B model
    // Deterministic arrivals far apart: nobody waits, every request takes exactly D.
    const records = run(
      server({ arrivalProcess: 'deterministic', arrivalRate: 1, numRequests: 20 }),
    ).requestRecords();
    expect(records).toHaveLength(20);
    for (const record of records) {
      expect(record.queueingDelayS).toBe(0);
      expect(Math.abs(record.endToEndLatencyS - D)).toBeLessThan(ROUNDING_S);
    }
  });

  it('D/D/1 below saturation (ρ = 0.8): no request waits and every e2e is exactly D', () => {
    const rate = 0.8 / D;
    const records = byArrival(
      run(server({ arrivalProcess: 'deterministic', arrivalRate: rate, numRequests: 200 })).requestRecords(),
    );
    expect(records).toHaveLength(200);
    records.forEach((record, n) => {
      expect(Math.abs(record.arrivalS - n / rate)).toBeLessThan(ROUNDING_S);
      expect(record.queueingDelayS).toBeLessThan(ROUNDING_S);
      expect(Math.abs(record.endToEndLatencyS - D)).toBeLessThan(ROUNDING_S);
    });
  });

  it('D/D/1 above saturation (ρ = 1.25): the n-th request waits exactly n(D − 1/λ)', () => {
    const rate = 1.25 / D;
    const records = byArrival(
      run(server({ arrivalProcess: 'deterministic', arrivalRate: rate, numRequests: 200 })).requestRecords(),
    );
    expect(records).toHaveLength(200);
    records.forEach((record, n) => {
      const wait = n * (D - 1 / rate);
      expect(Math.abs(record.queueingDelayS - wait)).toBeLessThan(ROUNDING_S);
      expect(Math.abs(record.endToEndLatencyS - (wait + D))).toBeLessThan(ROUNDING_S);
    });
    // The last one waited 199 × 0.2 D ≈ 40 D: the growth is linear, not a plateau.
    expect((records[199] as RequestRecord).queueingDelayS).toBeGreaterThan(39 * D);
  });

  /**
   * M/D/1: Pollaczek–Khinchine gives the mean wait Wq = ρD / (2(1 − ρ)), and PASTA the fraction of
   * arrivals that find the server idle, 1 − ρ. Waits within one run are strongly correlated, so
   * the tolerance comes from independent replications: 10 seeds × N requests (N = 10,000 at
   * ρ = 0.5, 20,000 at ρ = 0.8, where waits are more correlated), each seed's mean
   * queueingDelay one observation; the grand mean must lie within t(0.9995, 9 df) = 4.78 standard
   * errors (estimated from the 10 means, so it shrinks as 1/√N) of the closed form. The run starts
   * empty, which biases the mean low by O(relaxation time / N) ≈ 0.5% at ρ = 0.8, N = 20,000: well
   * inside the tolerance. The standard error itself must be small (< 2.5% of Wq), or the check
   * would have no power.
   */
  for (const [rho, requests] of [
    [0.5, 10_000],
    [0.8, 20_000],
  ] as const) {
    it(`M/D/1 at ρ = ${rho}: mean queueing delay ρD/(2(1−ρ)), P(no wait) = 1 − ρ, GPU busy ρ`, () => {
      const rate = rho / D;
      const waits: number[] = [];
      const idleFractions: number[] = [];
      const utilizations: number[] = [];
      for (let seed = 1; seed <= 10; seed++) {
        const metrics = run(server({ arrivalRate: rate, numRequests: requests }, { seed }));
        const stats = metrics.computeStatistics();
        expect(stats.completedRequests).toBe(requests);
        waits.push(stats.queueingDelay.mean);
        const records = metrics.requestRecords();
        idleFractions.push(records.filter((record) => record.queueingDelayS === 0).length / records.length);
        utilizations.push(stats.gpuUtilization);
      }
      const closedForm = (rho * D) / (2 * (1 - rho));
      const waitError = standardError(waits);
      expect(waitError / closedForm).toBeLessThan(0.025);
      expect(Math.abs(mean(waits) - closedForm)).toBeLessThanOrEqual(T_999_9DF * waitError);
      expect(Math.abs(mean(idleFractions) - (1 - rho))).toBeLessThanOrEqual(
        T_999_9DF * standardError(idleFractions),
      );
      // The GPU runs kernels exactly while serving: utilization = N·D / T, T the last finish ≈ N/λ.
      expect(Math.abs(mean(utilizations) - rho)).toBeLessThanOrEqual(T_999_9DF * standardError(utilizations));
    });
  }

  it('a closed loop of N clients with zero think time: throughput 1/D, every e2e N·D in steady state', () => {
    const clients = 8;
    const requests = 200;
    const metrics = run(
      server({ arrivalProcess: 'closed-loop', concurrency: clients, numRequests: requests }),
    );
    const stats = metrics.computeStatistics();
    expect(stats.completedRequests).toBe(requests);
    // The server never idles: the last request finishes at exactly requests × D.
    expect(Math.abs(stats.simulatedDurationS - requests * D)).toBeLessThan(ROUNDING_S);
    expect(Math.abs(stats.requestsPerSec * D - 1)).toBeLessThan(1e-9);
    const records = byArrival(metrics.requestRecords());
    records.forEach((record, n) => {
      // The first round all arrive at 0 and are served in turn; afterwards each waits for the N − 1 others.
      const expected = n < clients ? (n + 1) * D : clients * D;
      expect(Math.abs(record.endToEndLatencyS - expected)).toBeLessThan(ROUNDING_S);
    });
  });

  it('a closed loop with think time Z < (N−1)D stays saturated: throughput 1/D, e2e N·D − Z', () => {
    const clients = 8;
    const requests = 200;
    const think = 3 * D;
    const metrics = run(
      server({
        arrivalProcess: 'closed-loop',
        concurrency: clients,
        numRequests: requests,
        thinkTimeS: think,
      }),
    );
    const stats = metrics.computeStatistics();
    expect(stats.completedRequests).toBe(requests);
    expect(Math.abs(stats.simulatedDurationS - requests * D)).toBeLessThan(ROUNDING_S);
    expect(Math.abs(stats.requestsPerSec * D - 1)).toBeLessThan(1e-9);
    byArrival(metrics.requestRecords()).forEach((record, n) => {
      const expected = n < clients ? (n + 1) * D : clients * D - think;
      expect(Math.abs(record.endToEndLatencyS - expected)).toBeLessThan(ROUNDING_S);
    });
  });

  it('a closed loop with think time Z ≥ (N−1)D never queues after the first round: throughput N/(D + Z)', () => {
    const clients = 4;
    const requests = 203; // 50 full rounds and 3 more
    const think = 5 * D;
    const metrics = run(
      server({
        arrivalProcess: 'closed-loop',
        concurrency: clients,
        numRequests: requests,
        thinkTimeS: think,
      }),
    );
    const stats = metrics.computeStatistics();
    expect(stats.completedRequests).toBe(requests);
    // Client k (0-based) finishes its j-th request at (k + 1)D + j(D + Z); rounds do not overlap,
    // so the last of M = jN + k + 1 requests finishes at exactly that time.
    const round = Math.floor((requests - 1) / clients);
    const client = (requests - 1) % clients;
    const end = (client + 1) * D + round * (D + think);
    expect(Math.abs(stats.simulatedDurationS - end)).toBeLessThan(ROUNDING_S);
    expect(Math.abs(stats.requestsPerSec - requests / end)).toBeLessThan(1e-9 * stats.requestsPerSec);
    // In steady state: N requests per cycle of D + Z.
    expect(Math.abs((requests / end) * ((D + think) / clients) - 1)).toBeLessThan(1 / round);
    byArrival(metrics.requestRecords()).forEach((record, n) => {
      const expected = n < clients ? (n + 1) * D : D;
      expect(Math.abs(record.endToEndLatencyS - expected)).toBeLessThan(ROUNDING_S);
    });
  });
});
