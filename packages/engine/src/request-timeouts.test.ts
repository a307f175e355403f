import {
  ConfigError,
  LLMInferenceSimulator,
  type SimulationStatistics,
  type SimulatorConfig,
} from '@sim/engine';
import { describe, expect, it } from 'vitest';

const run = (config: SimulatorConfig, exactIterations = false) =>
  new LLMInferenceSimulator(config).run({ recordRequests: true, exactIterations });

/** The statistics without the fields a timeout adds (overall and per stage). */
function withoutTimeoutFields(statistics: SimulationStatistics): unknown {
  const { timedOutRequests, completedOutputTokensPerSec, stages, ...rest } = statistics;
  return {
    ...rest,
    stages: stages.map(({ timedOutRequests: _, ...stage }) => stage),
  };
}

/** Every request is completed, rejected, timed out or still in flight, overall and in each stage. */
function expectConservation(statistics: SimulationStatistics): void {
  const { totalRequests, completedRequests, rejectedRequests, timedOutRequests, inFlightRequests } =
    statistics;
  expect(completedRequests + rejectedRequests + (timedOutRequests ?? 0) + inFlightRequests).toBe(
    totalRequests,
  );
  expect(inFlightRequests).toBeGreaterThanOrEqual(0);
  for (const stage of statistics.stages)
    expect(
      stage.completedRequests +
        stage.rejectedRequests +
        (stage.timedOutRequests ?? 0) +
        stage.inFlightRequests,
    ).toBe(stage.totalRequests);
  if (statistics.stages.length > 0)
    expect(statistics.stages.reduce((sum, stage) => sum + (stage.timedOutRequests ?? 0), 0)).toBe(
      timedOutRequests ?? 0,
    );
}

/** The overloaded run of the task: 4 req/s of 1000-in / 1500-out requests on one H100, 600 s, drained. */
const overloaded = (requestTimeoutS: number | undefined, seed = 42): SimulatorConfig => ({
  modelSpec: { name: 'llama-2-7b' },
  clusterSpec: { gpuSpec: { name: 'H100' } },
  workloadSpec: {
    avgInputLength: 1000,
    avgOutputLength: 1500,
    arrivalRate: 4,
    ...(requestTimeoutS === undefined ? {} : { requestTimeoutS }),
  },
  simulationDurationS: 600,
  drain: true,
  seed,
});

describe('client request timeouts (workloadSpec.requestTimeoutS)', () => {
  it('a timeout longer than any latency changes nothing but the new fields', () => {
    const configs: SimulatorConfig[] = [
      {
        modelSpec: { name: 'llama-2-7b' },
        workloadSpec: { arrivalRate: 8, lengthDistribution: 'lognormal', avgOutputLength: 200 },
        simulationDurationS: 60,
        drain: true,
      },
      // Not drained: requests in flight at the end keep their pending timeouts.
      {
        modelSpec: { name: 'llama-2-7b' },
        clusterSpec: { gpuSpec: { name: 'A100-80GB' } },
        workloadSpec: { arrivalRate: 12, lengthDistribution: 'lognormal' },
        simulationDurationS: 40,
      },
      // Stages, shared prefixes and prefix caching, data parallelism.
      {
        modelSpec: { name: 'llama-3.1-8b' },
        clusterSpec: { gpuSpec: { name: 'H100' }, nGpusPerNode: 2 },
        parallelismSpec: { dataParallelSize: 2, router: 'least-outstanding' },
        workloadSpec: {
          lengthDistribution: 'lognormal',
          prefixSharing: { groups: 4, prefixLength: 256 },
          stages: [
            { rate: 5, durationS: 20 },
            { rate: 20, durationS: 20 },
          ],
        },
        drain: true,
      },
      // Closed loop, KV pressure with swapping, pipeline parallelism.
      {
        modelSpec: { name: 'llama-2-7b' },
        clusterSpec: { gpuSpec: { name: 'A100-80GB' }, nGpusPerNode: 2 },
        parallelismSpec: { pipelineParallelSize: 2 },
        schedulerSpec: { gpuMemoryUtilization: 0.3, preemptionMode: 'swap' },
        workloadSpec: { arrivalProcess: 'closed-loop', concurrency: 48, avgOutputLength: 300 },
        simulationDurationS: 30,
        drain: true,
      },
    ];
    for (const config of configs) {
      const without = run(config).computeStatistics();
      const longest = without.endToEndLatency.max;
      const metrics = run({
        ...config,
        workloadSpec: { ...config.workloadSpec, requestTimeoutS: 2 * longest + 10 },
      });
      const statistics = metrics.computeStatistics();
      expect(without.timedOutRequests).toBeUndefined();
      expect(without.completedOutputTokensPerSec).toBeUndefined();
      expect(statistics.timedOutRequests).toBe(0);
      expect(withoutTimeoutFields(statistics)).toEqual(withoutTimeoutFields(without));
      const completedTokens = metrics.requestRecords().reduce((sum, record) => sum + record.outputTokens, 0);
      expect(statistics.completedOutputTokensPerSec).toBeCloseTo(
        completedTokens / statistics.simulatedDurationS,
        9,
      );
      if (config.drain === true)
        expect(statistics.completedOutputTokensPerSec).toBeCloseTo(statistics.throughputTokensPerSec, 9);
      for (const stage of statistics.stages) expect(stage.timedOutRequests).toBe(0);
    }
  });

  it('an overloaded run times requests out: conservation, completed ones within the timeout, T bounded', () => {
    const timeout = 300;
    const metrics = run(overloaded(timeout));
    const statistics = metrics.computeStatistics();
    const timedOut = statistics.timedOutRequests as number;
    expect(timedOut).toBeGreaterThan(0.3 * statistics.totalRequests);
    expect(statistics.completedRequests).toBeGreaterThan(100);
    expectConservation(statistics);
    expect(statistics.inFlightRequests).toBe(0);
    // A client that waits 300 s sees every completed response within 300 s.
    for (const record of metrics.requestRecords())
      expect(record.endToEndLatencyS).toBeLessThanOrEqual(timeout);
    expect(statistics.endToEndLatency.max).toBeLessThanOrEqual(timeout);
    // Arrivals end at 600 s; the last request leaves by its deadline, and the server is done after
    // at most the iteration in flight then (a decode iteration here is tens of milliseconds).
    expect(statistics.simulatedDurationS).toBeGreaterThan(600);
    expect(statistics.simulatedDurationS).toBeLessThanOrEqual(600 + timeout + 1);
    // Timed-out requests' tokens are generated but not delivered.
    const completedTokens = metrics.requestRecords().reduce((sum, record) => sum + record.outputTokens, 0);
    expect(completedTokens).toBe(1500 * statistics.completedRequests);
    expect(statistics.completedOutputTokensPerSec).toBeCloseTo(
      completedTokens / statistics.simulatedDurationS,
      9,
    );
    expect(statistics.outputTokens).toBeGreaterThan(completedTokens);
    expect(statistics.completedOutputTokensPerSec as number).toBeLessThan(statistics.throughputTokensPerSec);
    // The warnings say how many timed out and that latencies cover completed requests only.
    const warning = statistics.warnings.find((text) => text.includes('timed out:'));
    expect(warning).toContain(`${timedOut} of ${statistics.totalRequests} admitted requests`);
    expect(warning).toContain('Latency statistics cover completed requests only');
    expect(
      statistics.warnings.some((text) => text.startsWith('Overloaded') && text.includes('timed out')),
    ).toBe(true);
    expect(statistics.warnings.some((text) => text.startsWith('Completed requests is 0'))).toBe(false);
    // Without the timeout the same arrivals all complete, much later.
    const patient = run(overloaded(undefined)).computeStatistics();
    expect(patient.totalRequests).toBe(statistics.totalRequests);
    expect(patient.completedRequests).toBe(patient.totalRequests);
    expect(patient.endToEndLatency.max).toBeGreaterThan(timeout);
  });

  it('is deterministic per seed', () => {
    const config = { ...overloaded(120), simulationDurationS: 200 };
    const a = JSON.stringify(run(config).computeStatistics());
    expect(JSON.stringify(run(structuredClone(config)).computeStatistics())).toBe(a);
    expect(JSON.stringify(run({ ...config, seed: 7 }).computeStatistics())).not.toBe(a);
  });

  it('bulk steady decoding gives the same counts as one iteration at a time', () => {
    const config = { ...overloaded(60), simulationDurationS: 120 };
    const bulk = run(config).computeStatistics();
    const exact = run(config, true).computeStatistics();
    expect(bulk.timedOutRequests).toBeGreaterThan(0);
    for (const key of [
      'completedRequests',
      'timedOutRequests',
      'inFlightRequests',
      'outputTokens',
      'inputTokens',
      'iterations',
      'preemptions',
    ] as const)
      expect(bulk[key], key).toBe(exact[key]);
    expect(bulk.endToEndLatency.mean).toBeCloseTo(exact.endToEndLatency.mean, 9);
    expect(bulk.simulatedDurationS).toBeCloseTo(exact.simulatedDurationS, 9);
  });

  it('holds with stages, prefix caching, swapping, pipeline parallelism, several replicas and closed loops', () => {
    const configs: SimulatorConfig[] = [
      {
        modelSpec: { name: 'llama-3.1-8b' },
        clusterSpec: { gpuSpec: { name: 'H100' }, nGpusPerNode: 2 },
        parallelismSpec: { dataParallelSize: 2, router: 'least-outstanding' },
        schedulerSpec: { gpuMemoryUtilization: 0.3 },
        workloadSpec: {
          lengthDistribution: 'lognormal',
          avgInputLength: 1024,
          avgOutputLength: 600,
          prefixSharing: { groups: 4, prefixLength: 512 },
          stages: [
            { rate: 10, durationS: 30 },
            { rate: 40, durationS: 30 },
          ],
          requestTimeoutS: 20,
        },
        drain: true,
      },
      {
        modelSpec: { name: 'llama-2-7b' },
        clusterSpec: { gpuSpec: { name: 'A100-80GB' } },
        schedulerSpec: { gpuMemoryUtilization: 0.3, preemptionMode: 'swap', chunkedPrefill: true },
        workloadSpec: {
          arrivalRate: 30,
          avgOutputLength: 512,
          lengthDistribution: 'lognormal',
          requestTimeoutS: 10,
        },
        simulationDurationS: 40,
        drain: true,
      },
      {
        modelSpec: { name: 'llama-2-70b' },
        clusterSpec: { gpuSpec: { name: 'H100' }, nGpusPerNode: 4 },
        parallelismSpec: { tensorParallelSize: 2, pipelineParallelSize: 2 },
        workloadSpec: { arrivalRate: 12, avgOutputLength: 400, requestTimeoutS: 15 },
        simulationDurationS: 40,
        drain: true,
      },
      {
        modelSpec: { name: 'llama-2-7b' },
        workloadSpec: {
          arrivalProcess: 'closed-loop',
          concurrency: 64,
          lengthDistribution: 'lognormal',
          avgOutputLength: 400,
          requestTimeoutS: 6,
        },
        simulationDurationS: 40,
      },
    ];
    for (const config of configs) {
      const metrics = run(config);
      const statistics = metrics.computeStatistics();
      const timeout = config.workloadSpec?.requestTimeoutS as number;
      expect(statistics.timedOutRequests, JSON.stringify(config.workloadSpec)).toBeGreaterThan(0);
      expect(statistics.completedRequests).toBeGreaterThan(0);
      expectConservation(statistics);
      if (config.drain === true) expect(statistics.inFlightRequests).toBe(0);
      for (const record of metrics.requestRecords())
        expect(record.endToEndLatencyS).toBeLessThanOrEqual(timeout);
    }
    // A closed-loop client sends its next request at once (no think time) when its request
    // completes, is rejected or times out.
    const closed = run(configs[3] as SimulatorConfig).computeStatistics();
    expect(closed.totalRequests).toBe(
      64 + closed.completedRequests + closed.rejectedRequests + (closed.timedOutRequests as number),
    );
  });

  it('is refused with request-level batching, whose batches run to completion', () => {
    for (const batchingType of ['static', 'dynamic'] as const) {
      const simulator = new LLMInferenceSimulator({
        schedulerSpec: { batchingType },
        workloadSpec: { requestTimeoutS: 30 },
      });
      expect(() => simulator.run()).toThrow(ConfigError);
      try {
        simulator.run();
      } catch (error) {
        const issue = (error as ConfigError).issues[0];
        expect(issue?.path).toBe('workloadSpec.requestTimeoutS');
        expect(issue?.message).toContain('runs to completion');
      }
    }
  });
});
