import { LLMInferenceSimulator, type SimulatorConfig, type TimeSeries } from '@sim/engine';
import { readTraceFile } from '@sim/specs';
import { dataPath } from '@sim/test-support';
import { describe, expect, it } from 'vitest';

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
    const requests = 1000;
    const stats = run({
      modelSpec: { name: 'llama-7b' },
      workloadSpec: {
        avgInputLength: 1500,
        lengthDistribution: { type: 'uniform', spread: 1 },
        numRequests: requests,
      },
    }).computeStatistics();
    expect(stats.totalRequests).toBe(requests);
    expect(stats.completedRequests + stats.rejectedRequests).toBe(requests);
    // Prompts are round(3000·U): those over llama-7b's 2048-token context, a fraction
    // p = (3000 − 2048.5) / 3000, are refused (input + output never exceeds the KV cache here).
    // The count is binomial: within 4 standard deviations, √(p(1 − p)/N) = 1.5% for N = 1000.
    const p = (3000 - 2048.5) / 3000;
    expect(Math.abs(stats.rejectedRequests / requests - p)).toBeLessThan(
      4 * Math.sqrt((p * (1 - p)) / requests),
    );
    expect(stats.warnings.join(' ')).toMatch(/rejected/);
  });

  it('replays the Splitwise conversation trace with time scaling', () => {
    const stats = run({
      modelSpec: { name: 'llama-3.1-8b' },
      clusterSpec: { gpuSpec: { name: 'H100' } },
      workloadSpec: {
        arrivalProcess: 'trace',
        traceFile: dataPath('traces', 'splitwise_conv.csv'),
        traceTimeScale: 0.5,
      },
      simulationDurationS: 120,
      drain: true,
    }).computeStatistics();
    // The trace's first 240 s, replayed twice as fast, arrive within the 120 s: exactly those rows.
    const times = readTraceFile(dataPath('traces', 'splitwise_conv.csv')).arrivalTimesS as Float64Array;
    const replayed = times.filter((time) => time * 0.5 < 120).length;
    expect(replayed).toBeGreaterThan(500);
    expect(replayed).toBeLessThan(times.length);
    expect(stats.totalRequests).toBe(replayed);
    expect(stats.completedRequests + stats.rejectedRequests).toBe(stats.totalRequests);
  });

  describe('closed-loop clients keep a fixed concurrency', () => {
    // Lognormal lengths, so the 16 clients drift apart and requests start and end at all times.
    const clients = 16;
    const metrics = new LLMInferenceSimulator({
      modelSpec: { name: 'llama-2-7b' },
      workloadSpec: {
        arrivalProcess: 'closed-loop',
        concurrency: clients,
        numRequests: 400,
        lengthDistribution: 'lognormal',
      },
      drain: true,
      // Prefill-first iterations keep the clients out of step (V1's mixed iterations line them up).
      engineProfile: 'vllm-v0',
    }).run({ recordRequests: true });
    const records = metrics.requestRecords();
    // While clients still send (until the 400th request arrives), a finished request's client
    // sends its next one at the same instant (zero think time).
    const lastArrival = Math.max(...records.map((record) => record.arrivalS));

    it('counted from arrival and finish times: exactly N requests in the system at every instant', () => {
      // A prompt beyond the context is refused on arrival (in the system for no time); its client
      // sends the next request at once.
      const stats = metrics.computeStatistics();
      expect(stats.completedRequests + stats.rejectedRequests).toBe(400);
      expect(records).toHaveLength(stats.completedRequests);
      const events: [time: number, change: number][] = [];
      for (const record of records) {
        events.push([record.arrivalS, +1]);
        events.push([record.arrivalS + record.endToEndLatencyS, -1]);
      }
      events.sort((a, b) => a[0] - b[0]);
      // A finish and the client's next arrival are the same instant; arrival + e2e may differ from it
      // in the last bit, so events within a relative 1e-12 are one instant.
      let inSystem = 0;
      let instants = 0;
      let index = 0;
      while (index < events.length) {
        const time = (events[index] as [number, number])[0];
        while (index < events.length && (events[index] as [number, number])[0] <= time + 1e-12 * (1 + time)) {
          inSystem += (events[index] as [number, number])[1];
          index++;
        }
        if (time < lastArrival) {
          expect(inSystem, `requests in system at ${time} s`).toBe(clients);
          instants++;
        }
      }
      expect(inSystem).toBe(0);
      expect(instants).toBeGreaterThan(300); // the clients are out of step: many distinct instants
    });

    it('in the time series: N requests in the system on average in every interval before the last arrival', () => {
      const series = metrics.timeSeries();
      const population = (series as TimeSeries & { readonly requestsInSystem?: readonly number[] })
        .requestsInSystem;
      expect(population, 'metrics.timeSeries().requestsInSystem').toBeDefined();
      const interval = (series.timeS[1] as number) - (series.timeS[0] as number);
      let checked = 0;
      (population as readonly number[]).forEach((value, index) => {
        if ((series.timeS[index] as number) + interval <= lastArrival) {
          expect(Math.abs(value - clients), `interval ${index}`).toBeLessThan(1e-9);
          checked++;
        }
      });
      expect(checked).toBeGreaterThan(50);
    });
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
      const stats = exact.computeStatistics();
      // Both paths have real work to agree on: many requests, and in the second config KV-cache
      // pressure, so that swapping preempted sequences in and out is compared too.
      expect(stats.completedRequests).toBeGreaterThan(100);
      if (config.schedulerSpec !== undefined) expect(stats.preemptions).toBeGreaterThan(50);
      expectClose(bulk.computeStatistics(), stats);
    }
  });
});
