import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type DistributionSummary,
  LLMInferenceSimulator,
  type RequestRecord,
  type SimulationStatistics,
  type SimulatorConfig,
} from '@sim/engine';
import { afterAll, describe, expect, it } from 'vitest';

/**
 * Metamorphic tests: for each metric, a change to the input whose effect on the metric is known
 * exactly from the metric's definition (docs/metrics.md), checked by running both inputs. Where
 * the relation is an identity the tolerance is floating-point rounding only (the two runs add the
 * same durations in a different order, or accumulate arrival times differently).
 */

const run = (config: SimulatorConfig) => new LLMInferenceSimulator(config).run({ recordRequests: true });

/** Relative rounding slack between two runs that compute the same quantity along different paths. */
const RELATIVE = 1e-9;
/** Absolute slack for per-request times (sums of a few thousand durations, in seconds). */
const ABSOLUTE_S = 1e-9;

const expectSameRelative = (actual: number, expected: number, what: string) =>
  expect(Math.abs(actual - expected), `${what}: ${actual} vs ${expected}`).toBeLessThanOrEqual(
    RELATIVE * Math.abs(expected),
  );

const LATENCIES = [
  'firstTokenLatency',
  'timePerOutputToken',
  'interTokenLatency',
  'endToEndLatency',
  'queueingDelay',
] as const satisfies readonly (keyof SimulationStatistics)[];

/** Mean, min and max are what a metamorphic relation fixes (percentiles interpolate between samples). */
function expectSameSummary(actual: DistributionSummary, expected: DistributionSummary, what: string) {
  for (const key of ['mean', 'min', 'max'] as const)
    expect(Math.abs(actual[key] - expected[key]), `${what}.${key}`).toBeLessThanOrEqual(
      ABSOLUTE_S + RELATIVE * Math.abs(expected[key]),
    );
}

/** The per-request latencies of `record` equal those of `reference`. */
function expectSameRequest(record: RequestRecord, reference: RequestRecord) {
  for (const key of ['queueingDelayS', 'firstTokenLatencyS', 'endToEndLatencyS'] as const)
    expect(Math.abs(record[key] - reference[key]), `request ${record.id} ${key}`).toBeLessThanOrEqual(
      ABSOLUTE_S,
    );
  expect(record.outputTokens).toBe(reference.outputTokens);
}

/** A100-80GB with both peaks divided by `slowdown`: the peak-bound part of every kernel takes `slowdown` times as long. */
const slowedA100 = (slowdown: number) => ({
  name: 'A100-80GB',
  computeTflops: 312 / slowdown,
  memoryBandwidthGbs: 2039 / slowdown,
});

/** One request alone on one GPU, no CPU overhead: every metric is a sum of kernel times. */
const lone = (slowdown: number, avgOutputLength = 64): SimulatorConfig => ({
  modelSpec: { name: 'llama-2-7b' },
  engineProfile: 'ideal',
  clusterSpec: { gpuSpec: slowedA100(slowdown) },
  workloadSpec: { numRequests: 1, avgInputLength: 512, avgOutputLength },
  drain: true,
});

describe('kernel time (TTFT, TPOT, ITL, E2E at batch 1)', () => {
  // Each kernel takes launch + (peak-bound time), and the peak-bound time (the roofline's smooth
  // maximum of FLOPs / peak and bytes / bandwidth) is homogeneous in 1 / peak. Dividing both peaks
  // by s multiplies it by s, so at batch 1 every latency is L + s·V: doubling the slowdown doubles
  // the slowdown-dependent increment, m(4) − m(2) = 2 (m(2) − m(1)).
  const stats = [1, 2, 4].map((slowdown) => run(lone(slowdown)).computeStatistics());

  for (const metric of [
    'firstTokenLatency',
    'timePerOutputToken',
    'interTokenLatency',
    'endToEndLatency',
  ] as const) {
    it(`${metric}: halving the GPU's peaks doubles its peak-bound part`, () => {
      const [m1, m2, m4] = stats.map((entry) => entry[metric].mean) as [number, number, number];
      expect(Math.abs(m4 - m2 - 2 * (m2 - m1))).toBeLessThanOrEqual(RELATIVE * m4);
      // Launch latencies are the only part that does not scale; they are a minority of the time.
      expect(m2 / m1).toBeGreaterThan(1.5);
      expect(m2 / m1).toBeLessThan(2);
    });
  }

  it('MFU and MBU: the same iterations count the same FLOPs and bytes whatever the GPU speed', () => {
    // mfu × T × peak FLOP/s × GPUs is the FLOPs executed, mbu × T × peak bandwidth × GPUs the bytes.
    const flops = stats.map((entry, index) => (entry.mfu * entry.simulatedDurationS * 312e12) / 2 ** index);
    const bytes = stats.map((entry, index) => (entry.mbu * entry.simulatedDurationS * 2039e9) / 2 ** index);
    for (let index = 1; index < 3; index++) {
      expectSameRelative(flops[index] as number, flops[0] as number, `FLOPs at slowdown ${2 ** index}`);
      expectSameRelative(bytes[index] as number, bytes[0] as number, `bytes at slowdown ${2 ** index}`);
    }
    // ~2 × 6.7e9 parameters × (512 + 63) tokens, plus attention and the LM head.
    expect(flops[0]).toBeGreaterThan(2 * 6.5e9 * 575);
  });

  it('GPU utilization: with no CPU overhead a lone request keeps the GPU busy exactly from arrival to finish', () => {
    for (const entry of stats)
      expectSameRelative(
        entry.gpuUtilization * entry.simulatedDurationS,
        entry.endToEndLatency.mean,
        'GPU busy seconds vs e2e',
      );
  });
});

describe('output length (TPOT and E2E − TTFT at batch 1)', () => {
  it('TPOT is affine in the output length and E2E − TTFT a little more than doubles when it doubles', () => {
    // Decode j of a lone request reads c₀ + j cached tokens and costs a + b(c₀ + j), so
    // E2E − TTFT = Σ_{j<o} (a + b(c₀ + j)) and TPOT = a + b·c₀ + b·o/2: affine in o.
    const outputs = [33, 65, 129];
    const stats = outputs.map((output) => run(lone(1, output)).computeStatistics());
    const tpot = stats.map((entry) => entry.timePerOutputToken.mean) as [number, number, number];
    expect(Math.abs(tpot[2] - tpot[1] - 2 * (tpot[1] - tpot[0]))).toBeLessThanOrEqual(RELATIVE * tpot[2]);
    expect(tpot[1]).toBeGreaterThan(tpot[0]); // later decodes read more context
    const decodeSpan = stats.map((entry) => entry.endToEndLatency.mean - entry.firstTokenLatency.mean);
    const ratio = (decodeSpan[1] as number) / (decodeSpan[0] as number);
    // Twice the decodes, each at least as long: ≥ 2. The 32 extra tokens of context add to each
    // decode only what reading them costs, a few tenths of a percent at a 512-token context.
    expect(ratio).toBeGreaterThanOrEqual(2);
    expect(ratio).toBeLessThan(2.02);
  });
});

describe('a second replica at twice the rate (same per-replica load)', () => {
  it('deterministic arrivals, round-robin: every request sees the same latencies as on one replica', () => {
    // Replica 0 receives the single-replica arrivals exactly, replica 1 the same shifted by half a
    // gap; replicas share nothing, so each request's TTFT, TPOT, E2E and queueing delay are those of
    // its counterpart (request k of the single run is requests 2k and 2k + 1 here).
    const base = {
      modelSpec: { name: 'llama-2-7b' },
      workloadSpec: { avgInputLength: 512, avgOutputLength: 128, arrivalProcess: 'deterministic' },
      drain: true,
    } as const;
    const one = run({ ...base, workloadSpec: { ...base.workloadSpec, arrivalRate: 6, numRequests: 300 } });
    const two = run({
      ...base,
      clusterSpec: { nGpusPerNode: 2 },
      parallelismSpec: { dataParallelSize: 2, router: 'round-robin' },
      workloadSpec: { ...base.workloadSpec, arrivalRate: 12, numRequests: 600 },
    });
    const single = new Map(one.requestRecords().map((record) => [record.id, record]));
    expect(two.requestRecords()).toHaveLength(600);
    for (const record of two.requestRecords()) {
      expect(record.replica).toBe(record.id % 2);
      expectSameRequest(record, single.get(Math.floor(record.id / 2)) as RequestRecord);
    }
    const a = one.computeStatistics();
    const b = two.computeStatistics();
    expect(a.meanBatchSize).toBeGreaterThan(5); // batches form: this is not a trivially idle run
    for (const metric of LATENCIES) expectSameSummary(b[metric], a[metric], metric);
  });

  describe('paired trace: every arrival time twice, one of each pair per replica', () => {
    // Both replicas then replay exactly the single replica's run, over the same T: per-request
    // latencies and every utilization are unchanged, every per-second count doubles.
    const directory = mkdtempSync(join(tmpdir(), 'llm-sim-metamorphic-'));
    afterAll(() => rmSync(directory, { recursive: true, force: true }));
    const rows: string[] = [];
    let state = 12345;
    const uniform = () => {
      state = (state * 1103515245 + 12345) % 2147483648;
      return (state + 0.5) / 2147483648;
    };
    let time = 0;
    for (let index = 0; index < 400; index++) {
      time += -Math.log(uniform()) / 8; // 8 arrivals per second on average
      rows.push(`${time},${200 + Math.floor(uniform() * 600)},${50 + Math.floor(uniform() * 200)}`);
    }
    const header = 'arrival_time,input_tokens,output_tokens';
    writeFileSync(join(directory, 'single.csv'), [header, ...rows].join('\n'));
    writeFileSync(join(directory, 'paired.csv'), [header, ...rows.flatMap((row) => [row, row])].join('\n'));
    const config = (file: string, replicas: number): SimulatorConfig => ({
      modelSpec: { name: 'llama-2-7b' },
      clusterSpec: { nGpusPerNode: replicas },
      parallelismSpec: { dataParallelSize: replicas, router: 'round-robin' },
      workloadSpec: { arrivalProcess: 'trace', traceFile: join(directory, file) },
      slo: { ttftS: 0.06, tpotS: 0.03 },
      simulationDurationS: 1000,
      drain: true,
      // Exact equality of T needs iteration times that do not depend on which replica runs them;
      // the V1 hand-off delay is a share of the iteration in flight on the request's replica.
      engineProfile: 'vllm-v0',
    });
    const one = run(config('single.csv', 1));
    const two = run(config('paired.csv', 2));
    const a = one.computeStatistics();
    const b = two.computeStatistics();

    it('the runs are comparable: same T, every request served, some but not all SLOs met', () => {
      expect(a.completedRequests).toBe(400);
      expect(b.completedRequests).toBe(800);
      expect(b.simulatedDurationS).toBe(a.simulatedDurationS);
      expect(a.sloAttainment).toBeGreaterThan(0.1);
      expect(a.sloAttainment).toBeLessThan(0.9);
    });

    it('throughput, requests/s and goodput double', () => {
      expect(b.outputTokens).toBe(2 * a.outputTokens);
      expect(b.inputTokens).toBe(2 * a.inputTokens);
      expectSameRelative(b.throughputTokensPerSec, 2 * a.throughputTokensPerSec, 'throughput');
      expectSameRelative(b.totalTokensPerSec, 2 * a.totalTokensPerSec, 'total tokens/s');
      expectSameRelative(b.requestsPerSec, 2 * a.requestsPerSec, 'requests/s');
      expectSameRelative(b.goodput, 2 * a.goodput, 'goodput');
      expect(b.sloAttainment).toBe(a.sloAttainment);
      // And each is its count over T.
      expectSameRelative(a.throughputTokensPerSec * a.simulatedDurationS, a.outputTokens, 'tokens');
      expectSameRelative(a.requestsPerSec * a.simulatedDurationS, a.completedRequests, 'requests');
    });

    it('GPU utilization, MFU, MBU, KV-cache use and batch size are unchanged', () => {
      expectSameRelative(b.gpuUtilization, a.gpuUtilization, 'gpuUtilization');
      expectSameRelative(b.mfu, a.mfu, 'mfu');
      expectSameRelative(b.mbu, a.mbu, 'mbu');
      expectSameRelative(b.kvCacheUtilization.mean, a.kvCacheUtilization.mean, 'kv mean');
      expect(b.kvCacheUtilization.peak).toBe(a.kvCacheUtilization.peak);
      expectSameRelative(b.meanBatchSize, a.meanBatchSize, 'meanBatchSize');
      expect(b.iterations).toBe(2 * a.iterations);
      expect(a.meanBatchSize).toBeGreaterThan(5); // a loaded deployment, batches form
    });

    it('TTFT, TPOT, ITL, E2E and queueing delay are unchanged, request by request', () => {
      const single = new Map(one.requestRecords().map((record) => [record.id, record]));
      for (const record of two.requestRecords())
        expectSameRequest(record, single.get(Math.floor(record.id / 2)) as RequestRecord);
      for (const metric of LATENCIES) expectSameSummary(b[metric], a[metric], metric);
    });
  });
});

describe('tensor parallelism (MFU counts model FLOPs)', () => {
  it('the same batch-1 requests on TP=2 execute the same model FLOPs as on TP=1', () => {
    const config = (tp: number): SimulatorConfig => ({
      modelSpec: { name: 'llama-2-7b' },
      clusterSpec: { nGpusPerNode: tp },
      parallelismSpec: { tensorParallelSize: tp },
      schedulerSpec: { maxBatchSize: 1 },
      workloadSpec: { arrivalRate: 2, numRequests: 50, avgInputLength: 256, avgOutputLength: 32 },
      drain: true,
    });
    const [one, two] = [1, 2].map((tp) => run(config(tp)).computeStatistics()) as [
      SimulationStatistics,
      SimulationStatistics,
    ];
    expect(two.iterations).toBe(one.iterations);
    // mfu × T × peak × GPUs: model FLOPs do not depend on how the model is split.
    expectSameRelative(
      two.mfu * two.simulatedDurationS * 312e12 * 2,
      one.mfu * one.simulatedDurationS * 312e12,
      'FLOPs',
    );
    expect(two.endToEndLatency.mean).toBeLessThan(one.endToEndLatency.mean); // TP does change time
  });
});

describe('GPU utilization counts kernel time only', () => {
  it('CPU overhead (vllm vs ideal profile) lengthens every request but adds no GPU-busy time', () => {
    // maxBatchSize 1: both runs execute the same iterations, one request at a time.
    // vllm-v0 runs Vidur's kernels as profiled, as ideal does (the V1 profile scales them too).
    const config = (engineProfile: 'vllm-v0' | 'ideal'): SimulatorConfig => ({
      modelSpec: { name: 'llama-2-7b' },
      engineProfile,
      schedulerSpec: { maxBatchSize: 1 },
      workloadSpec: { arrivalRate: 2, numRequests: 100, avgInputLength: 256, avgOutputLength: 32 },
      drain: true,
    });
    const vllm = run(config('vllm-v0')).computeStatistics();
    const ideal = run(config('ideal')).computeStatistics();
    expect(vllm.iterations).toBe(ideal.iterations);
    expectSameRelative(
      vllm.gpuUtilization * vllm.simulatedDurationS,
      ideal.gpuUtilization * ideal.simulatedDurationS,
      'GPU-busy seconds',
    );
    // vLLM's per-iteration CPU time is milliseconds: over 32 iterations per request it shows.
    expect(vllm.endToEndLatency.min).toBeGreaterThan(ideal.endToEndLatency.min + 0.01);
  });
});

describe('KV-cache utilization is used / total blocks', () => {
  it('a larger cache that never fills holds the same tokens: mean × capacity is unchanged', () => {
    const config = (gpuMemoryUtilization: number): SimulatorConfig => ({
      modelSpec: { name: 'llama-2-7b' },
      schedulerSpec: { gpuMemoryUtilization },
      workloadSpec: { arrivalRate: 6, lengthDistribution: 'lognormal', avgOutputLength: 200 },
      simulationDurationS: 60,
    });
    const large = run(config(0.9)).computeStatistics();
    const small = run(config(0.6)).computeStatistics();
    const largeTokens = large.memory.kvCapacityTokens;
    const smallTokens = small.memory.kvCapacityTokens;
    expect(smallTokens).toBeLessThan(0.8 * largeTokens);
    // Precondition: the smaller cache never fills, so admission and preemption never differ.
    expect(large.kvCacheUtilization.peak * largeTokens).toBeLessThan(0.9 * smallTokens);
    expect(small.preemptions).toBe(0);
    expect(large.kvCacheUtilization.mean).toBeGreaterThan(0.05);
    expectSameRelative(
      small.kvCacheUtilization.mean * smallTokens,
      large.kvCacheUtilization.mean * largeTokens,
      'mean KV tokens',
    );
    expectSameRelative(
      small.kvCacheUtilization.peak * smallTokens,
      large.kvCacheUtilization.peak * largeTokens,
      'peak KV tokens',
    );
    for (const metric of LATENCIES) expectSameSummary(small[metric], large[metric], metric);
  });
});

describe('goodput counts the completed requests that meet every SLO, per second', () => {
  const config = (slo: NonNullable<SimulatorConfig['slo']>): SimulatorConfig => ({
    modelSpec: { name: 'llama-2-7b' },
    workloadSpec: { arrivalRate: 8, lengthDistribution: 'lognormal' },
    simulationDurationS: 30,
    drain: true,
    slo,
  });
  const reference = run(config({}));
  const stats = reference.computeStatistics();
  const records = reference.requestRecords();
  const ttftMin = stats.firstTokenLatency.min;
  const ttftMax = stats.firstTokenLatency.max;

  it('without SLOs, or with SLOs nobody misses, goodput is requests/s', () => {
    expect(stats.goodput).toBe(stats.requestsPerSec);
    const loose = run(config({ ttftS: ttftMax, tpotS: stats.timePerOutputToken.max })).computeStatistics();
    expect(loose.goodput).toBe(stats.requestsPerSec);
    expect(loose.sloAttainment).toBe(1);
  });

  it('a TTFT target below the fastest request leaves no goodput', () => {
    const impossible = run(config({ ttftS: ttftMin * 0.999 })).computeStatistics();
    expect(impossible.goodput).toBe(0);
    expect(impossible.sloAttainment).toBe(0);
    expect(impossible.completedRequests).toBe(stats.completedRequests); // SLOs never change the run
  });

  it('a TTFT target in between admits exactly the requests at or under it', () => {
    const target = stats.firstTokenLatency.p90;
    const meeting = records.filter((record) => record.firstTokenLatencyS <= target).length;
    expect(meeting).toBeGreaterThan(0.85 * records.length);
    expect(meeting).toBeLessThan(records.length);
    const partial = run(config({ ttftS: target })).computeStatistics();
    expectSameRelative(partial.goodput * partial.simulatedDurationS, meeting, 'requests meeting the SLO');
    expect(partial.sloAttainment).toBe(meeting / records.length);
  });
});

describe('latency metrics depend only on the requests that arrive', () => {
  it('arrivals cut by the duration or by numRequests: the same requests give identical latency statistics', () => {
    const workloadSpec = { arrivalRate: 8, lengthDistribution: 'lognormal' } as const;
    const byDuration = run({
      modelSpec: { name: 'llama-2-7b' },
      workloadSpec,
      simulationDurationS: 30,
      drain: true,
    }).computeStatistics();
    const byCount = run({
      modelSpec: { name: 'llama-2-7b' },
      workloadSpec: { ...workloadSpec, numRequests: byDuration.totalRequests },
      simulationDurationS: 3000,
      drain: true,
    }).computeStatistics();
    expect(byCount.totalRequests).toBe(byDuration.totalRequests);
    expect(byCount.outputTokens).toBe(byDuration.outputTokens);
    for (const metric of LATENCIES) expect(byCount[metric], metric).toEqual(byDuration[metric]);
  });
});
