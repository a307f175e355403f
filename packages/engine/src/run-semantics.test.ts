import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LLMInferenceSimulator, SimulationRun, type SimulatorConfig } from '@sim/engine';
import { ConfigError, resolveConfig } from '@sim/specs';
import { describe, expect, it } from 'vitest';

const run = (config: SimulatorConfig, options = {}) => new LLMInferenceSimulator(config).run(options);

/** A synthetic request trace (made here: 300 requests, one every 0.05 s, 512 in / 128 out). */
function writeTrace(): string {
  const folder = mkdtempSync(join(tmpdir(), 'llm-sim-trace-'));
  const path = join(folder, 'burst.csv');
  const rows = ['arrival_time,input_tokens,output_tokens'];
  for (let index = 0; index < 300; index++) rows.push(`${(index * 0.05).toFixed(2)},512,128`);
  writeFileSync(path, `${rows.join('\n')}\n`);
  return path;
}

/** The first issue of the ConfigError `action` throws (fails the test when it throws nothing else). */
function firstIssue(action: () => unknown) {
  try {
    action();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).issues[0];
  }
  throw new Error('expected a ConfigError');
}

describe('simulated duration T (docs/metrics.md)', () => {
  it('500 saturated requests bounded by numRequests with a huge duration: T is when the last one finished, not the duration', () => {
    for (const drain of [false, true]) {
      const metrics = run(
        {
          modelSpec: { name: 'llama-2-7b' },
          workloadSpec: { arrivalRate: 1000, numRequests: 500 },
          simulationDurationS: 1e6,
          drain,
        },
        { recordRequests: true },
      );
      const stats = metrics.computeStatistics();
      const lastFinish = Math.max(...metrics.requestRecords().map((r) => r.arrivalS + r.endToEndLatencyS));
      expect(stats.completedRequests).toBe(500);
      expect(stats.simulatedDurationS).toBeCloseTo(lastFinish, 9);
      expect(stats.simulatedDurationS).toBeLessThan(200);
      expect(stats.throughputTokensPerSec).toBeCloseTo(stats.outputTokens / lastFinish, 6);
      // Saturated A100 serving llama-2-7b: thousands of tokens/s, not the 0.13 tok/s a 1e6 s T gives.
      expect(stats.throughputTokensPerSec).toBeGreaterThan(1000);
      expect(stats.gpuUtilization).toBeGreaterThan(0.5);
      const series = metrics.timeSeries();
      expect(series.timeS.length).toBeGreaterThan(50);
      expect(series.timeS.at(-1) as number).toBeLessThan(lastFinish);
    }
  });

  it('every combination of duration × numRequests × drain × trace gives the T of its definition', () => {
    const trace = writeTrace(); // arrivals 0 … 14.95 s
    for (const source of ['poisson', 'trace'] as const)
      for (const duration of [5, 1e6])
        for (const numRequests of [undefined, 120])
          for (const drain of [false, true]) {
            const workloadSpec =
              source === 'trace'
                ? { arrivalProcess: 'trace' as const, traceFile: trace }
                : { arrivalRate: 20, avgOutputLength: 64 };
            const config: SimulatorConfig = {
              modelSpec: { name: 'llama-2-7b' },
              workloadSpec: { ...workloadSpec, ...(numRequests === undefined ? {} : { numRequests }) },
              simulationDurationS: duration,
              drain,
            };
            if (source === 'poisson' && duration === 1e6 && numRequests === undefined) {
              // 20 req/s for 1e6 s is 2e7 requests: refused up front (see below), not run.
              expect(() => run(config)).toThrow(ConfigError);
              continue;
            }
            const metrics = run(config, { recordRequests: true });
            const stats = metrics.computeStatistics();
            const records = metrics.requestRecords();
            const label = `${source} duration=${duration} numRequests=${numRequests} drain=${drain}`;
            const lastFinish = Math.max(...records.map((r) => r.arrivalS + r.endToEndLatencyS));
            const lastArrival = Math.max(...records.map((r) => r.arrivalS));
            const cutByDuration =
              stats.totalRequests < (numRequests ?? (source === 'trace' ? 300 : Infinity));
            const arrivalsEnd = cutByDuration ? duration : lastArrival;
            if (stats.inFlightRequests > 0) {
              // Stopped at the duration with work left (only without drain).
              expect(drain, label).toBe(false);
              expect(stats.simulatedDurationS, label).toBe(duration);
            } else {
              const expected = Math.max(lastFinish, arrivalsEnd);
              expect(stats.simulatedDurationS, label).toBeCloseTo(
                drain ? expected : Math.min(duration, expected),
                9,
              );
            }
            if (!drain) expect(stats.simulatedDurationS, label).toBeLessThanOrEqual(duration);
            expect(stats.throughputTokensPerSec * stats.simulatedDurationS, label).toBeCloseTo(
              stats.outputTokens,
              6,
            );
            expect(stats.requestsPerSec * stats.simulatedDurationS, label).toBeCloseTo(
              stats.completedRequests,
              6,
            );
          }
  });

  it('progress stays within 0..1 and grows steadily for runs bounded by numRequests with a huge duration', () => {
    const simulation = new SimulationRun(
      resolveConfig({
        modelSpec: { name: 'llama-2-7b' },
        workloadSpec: { arrivalRate: 50, numRequests: 2000, avgOutputLength: 32 },
        simulationDurationS: 1e6,
        drain: true,
      }),
    );
    const fractions: number[] = [];
    while (simulation.step(50)) fractions.push(simulation.progress().fraction);
    expect(fractions.length).toBeGreaterThan(20);
    for (const fraction of fractions) expect(fraction).toBeGreaterThanOrEqual(0);
    for (const fraction of fractions) expect(fraction).toBeLessThanOrEqual(1);
    for (let index = 1; index < fractions.length; index++)
      expect(fractions[index] as number).toBeGreaterThanOrEqual(fractions[index - 1] as number);
    // Near the end, nearly done (before the fix: simulated time / 1e6 s, about 0.00004).
    expect(fractions.at(-1) as number).toBeGreaterThan(0.8);
    expect(simulation.progress(true).fraction).toBe(1);
  });
});

describe('progress while draining', () => {
  it('an overloaded drained run keeps counting after arrivals stop, instead of sitting at 100%', () => {
    const simulation = new SimulationRun(
      resolveConfig({
        modelSpec: { name: 'llama-2-7b' },
        // Well past what one A100 serves (about 30 req/s of these requests with the V1 profile).
        workloadSpec: { arrivalRate: 60 },
        simulationDurationS: 30,
        drain: true,
      }),
    );
    const samples: { time: number; fraction: number }[] = [];
    while (simulation.step(20)) {
      const progress = simulation.progress();
      samples.push({ time: progress.simulatedTimeS, fraction: progress.fraction });
    }
    const draining = samples.filter((sample) => sample.time > 30);
    expect(draining.length).toBeGreaterThan(10);
    // Arrivals stopped at 30 s with hundreds still queued: the drain is a visible part of the bar.
    expect((draining[0] as { fraction: number }).fraction).toBeLessThan(0.8);
    for (let index = 1; index < samples.length; index++)
      expect((samples[index] as { fraction: number }).fraction).toBeGreaterThanOrEqual(
        (samples[index - 1] as { fraction: number }).fraction,
      );
    for (const sample of samples) expect(sample.fraction).toBeLessThanOrEqual(1);
  });
});

describe('inter-token latency (docs/metrics.md)', () => {
  const loaded: Record<string, SimulatorConfig> = {
    'continuous (prefill-first, back-to-back prefills under load)': { workloadSpec: { arrivalRate: 12 } },
    'chunked prefill': {
      workloadSpec: { arrivalRate: 12 },
      schedulerSpec: { chunkedPrefill: true, maxNumBatchedTokens: 1024 },
    },
    'static batching': {
      workloadSpec: { arrivalRate: 8, batchSize: 8 },
      schedulerSpec: { batchingType: 'static', batchWaitTimeoutS: 0.5 },
    },
    'dynamic batching': { workloadSpec: { arrivalRate: 8 }, schedulerSpec: { batchingType: 'dynamic' } },
    'recompute preemption': {
      clusterSpec: { gpuSpec: { name: 'A100-40GB' } },
      workloadSpec: { arrivalRate: 30, avgInputLength: 1024, avgOutputLength: 512 },
      simulationDurationS: 20,
    },
    'swap preemption': {
      clusterSpec: { gpuSpec: { name: 'A100-40GB' } },
      workloadSpec: { arrivalRate: 30, avgInputLength: 1024, avgOutputLength: 512 },
      schedulerSpec: { preemptionMode: 'swap' },
      simulationDurationS: 20,
    },
    'pipeline parallel (virtual engines)': {
      modelSpec: { name: 'llama-2-70b' },
      clusterSpec: { nGpusPerNode: 4 },
      parallelismSpec: { tensorParallelSize: 2, pipelineParallelSize: 2 },
      workloadSpec: { arrivalRate: 6 },
    },
  };
  for (const [name, config] of Object.entries(loaded)) {
    it(`mean ITL equals mean TPOT with fixed output lengths and drain: ${name}`, () => {
      const full: SimulatorConfig = {
        modelSpec: { name: 'llama-2-7b' },
        simulationDurationS: 40,
        seed: 3,
        ...config,
        drain: true,
      };
      for (const exactIterations of [false, true]) {
        const stats = run(full, { exactIterations }).computeStatistics();
        expect(stats.inFlightRequests).toBe(0);
        // Both are Σ gaps / Σ (o − 1) over the same requests: equal up to float rounding.
        expect(stats.interTokenLatency.mean).toBeCloseTo(stats.timePerOutputToken.mean, 9);
        if (name.includes('preemption')) expect(stats.preemptions).toBeGreaterThan(0);
      }
    });
  }
});

describe('warm-up', () => {
  it('requests arriving before warmupS are left out of the latency statistics and SLO counts, not out of throughput', () => {
    const config: SimulatorConfig = {
      modelSpec: { name: 'llama-2-7b' },
      workloadSpec: { arrivalRate: 10, lengthDistribution: 'lognormal' },
      simulationDurationS: 60,
      drain: true,
      slo: { ttftS: 0.2 },
    };
    const cold = run(config, { recordRequests: true });
    const warm = run({ ...config, warmupS: 20 }, { recordRequests: true }).computeStatistics();
    const all = cold.computeStatistics();
    const kept = cold.requestRecords().filter((record) => record.arrivalS >= 20);
    expect(kept.length).toBeGreaterThan(300);
    expect(kept.length).toBeLessThan(all.completedRequests);
    const mean = (values: number[]) => values.reduce((sum, value) => sum + value, 0) / values.length;
    expect(warm.firstTokenLatency.mean).toBeCloseTo(mean(kept.map((r) => r.firstTokenLatencyS)), 9);
    expect(warm.endToEndLatency.mean).toBeCloseTo(mean(kept.map((r) => r.endToEndLatencyS)), 9);
    expect(warm.queueingDelay.mean).toBeCloseTo(mean(kept.map((r) => r.queueingDelayS)), 9);
    expect(warm.firstTokenLatency.min).toBe(Math.min(...kept.map((r) => r.firstTokenLatencyS)));
    const met = kept.filter((r) => r.firstTokenLatencyS <= 0.2).length;
    expect(warm.sloAttainment).toBeCloseTo(met / kept.length, 12);
    expect(warm.goodput).toBeCloseTo(met / (warm.simulatedDurationS - 20), 9);
    // The same run otherwise: served work and rates are unchanged.
    expect(warm.completedRequests).toBe(all.completedRequests);
    expect(warm.throughputTokensPerSec).toBe(all.throughputTokensPerSec);
    expect(warm.gpuUtilization).toBe(all.gpuUtilization);
  });

  it('with fixed lengths, mean ITL still equals mean TPOT over the measured requests', () => {
    const stats = run({
      modelSpec: { name: 'llama-2-7b' },
      workloadSpec: { arrivalRate: 12 },
      simulationDurationS: 40,
      warmupS: 15,
      drain: true,
    }).computeStatistics();
    expect(stats.interTokenLatency.mean).toBeCloseTo(stats.timePerOutputToken.mean, 9);
  });

  it('a warm-up as long as the run is a ConfigError naming warmupS', () => {
    expect(firstIssue(() => run({ simulationDurationS: 30, warmupS: 30 }))?.path).toBe('warmupS');
  });
});

describe('warnings', () => {
  const overloaded = (warnings: readonly string[]) =>
    warnings.some((warning) => warning.startsWith('Overloaded'));

  it('no overload warning on a stable deployment whose requests are long relative to the window', () => {
    // 70B on 12 × TP8 H100 at 45 req/s with long outputs for 120 s: completions lag arrivals only because
    // requests take tens of seconds, the queue stays empty.
    const stats = run({
      modelSpec: { name: 'llama-2-70b' },
      clusterSpec: { gpuSpec: { name: 'H100-80GB' }, nGpusPerNode: 8, nNodes: 12 },
      parallelismSpec: { tensorParallelSize: 8, dataParallelSize: 12, router: 'least-outstanding' },
      workloadSpec: {
        arrivalRate: 45,
        avgInputLength: 256,
        avgOutputLength: 1200,
        lengthDistribution: { type: 'lognormal', cv: 1.5 },
      },
      simulationDurationS: 120,
      // The deployment and load of the original report (vLLM v0 iteration times).
      engineProfile: 'vllm-v0',
    }).computeStatistics();
    expect(stats.queueingDelay.p99).toBeLessThan(1);
    expect(stats.inFlightRequests).toBeGreaterThan(0.2 * stats.totalRequests);
    expect(overloaded(stats.warnings)).toBe(false);
  });

  it('200,000 requests arriving at once: TTFT near an hour is called overload', () => {
    const stats = run({
      modelSpec: { name: 'llama-2-7b' },
      workloadSpec: { arrivalRate: 1e7, numRequests: 200_000, avgInputLength: 256, avgOutputLength: 64 },
      drain: true,
    }).computeStatistics();
    expect(stats.completedRequests).toBe(200_000);
    expect(stats.firstTokenLatency.p90).toBeGreaterThan(600);
    expect(overloaded(stats.warnings)).toBe(true);
  });

  it('a Poisson load above capacity is overload (queue growth), one well below is not', () => {
    const at = (arrivalRate: number) =>
      run({
        modelSpec: { name: 'llama-2-7b' },
        workloadSpec: { arrivalRate },
        simulationDurationS: 120,
      }).computeStatistics();
    expect(overloaded(at(25).warnings)).toBe(true);
    expect(overloaded(at(4).warnings)).toBe(false);
  });

  it('when more than 1% of admitted requests are unfinished, says latency covers completed requests only, with the oldest age', () => {
    const metrics = run(
      { modelSpec: { name: 'llama-2-7b' }, workloadSpec: { arrivalRate: 25 }, simulationDurationS: 60 },
      { recordRequests: true },
    );
    const stats = metrics.computeStatistics();
    const caveat = stats.warnings.find((warning) => warning.includes('completed requests only'));
    expect(caveat).toBeDefined();
    expect(caveat).toContain(`${stats.inFlightRequests} of ${stats.totalRequests - stats.rejectedRequests}`);
    const age = Number(/in the system for ([\d.]+) s/.exec(caveat as string)?.[1]);
    // The oldest unfinished request arrived after the last request that was admitted before it finished… bounded by the run.
    expect(age).toBeGreaterThan(stats.endToEndLatency.max - 1);
    expect(age).toBeLessThanOrEqual(60);
    const drained = run({
      modelSpec: { name: 'llama-2-7b' },
      workloadSpec: { arrivalRate: 25 },
      simulationDurationS: 60,
      drain: true,
    }).computeStatistics();
    expect(drained.warnings.some((warning) => warning.includes('completed requests only'))).toBe(false);
  });
});

describe('nothing completed', () => {
  it('when every request is rejected, says so instead of calling the run too short', () => {
    const stats = run({
      modelSpec: { name: 'llama-3.1-8b' },
      clusterSpec: { gpuSpec: { name: 'L4' } },
      // Longer than the whole KV cache (about 35k tokens on an L4 after the weights), within the context.
      workloadSpec: { avgInputLength: 100_000, numRequests: 2 },
      drain: true,
    }).computeStatistics();
    expect(stats.rejectedRequests).toBe(2);
    expect(stats.warnings.some((warning) => warning.startsWith('2 requests rejected'))).toBe(true);
    expect(stats.warnings.some((warning) => warning.includes('too short'))).toBe(false);
  });
});

describe('memory warnings reach the run', () => {
  it('a KV cache smaller than one max-length sequence is a warning with the number', () => {
    const stats = run({
      modelSpec: { name: 'llama-2-70b' },
      clusterSpec: { gpuSpec: { name: 'A100-40GB', memoryBytes: 40e9 }, nGpusPerNode: 4 },
      parallelismSpec: { tensorParallelSize: 4 },
      workloadSpec: { arrivalRate: 1, avgInputLength: 256, avgOutputLength: 64 },
      simulationDurationS: 10,
      // The reported case's numbers: vLLM v0's 8192-token budget sets the activation reserve.
      engineProfile: 'vllm-v0',
    }).computeStatistics();
    expect(stats.memory.kvCapacityTokens).toBe(880);
    expect(stats.warnings.some((warning) => warning.startsWith('KV cache holds 880 tokens'))).toBe(true);
  });
});

describe('absurd inputs', () => {
  it('a 1e9 s Poisson run is refused up front with the estimate and how to override', () => {
    const issue = firstIssue(() => run({ simulationDurationS: 1e9 }));
    expect(issue?.code).toBe('run_too_large');
    expect(issue?.path).toBe('simulationDurationS');
    expect(issue?.message).toContain('2.00e+9 requests');
    expect(issue?.message).toContain('maxRequests');
  });

  it('the limit is a run option: lower it to refuse, raise it to allow', () => {
    const config: SimulatorConfig = { workloadSpec: { arrivalRate: 2 }, simulationDurationS: 60 };
    expect(() => run(config, { maxRequests: 50 })).toThrow(/about 120 requests/);
    expect(run(config, { maxRequests: 1000 }).computeStatistics().totalRequests).toBeGreaterThan(0);
    expect(() =>
      run({ workloadSpec: { arrivalProcess: 'closed-loop', concurrency: 64 }, simulationDurationS: 1e9 }),
    ).toThrow(ConfigError);
  });
});

describe('edge cases found in review', () => {
  it('closed-loop clients whose every request is rejected stop at the request limit with the cause, instead of looping at t = 0', () => {
    const issue = firstIssue(() =>
      run(
        {
          modelSpec: { name: 'llama-2-7b' },
          schedulerSpec: { gpuMemoryUtilization: 0.18 },
          workloadSpec: {
            arrivalProcess: 'closed-loop',
            concurrency: 4,
            avgInputLength: 3000,
            avgOutputLength: 1000,
          },
          simulationDurationS: 10,
        },
        { maxRequests: 10_000 },
      ),
    );
    expect(issue?.code).toBe('run_too_large');
    expect(issue?.path).toBe('workloadSpec.thinkTimeS');
    expect(issue?.message).toContain('were rejected');
  });

  it('a trace replay without simulationDurationS plays the whole trace; a duration that cuts it says so', () => {
    const trace = writeTrace(); // 300 rows over 14.95 s
    const whole = run({ workloadSpec: { traceFile: trace }, drain: true }).computeStatistics();
    expect(whole.totalRequests).toBe(300);
    expect(whole.warnings.some((warning) => warning.includes('replayed'))).toBe(false);
    const cut = run({ workloadSpec: { traceFile: trace }, simulationDurationS: 5 }).computeStatistics();
    expect(cut.totalRequests).toBe(100);
    expect(cut.warnings).toContain(
      "simulationDurationS 5 s replayed 100 of the trace's 300 requests (the rest arrive later). Leave simulationDurationS out to replay the whole trace.",
    );
  });

  it('request-level batching waiting for its batch timeout at light load is not overload; a saturated closed loop says saturated', () => {
    const overloaded = (warnings: readonly string[]) =>
      warnings.some((warning) => warning.startsWith('Overloaded'));
    for (const batchingType of ['static', 'dynamic'] as const) {
      const stats = run({
        modelSpec: { name: 'llama-2-7b' },
        schedulerSpec: { batchingType, maxBatchSize: 8, batchWaitTimeoutS: 3 },
        workloadSpec: { arrivalRate: 1, avgOutputLength: 32, batchSize: 8 },
        simulationDurationS: 120,
      }).computeStatistics();
      expect(stats.queueingDelay.p90).toBeGreaterThan(1);
      expect(overloaded(stats.warnings)).toBe(false);
    }
    const loop = run({
      modelSpec: { name: 'llama-2-7b' },
      schedulerSpec: { maxBatchSize: 8 },
      workloadSpec: { arrivalProcess: 'closed-loop', concurrency: 64, numRequests: 2000 },
    }).computeStatistics();
    expect(overloaded(loop.warnings)).toBe(false);
    expect(
      loop.warnings.some((warning) => warning.startsWith('Saturated') && warning.includes('concurrency')),
    ).toBe(true);
  });

  it('a run stopped early (stopAfterSloMisses) keeps utilizations within 0..1', () => {
    const stats = run(
      {
        modelSpec: { name: 'llama-2-7b' },
        workloadSpec: { arrivalRate: 100 },
        simulationDurationS: 20,
        slo: { ttftS: 0.5 },
      },
      { stopAfterSloMisses: 20 },
    ).computeStatistics();
    expect(stats.simulatedDurationS).toBeLessThan(20);
    for (const value of [stats.gpuUtilization, stats.mfu, stats.mbu, stats.kvCacheUtilization.mean])
      expect(value).toBeLessThanOrEqual(1);
  });

  it('a warm-up past the default duration is refused; one past every arrival of a bounded run is a warning', () => {
    expect(() => run({ warmupS: 100 })).toThrow(/warmupS: 100 s leaves nothing to measure.*\(the default\)/s);
    const stats = run({ warmupS: 1e6, workloadSpec: { numRequests: 10 } }).computeStatistics();
    expect(
      stats.warnings.some((warning) => warning.startsWith('No completed request arrived after warmupS')),
    ).toBe(true);
  });

  it('a trace too long for the limit names the trace, not numRequests', () => {
    const issue = firstIssue(() => run({ workloadSpec: { traceFile: writeTrace() } }, { maxRequests: 100 }));
    expect(issue?.path).toBe('workloadSpec.traceFile');
    expect(issue?.message).toContain("the trace's 300 requests");
  });
});
