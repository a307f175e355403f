import {
  ConfigError,
  createRandomStreams,
  LLMInferenceSimulator,
  resolveConfig,
  type SimulationStatistics,
  type SimulatorConfig,
  WorkloadSource,
} from '@sim/engine';
import { describe, expect, it } from 'vitest';

/** Light load on one A100 (vLLM v0 mechanics: the tests are about arrivals and bookkeeping). */
const deployment = {
  modelSpec: { name: 'llama-2-7b' },
  clusterSpec: { gpuSpec: { name: 'A100-80GB' }, nGpusPerNode: 1 },
  engineProfile: 'vllm-v0',
  seed: 7,
} as const satisfies SimulatorConfig;

type Stages = { rate: number; durationS: number }[];

/** Every open-loop arrival of a config, straight from the workload source. */
function arrivals(config: SimulatorConfig) {
  const source = new WorkloadSource(resolveConfig(config), createRandomStreams(resolveConfig(config).seed));
  const all = [];
  for (let arrival = source.next(); arrival !== undefined; arrival = source.next()) all.push(arrival);
  return { all, source };
}

const stageStarts = (stages: Stages) => {
  const starts = [0];
  for (const stage of stages) starts.push((starts.at(-1) as number) + stage.durationS);
  return starts;
};

describe('load stages: arrivals', () => {
  it('deterministic stages: evenly spaced at 1 / rate from each stage start, exactly rate × duration each', () => {
    const stages = [
      { rate: 2, durationS: 5 },
      { rate: 4, durationS: 2.5 },
      { rate: 0.5, durationS: 6 },
    ];
    const { all, source } = arrivals({
      ...deployment,
      workloadSpec: { arrivalProcess: 'deterministic', stages, avgInputLength: 64, avgOutputLength: 8 },
    });
    const starts = stageStarts(stages);
    const expected: number[] = [];
    stages.forEach((stage, index) => {
      for (let k = 0; k < stage.rate * stage.durationS; k++)
        expected.push((starts[index] as number) + k / stage.rate);
    });
    expect(all.map((arrival) => arrival.time)).toEqual(expected);
    expect(all).toHaveLength(10 + 10 + 3);
    // Arrivals end with the stages (simulationDurationS defaults to their total, 13.5 s).
    expect(source.arrivalsEndS).toBe(13.5);
    expect(all.every((arrival) => arrival.prefixGroup === -1)).toBe(true);
  });

  it('the run follows the stages: per-stage counts, T covers the last stage, the time series spans it', () => {
    const stages = [
      { rate: 2, durationS: 10 },
      { rate: 6, durationS: 10 },
    ];
    const metrics = new LLMInferenceSimulator({
      ...deployment,
      workloadSpec: { arrivalProcess: 'deterministic', stages, avgInputLength: 128, avgOutputLength: 16 },
      drain: true,
    }).run({ recordRequests: true });
    const stats = metrics.computeStatistics();
    expect(stats.totalRequests).toBe(80);
    expect(stats.stages.map((stage) => stage.totalRequests)).toEqual([20, 60]);
    expect(stats.stages.map((stage) => [stage.index, stage.rate, stage.startS, stage.durationS])).toEqual([
      [0, 2, 0, 10],
      [1, 6, 10, 10],
    ]);
    const arrivalsS = metrics
      .requestRecords()
      .map((record) => record.arrivalS)
      .sort((a, b) => a - b);
    expect(arrivalsS.filter((time) => time < 10)).toHaveLength(20);
    expect(arrivalsS.at(-1)).toBeCloseTo(10 + 59 / 6, 12);
    // Arrivals could have come until the end of the last stage: T is at least 20 s.
    expect(stats.simulatedDurationS).toBeGreaterThanOrEqual(20);
    const series = metrics.timeSeries();
    expect((series.timeS.at(-1) as number) + (series.timeS[1] as number)).toBeGreaterThanOrEqual(19.9);
    // A light load keeps up in both stages: each stage's req/s is its rate.
    expect(stats.stages[0]?.requestsPerSec).toBeCloseTo(2, 6);
    expect(stats.stages[1]?.requestsPerSec).toBeCloseTo(6, 6);
  });

  it('poisson stages: each stage its own rate (within 5 σ of the Poisson count), gaps restart at every boundary', () => {
    const stages = [
      { rate: 5, durationS: 200 },
      { rate: 0.05, durationS: 100 },
      { rate: 50, durationS: 200 },
    ];
    const { all } = arrivals({
      ...deployment,
      workloadSpec: { arrivalProcess: 'poisson', stages, avgInputLength: 64, avgOutputLength: 8 },
    });
    const starts = stageStarts(stages);
    stages.forEach((stage, index) => {
      const inside = all.filter(
        (arrival) =>
          arrival.time >= (starts[index] as number) && arrival.time < (starts[index + 1] as number),
      );
      const mean = stage.rate * stage.durationS;
      expect(Math.abs(inside.length - mean)).toBeLessThan(5 * Math.sqrt(mean) + 1);
    });
    // After the quiet stage the first arrival comes about 1/50 s into the busy one, not a 20 s gap later.
    const firstBusy = all.find((arrival) => arrival.time >= 300);
    expect((firstBusy?.time as number) - 300).toBeLessThan(0.5);
    // In time order, and nothing after the last stage.
    for (let index = 1; index < all.length; index++)
      expect((all[index]?.time as number) >= (all[index - 1]?.time as number)).toBe(true);
    expect((all.at(-1)?.time as number) < 500).toBe(true);
  });

  it('numRequests and a shorter simulationDurationS cut the stages', () => {
    const stages = [
      { rate: 2, durationS: 5 },
      { rate: 4, durationS: 5 },
    ];
    const workload = {
      arrivalProcess: 'deterministic',
      stages,
      avgInputLength: 64,
      avgOutputLength: 8,
    } as const;
    const byCount = arrivals({ ...deployment, workloadSpec: { ...workload, numRequests: 13 } });
    expect(byCount.all).toHaveLength(13);
    expect(byCount.source.arrivalsEndS).toBe(5.5);
    const byDuration = arrivals({ ...deployment, workloadSpec: workload, simulationDurationS: 7 });
    expect(byDuration.all).toHaveLength(10 + 8);
    expect(byDuration.source.arrivalsEndS).toBe(7);
    // The stage cut by the duration divides its rates by the 2 s it ran, not its 5 s.
    const stats = new LLMInferenceSimulator({
      ...deployment,
      workloadSpec: workload,
      simulationDurationS: 7,
      drain: true,
    })
      .run()
      .computeStatistics();
    expect(stats.stages[1]?.totalRequests).toBe(8);
    expect(stats.stages[1]?.requestsPerSec).toBeCloseTo(8 / 2, 9);
  });

  it('the run-size limit counts Σ rate × duration', () => {
    const config = {
      ...deployment,
      workloadSpec: {
        stages: [
          { rate: 100, durationS: 60 },
          { rate: 1000, durationS: 60 },
        ],
      },
    };
    let error: unknown;
    try {
      new LLMInferenceSimulator(config).run({ maxRequests: 50_000 });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const issue = (error as ConfigError).issues[0];
    expect(issue?.code).toBe('run_too_large');
    expect(issue?.path).toBe('workloadSpec.stages');
    expect(issue?.message).toContain('about 6.60e+4 requests');
  });
});

/** Every stage's count-like field summed. */
const sum = (stats: SimulationStatistics, pick: (stage: SimulationStatistics['stages'][number]) => number) =>
  stats.stages.reduce((total, stage) => total + pick(stage), 0);

describe('load stages: per-stage statistics', () => {
  const twoEqualStages = (extra: SimulatorConfig = {}): SimulatorConfig => ({
    ...deployment,
    workloadSpec: {
      stages: [
        { rate: 5, durationS: 30 },
        { rate: 5, durationS: 30 },
      ],
      avgInputLength: 512,
      avgOutputLength: 64,
    },
    drain: true,
    ...extra,
  });

  it('two equal stages add up to the overall statistics', () => {
    const stats = new LLMInferenceSimulator(twoEqualStages({ slo: { ttftS: 0.1 } }))
      .run()
      .computeStatistics();
    expect(stats.stages).toHaveLength(2);
    expect(sum(stats, (stage) => stage.totalRequests)).toBe(stats.totalRequests);
    expect(sum(stats, (stage) => stage.completedRequests)).toBe(stats.completedRequests);
    expect(stats.completedRequests).toBe(stats.totalRequests);
    // Drained, nothing rejected: every token of the run belongs to some stage's requests.
    expect(sum(stats, (stage) => stage.outputTokens)).toBe(stats.outputTokens);
    expect(sum(stats, (stage) => stage.inputTokens)).toBe(stats.inputTokens);
    // The overall mean is the completion-weighted mean of the stages'.
    const weighted =
      sum(stats, (stage) => stage.firstTokenLatency.mean * stage.completedRequests) / stats.completedRequests;
    expect(weighted).toBeCloseTo(stats.firstTokenLatency.mean, 12);
    const e2e =
      sum(stats, (stage) => stage.endToEndLatency.mean * stage.completedRequests) / stats.completedRequests;
    expect(e2e).toBeCloseTo(stats.endToEndLatency.mean, 12);
    for (const stage of stats.stages) {
      expect(stage.throughputTokensPerSec).toBeCloseTo(stage.outputTokens / 30, 9);
      expect(stage.requestsPerSec).toBeCloseTo(stage.completedRequests / 30, 9);
      expect(stage.inFlightRequests).toBe(0);
      // Fixed lengths, drained: mean ITL = mean TPOT within each stage, as overall (docs/metrics.md).
      expect(stage.interTokenLatency.mean).toBeCloseTo(stage.timePerOutputToken.mean, 9);
      expect(stage.firstTokenLatency.max).toBeLessThanOrEqual(stats.firstTokenLatency.max);
      expect(stage.prefixCacheHitRate).toBe(0);
    }
    const met = sum(stats, (stage) => stage.goodput * 30);
    expect(met).toBeCloseTo(stats.goodput * stats.simulatedDurationS, 6);
    expect(stats.prefixCacheHitRate).toBe(0);
  });

  it('one stage: its latency statistics are the overall ones', () => {
    const stats = new LLMInferenceSimulator({
      ...deployment,
      workloadSpec: { stages: [{ rate: 8, durationS: 40 }], avgInputLength: 256, avgOutputLength: 64 },
      drain: true,
    })
      .run()
      .computeStatistics();
    const [stage] = stats.stages;
    expect(stage?.firstTokenLatency).toEqual(stats.firstTokenLatency);
    expect(stage?.timePerOutputToken).toEqual(stats.timePerOutputToken);
    expect(stage?.interTokenLatency).toEqual(stats.interTokenLatency);
    expect(stage?.endToEndLatency).toEqual(stats.endToEndLatency);
    expect(stage?.queueingDelay).toEqual(stats.queueingDelay);
    expect(stage?.completedRequests).toBe(stats.completedRequests);
  });

  it('inter-token gaps stay with their stage through preemptions (recompute and swap) and in bulk or exact iterations', () => {
    for (const preemptionMode of ['recompute', 'swap'] as const) {
      const config: SimulatorConfig = {
        ...deployment,
        workloadSpec: {
          stages: [
            { rate: 10, durationS: 10 },
            { rate: 40, durationS: 10 },
          ],
          avgInputLength: 512,
          avgOutputLength: 400,
        },
        schedulerSpec: { gpuMemoryUtilization: 0.3, preemptionMode, maxBatchSize: 256 },
        drain: true,
      };
      const bulk = new LLMInferenceSimulator(config).run().computeStatistics();
      expect(bulk.preemptions).toBeGreaterThan(0);
      for (const stage of bulk.stages)
        expect(stage.interTokenLatency.mean).toBeCloseTo(stage.timePerOutputToken.mean, 9);
      const exact = new LLMInferenceSimulator(config).run({ exactIterations: true }).computeStatistics();
      bulk.stages.forEach((stage, index) => {
        expect(exact.stages[index]?.interTokenLatency.mean).toBeCloseTo(stage.interTokenLatency.mean, 9);
        expect(exact.stages[index]?.completedRequests).toBe(stage.completedRequests);
      });
    }
  });

  it('a warm-up covering the first stage leaves it without latencies; the second stage has every measured request', () => {
    const stats = new LLMInferenceSimulator(twoEqualStages({ warmupS: 30 })).run().computeStatistics();
    const [first, second] = stats.stages;
    expect(first?.completedRequests).toBeGreaterThan(0);
    expect(first?.firstTokenLatency.mean).toBe(0);
    expect(first?.goodput).toBe(0);
    expect(second?.firstTokenLatency).toEqual(stats.firstTokenLatency);
    expect(second?.interTokenLatency).toEqual(stats.interTokenLatency);
    expect(second?.goodput).toBeCloseTo((stats.goodput * (stats.simulatedDurationS - 30)) / 30, 9);
  });

  it('without stages, `stages` is empty and arrivalRate drives the run as before', () => {
    const stats = new LLMInferenceSimulator({
      ...deployment,
      workloadSpec: { arrivalRate: 2, avgInputLength: 128, avgOutputLength: 16 },
      simulationDurationS: 10,
    })
      .run()
      .computeStatistics();
    expect(stats.stages).toEqual([]);
    expect(JSON.parse(JSON.stringify(stats)).stages).toEqual([]);
  });
});
