import {
  ConfigError,
  ENGINE_PROFILES,
  engineScheduling,
  LLMInferenceSimulator,
  registerArrivalProcess,
  registerEngineProfile,
  registerGpuPreset,
  registerModelPreset,
  registerRouter,
  type SimulatorConfig,
} from '@sim/engine';
import { ContinuousPolicy, registerPolicy } from '@sim/scheduler';
import { thrownBy } from '@sim/test-support';
import { describe, expect, it } from 'vitest';

/*
 * Extension points used from outside the packages, as a contributor would: a batching policy, a
 * replica router, a GPU, a model, an arrival process and an engine profile defined here, each added
 * with one registration line, then selected by name in a config and run end to end.
 */

/** Continuous batching that runs one request at a time (a policy defined outside @sim/scheduler). */
let oneAtATimeCreated = 0;
registerPolicy('one-at-a-time', (options) => {
  oneAtATimeCreated++;
  return new ContinuousPolicy({ ...options, maxBatchSize: 1 });
});

/** Sends every request to the last replica (a router defined outside @sim/engine). */
const lastReplicaCalls: number[] = [];
registerRouter('last-replica', () => (replicas) => {
  lastReplicaCalls.push(replicas.length);
  return replicas.length - 1;
});

const base: SimulatorConfig = {
  modelSpec: { name: 'llama-2-7b' },
  clusterSpec: { gpuSpec: { name: 'A100-80GB' }, nGpusPerNode: 1 },
  workloadSpec: { arrivalRate: 4, avgInputLength: 256, avgOutputLength: 64, numRequests: 40 },
  seed: 7,
  drain: true,
};

const configError = (config: SimulatorConfig) =>
  thrownBy(ConfigError, () => new LLMInferenceSimulator(config).run());

describe('a batching policy registered from outside @sim/scheduler', () => {
  it('is selected by schedulerSpec.batchingType and changes the result', () => {
    const continuous = new LLMInferenceSimulator(base).run().computeStatistics();
    const created = oneAtATimeCreated;
    const oneAtATime = new LLMInferenceSimulator({
      ...base,
      schedulerSpec: { batchingType: 'one-at-a-time' },
    })
      .run()
      .computeStatistics();
    expect(oneAtATimeCreated).toBe(created + 1);
    expect(oneAtATime.completedRequests).toBe(40);
    expect(continuous.completedRequests).toBe(40);
    // One request at a time: requests queue behind each other, so the latency grows.
    expect(oneAtATime.endToEndLatency.mean).toBeGreaterThan(continuous.endToEndLatency.mean * 1.5);
  });

  it('an unregistered name fails naming the field and suggesting the closest name', () => {
    const error = configError({ ...base, schedulerSpec: { batchingType: 'one-at-a-tme' } });
    expect(error.path).toBe('schedulerSpec.batchingType');
    expect(error.message).toContain('schedulerSpec.batchingType: "one-at-a-tme" is not allowed');
    expect(error.message).toContain('Did you mean "one-at-a-time"?');
  });
});

describe('a replica router registered from outside @sim/engine', () => {
  const replicated: SimulatorConfig = {
    ...base,
    clusterSpec: { gpuSpec: { name: 'A100-80GB' }, nGpusPerNode: 2 },
    parallelismSpec: { dataParallelSize: 2 },
  };

  it('is selected by parallelismSpec.router and changes the result', () => {
    const roundRobin = new LLMInferenceSimulator(replicated).run().computeStatistics();
    const calls = lastReplicaCalls.length;
    const lastReplica = new LLMInferenceSimulator({
      ...replicated,
      parallelismSpec: { dataParallelSize: 2, router: 'last-replica' },
    })
      .run()
      .computeStatistics();
    expect(lastReplicaCalls.length - calls).toBe(40);
    expect(lastReplicaCalls.every((replicas) => replicas === 2)).toBe(true);
    expect(lastReplica.completedRequests).toBe(40);
    // Everything on one replica: more requests share each iteration, so tokens come slower.
    expect(lastReplica.endToEndLatency.mean).toBeGreaterThan(roundRobin.endToEndLatency.mean);
  });

  it('an unregistered name fails naming the field and suggesting the closest name', () => {
    const error = configError({
      ...replicated,
      parallelismSpec: { dataParallelSize: 2, router: 'last-replika' },
    });
    expect(error.path).toBe('parallelismSpec.router');
    expect(error.message).toContain('Did you mean "last-replica"?');
  });

  it('a router that returns an index out of range stops the run', () => {
    registerRouter('out-of-range', () => () => 5);
    expect(() =>
      new LLMInferenceSimulator({
        ...replicated,
        parallelismSpec: { dataParallelSize: 2, router: 'out-of-range' },
      }).run(),
    ).toThrow(/router "out-of-range" picked replica 5; it must return an index from 0 to 1/);
  });
});

describe('a GPU and a model registered from outside @sim/specs', () => {
  it('are named in a config like presets and run end to end; the faster memory decodes faster', () => {
    registerGpuPreset({ name: 'Ext-GPU', computeTflops: 400, memorySizeGb: 80, memoryBandwidthGbs: 2000 });
    registerGpuPreset({
      name: 'Ext-GPU-Fast',
      computeTflops: 400,
      memorySizeGb: 80,
      memoryBandwidthGbs: 4000,
    });
    registerModelPreset({
      name: 'ext-model-3b',
      hiddenSize: 3072,
      nLayers: 26,
      nHeads: 24,
      nKvHeads: 8,
      ffnDim: 8192,
      vocabSize: 32000,
    });
    const run = (gpu: string) =>
      new LLMInferenceSimulator({
        modelSpec: { name: 'ext-model-3b' },
        clusterSpec: { gpuSpec: { name: gpu } },
        workloadSpec: { numRequests: 30, arrivalRate: 2, avgInputLength: 256, avgOutputLength: 64 },
        drain: true,
      })
        .run()
        .computeStatistics();
    const slow = run('ext-gpu');
    const fast = run('Ext-GPU-Fast');
    expect(slow.completedRequests).toBe(30);
    expect(fast.completedRequests).toBe(30);
    expect(fast.timePerOutputToken.p50).toBeLessThan(slow.timePerOutputToken.p50);
  });
});

describe('an arrival process registered from outside @sim/engine', () => {
  // Requests in pairs: every other gap is 0, the others twice the mean gap (same mean rate).
  let drawn = 0;
  registerArrivalProcess('pairs', () => (rate) => (drawn++ % 2 === 0 ? 0 : 2 / rate));
  const config = (arrivalProcess: string): SimulatorConfig => ({
    modelSpec: { name: 'llama-2-7b' },
    workloadSpec: {
      arrivalProcess,
      arrivalRate: 4,
      numRequests: 40,
      avgInputLength: 512,
      avgOutputLength: 32,
    },
    drain: true,
  });

  it('is selected by workloadSpec.arrivalProcess, keeps the rate, and changes the queueing', () => {
    const pairs = new LLMInferenceSimulator(config('pairs')).run().computeStatistics();
    const even = new LLMInferenceSimulator(config('deterministic')).run().computeStatistics();
    expect(drawn).toBeGreaterThanOrEqual(39);
    expect(pairs.completedRequests).toBe(40);
    // Same mean rate: the last arrival comes at about the same time (39 gaps of 0.25 s on average).
    expect(pairs.simulatedDurationS).toBeGreaterThan(0.8 * even.simulatedDurationS);
    // Every other request arrives with another and waits for it: higher mean TTFT than evenly spaced.
    expect(pairs.firstTokenLatency.mean).toBeGreaterThan(even.firstTokenLatency.mean);
  });

  it('an unregistered name fails naming the field and suggesting the closest name; built-ins cannot be replaced', () => {
    expect(() => new LLMInferenceSimulator(config('pair')).run()).toThrow(ConfigError);
    expect(() => new LLMInferenceSimulator(config('pair')).run()).toThrow(
      /workloadSpec\.arrivalProcess.*Did you mean "pairs"\?/s,
    );
    expect(() => registerArrivalProcess('poisson', () => () => 1)).toThrow(/built-in arrival process/);
  });
});

describe('an engine profile registered from outside @sim/perf-model', () => {
  // vLLM V1 with a slow Python front end: 3 ms of unoverlapped CPU time per iteration.
  registerEngineProfile(
    {
      ...ENGINE_PROFILES.vllm,
      name: 'slow-frontend',
      description: 'vLLM V1 with 3 ms of unoverlapped CPU time per iteration',
      cpuOverheadBaseUs: 3000,
      overlapsCpu: false,
      calibrated: false,
      source: 'a test assumption',
    },
    engineScheduling('vllm'),
  );

  it('is selected by engineProfile, keeps its scheduler defaults, and changes the result', () => {
    const run = (engineProfile: string) => new LLMInferenceSimulator({ ...base, engineProfile }).run();
    const vllm = run('vllm');
    const slow = run('slow-frontend');
    expect(slow.config.schedulerSpec).toEqual(vllm.config.schedulerSpec);
    const vllmStatistics = vllm.computeStatistics();
    const slowStatistics = slow.computeStatistics();
    expect(slowStatistics.completedRequests).toBe(40);
    // Every iteration pays at least 3 ms: a decode token cannot come faster than that.
    expect(slowStatistics.timePerOutputToken.p50).toBeGreaterThan(0.003);
    expect(slowStatistics.timePerOutputToken.p50).toBeGreaterThan(vllmStatistics.timePerOutputToken.p50);
  });

  it('an unregistered name fails naming the field and suggesting the closest name; built-ins cannot be replaced', () => {
    const error = configError({ ...base, engineProfile: 'slow-frontent' });
    expect(error.path).toBe('engineProfile');
    expect(error.message).toContain('Did you mean "slow-frontend"?');
    expect(() => registerEngineProfile({ ...ENGINE_PROFILES.vllm, cpuOverheadBaseUs: 1 })).toThrow(
      /"vllm" is a built-in engine profile/,
    );
  });
});
