import { LLMInferenceSimulator, type SimulatorConfig } from '@sim/engine';
import { describe, expect, it } from 'vitest';
import { sharedPath } from '../../../test-support/shared';

const run = (config: SimulatorConfig) => new LLMInferenceSimulator(config).run();

describe('engine invariants', () => {
  it('the same config and seed give byte-identical statistics; another seed differs', () => {
    const config: SimulatorConfig = {
      modelSpec: { name: 'llama-2-7b' },
      workloadSpec: { arrivalRate: 8, lengthDistribution: 'lognormal' },
      simulationDurationS: 30,
    };
    const a = JSON.stringify(run(config).computeStatistics());
    const b = JSON.stringify(run(structuredClone(config)).computeStatistics());
    expect(a).toBe(b);
    expect(JSON.stringify(run({ ...config, seed: 7 }).computeStatistics())).not.toBe(a);
  });

  it('every arrived request is completed, rejected or in flight; output tokens add up', () => {
    for (const drain of [false, true]) {
      const metrics = new LLMInferenceSimulator({
        modelSpec: { name: 'llama-2-7b' },
        workloadSpec: { arrivalRate: 20, lengthDistribution: 'lognormal', avgOutputLength: 200 },
        simulationDurationS: 20,
        drain,
      }).run({ recordRequests: true });
      const stats = metrics.computeStatistics();
      expect(stats.completedRequests + stats.rejectedRequests + stats.inFlightRequests).toBe(
        stats.totalRequests,
      );
      if (drain) {
        expect(stats.inFlightRequests).toBe(0);
        const generated = metrics.requestRecords().reduce((sum, record) => sum + record.outputTokens, 0);
        expect(stats.outputTokens).toBe(generated);
      }
    }
  });

  it('the time series is bounded and accounts for every output token and completion', () => {
    for (const simulationDurationS of [30, 3000]) {
      const metrics = run({
        modelSpec: { name: 'llama-2-7b' },
        workloadSpec: { arrivalRate: 4 },
        simulationDurationS,
      });
      const stats = metrics.computeStatistics();
      const series = metrics.timeSeries();
      expect(series.timeS.length).toBeGreaterThan(50);
      expect(series.timeS.length).toBeLessThanOrEqual(256);
      const width = (index: number) =>
        Math.min(
          (series.timeS[1] as number) - (series.timeS[0] as number),
          stats.simulatedDurationS - (series.timeS[index] as number),
        );
      const tokens = series.throughputTokensPerSec.reduce(
        (sum, value, index) => sum + value * width(index),
        0,
      );
      const completions = series.completionsPerSec.reduce(
        (sum, value, index) => sum + value * width(index),
        0,
      );
      expect(tokens).toBeCloseTo(stats.outputTokens, 3);
      expect(completions).toBeCloseTo(stats.completedRequests, 3);
      expect(Math.max(...series.kvCacheUtilization)).toBeLessThanOrEqual(
        stats.kvCacheUtilization.peak + 1e-12,
      );
    }
  });

  it("Little's law holds within 3% on a long stable run", () => {
    const metrics = new LLMInferenceSimulator({
      modelSpec: { name: 'llama-2-7b' },
      workloadSpec: {
        arrivalRate: 6,
        lengthDistribution: 'lognormal',
        avgInputLength: 400,
        avgOutputLength: 150,
      },
      simulationDurationS: 600,
      drain: true,
    }).run({ recordRequests: true });
    const records = metrics.requestRecords();
    const lastArrival = Math.max(...records.map((record) => record.arrivalS));
    // Mean number in system over [0, T] from the records (each request contributes its time in system).
    const horizon = lastArrival;
    let inSystemTime = 0;
    for (const record of records) {
      const leave = Math.min(horizon, record.arrivalS + record.endToEndLatencyS);
      if (record.arrivalS < horizon) inSystemTime += leave - record.arrivalS;
    }
    const meanInSystem = inSystemTime / horizon;
    const arrivalRate = records.filter((record) => record.arrivalS < horizon).length / horizon;
    const meanTime = records.reduce((sum, record) => sum + record.endToEndLatencyS, 0) / records.length;
    expect(Math.abs(meanInSystem - arrivalRate * meanTime) / meanInSystem).toBeLessThan(0.03);
  });

  it('under overload latency grows with time and the overload warning is raised', () => {
    const metrics = new LLMInferenceSimulator({
      modelSpec: { name: 'llama-2-7b' },
      workloadSpec: { arrivalRate: 40, avgOutputLength: 256 },
      simulationDurationS: 60,
    }).run({ recordRequests: true });
    const stats = metrics.computeStatistics();
    expect(stats.warnings.join(' ')).toMatch(/Overloaded/);
    const records = metrics.requestRecords();
    const early = records.filter((record) => record.arrivalS < 5);
    const late = records.filter((record) => record.arrivalS >= 5 && record.arrivalS < 10);
    expect(late.length).toBeGreaterThan(10);
    const mean = (list: typeof records) =>
      list.reduce((sum, record) => sum + record.firstTokenLatencyS, 0) / list.length;
    expect(mean(late)).toBeGreaterThan(2 * mean(early));
  });

  it('TP=4 lowers per-token latency vs TP=1 for a 70B model (on B200, where TP=1 fits)', () => {
    const base = {
      modelSpec: { name: 'llama-3.1-70b' },
      workloadSpec: { arrivalRate: 1 },
      simulationDurationS: 60,
    } as const;
    const one = run({ ...base, clusterSpec: { gpuSpec: { name: 'B200' } } }).computeStatistics();
    const four = run({
      ...base,
      clusterSpec: { nGpusPerNode: 4, gpuSpec: { name: 'B200' } },
      parallelismSpec: { tensorParallelSize: 4 },
    }).computeStatistics();
    expect(four.timePerOutputToken.p50).toBeLessThan(0.6 * one.timePerOutputToken.p50);
  });

  it('requests longer than the context are rejected and counted', () => {
    const stats = run({
      modelSpec: { name: 'llama-7b' },
      workloadSpec: { avgInputLength: 1500, lengthDistribution: { type: 'uniform', spread: 1 } },
      simulationDurationS: 60,
    }).computeStatistics();
    expect(stats.rejectedRequests).toBeGreaterThan(0);
    expect(stats.warnings.join(' ')).toMatch(/rejected/);
  });

  it('replays the Splitwise conversation trace with time scaling', () => {
    const stats = run({
      modelSpec: { name: 'llama-3.1-8b' },
      clusterSpec: { gpuSpec: { name: 'H100' } },
      workloadSpec: {
        arrivalProcess: 'trace',
        traceFile: sharedPath('traces', 'splitwise_conv.csv'),
        traceTimeScale: 0.5,
      },
      simulationDurationS: 120,
      drain: true,
    }).computeStatistics();
    // The first 120 s of the trace replayed twice as fast: 240 s of real arrivals.
    expect(stats.totalRequests).toBeGreaterThan(500);
    expect(stats.completedRequests + stats.rejectedRequests).toBe(stats.totalRequests);
  });

  it('closed-loop clients keep a fixed concurrency', () => {
    const stats = run({
      modelSpec: { name: 'llama-2-7b' },
      workloadSpec: { arrivalProcess: 'closed-loop', concurrency: 16, numRequests: 400 },
      drain: true,
    }).computeStatistics();
    expect(stats.completedRequests).toBe(400);
    expect(stats.meanBatchSize).toBeGreaterThan(10);
  });

  it('runAsync reports progress and can be aborted', async () => {
    const simulator = new LLMInferenceSimulator({
      modelSpec: { name: 'llama-2-7b' },
      workloadSpec: { arrivalRate: 10 },
      simulationDurationS: 600,
    });
    const fractions: number[] = [];
    const metrics = await simulator.runAsync({ onProgress: (progress) => fractions.push(progress.fraction) });
    expect(fractions.at(-1)).toBe(1);
    expect(metrics.computeStatistics().completedRequests).toBeGreaterThan(5000);
    const controller = new AbortController();
    controller.abort();
    await expect(simulator.runAsync({ signal: controller.signal })).rejects.toMatchObject({
      code: 'ABORTED',
    });
  });
});

describe('confidence notes', () => {
  it('say which parts are extrapolated: an unprofiled GPU, a model far from the profiled sizes, quantized weights', () => {
    const calibrated = run({ modelSpec: { name: 'llama-2-7b' }, simulationDurationS: 5 }).computeStatistics();
    expect(calibrated.confidence).toEqual([]);
    const extrapolated = run({
      modelSpec: { name: 'llama-3.1-405b', weightDtype: 'int8' },
      clusterSpec: { gpuSpec: { name: 'B200' }, nGpusPerNode: 8 },
      parallelismSpec: { tensorParallelSize: 8 },
      workloadSpec: { arrivalRate: 1 },
      simulationDurationS: 5,
    })
      .computeStatistics()
      .confidence.join('\n');
    expect(extrapolated).toMatch(/B200 has no kernel profile/);
    expect(extrapolated).toMatch(/405\.\dB parameters is outside/);
    expect(extrapolated).toMatch(/int8 weight-only/);
  });
});

/** Same structure; integers equal; other numbers equal up to a relative 1e-9 (closed-form sums round differently). */
function expectClose(actual: unknown, expected: unknown, path = 'statistics'): void {
  if (typeof expected === 'number' && typeof actual === 'number') {
    if (Number.isInteger(expected)) expect(actual, path).toBe(expected);
    else
      expect(Math.abs(actual - expected), path).toBeLessThanOrEqual(
        1e-9 * Math.max(1e-12, Math.abs(expected)),
      );
    return;
  }
  if (expected !== null && typeof expected === 'object') {
    expect(Object.keys(actual as object).sort(), path).toEqual(Object.keys(expected).sort());
    for (const [key, value] of Object.entries(expected))
      expectClose((actual as Record<string, unknown>)[key], value, `${path}.${key}`);
    return;
  }
  expect(actual, path).toEqual(expected);
}

describe('bulk steady decoding', () => {
  it('matches taking every iteration through the event queue: same counts, same latencies and utilization up to rounding', () => {
    for (const config of [
      {
        modelSpec: { name: 'llama-2-7b' },
        workloadSpec: { arrivalRate: 6, lengthDistribution: 'lognormal' as const },
      },
      {
        modelSpec: { name: 'llama-3.1-8b' },
        clusterSpec: { gpuSpec: { name: 'H100' }, nGpusPerNode: 2 },
        parallelismSpec: { dataParallelSize: 2, router: 'least-kv' as const },
        schedulerSpec: { chunkedPrefill: true, gpuMemoryUtilization: 0.25, preemptionMode: 'swap' as const },
        workloadSpec: { arrivalRate: 40, lengthDistribution: 'lognormal' as const, avgOutputLength: 400 },
      },
    ] satisfies SimulatorConfig[]) {
      const bulk = new LLMInferenceSimulator({ ...config, simulationDurationS: 40 }).run();
      const exact = new LLMInferenceSimulator({ ...config, simulationDurationS: 40 }).run({
        exactIterations: true,
      });
      expect(
        bulk.computeStatistics().preemptions + exact.computeStatistics().completedRequests,
      ).toBeGreaterThan(0);
      expectClose(bulk.computeStatistics(), exact.computeStatistics());
    }
  });
});
