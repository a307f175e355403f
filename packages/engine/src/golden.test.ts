import { LLMInferenceSimulator, type SimulatorConfig } from '@sim/engine';
import { dataPath } from '@sim/test-support';
import { describe, expect, it } from 'vitest';

/**
 * Golden scenarios: fixed configs and seeds whose full statistics are committed under
 * `golden/`. Any change to the engine, scheduler or perf model that moves a number shows up here
 * as a diff to review; after an intended change, refresh them with `pnpm --filter @sim/engine
 * test -u` and explain the diff in the commit.
 */
const base: SimulatorConfig = {
  modelSpec: { name: 'llama-2-7b' },
  clusterSpec: { gpuSpec: { name: 'A100-80GB' }, nGpusPerNode: 1 },
  workloadSpec: {
    arrivalRate: 6,
    lengthDistribution: 'lognormal',
    avgInputLength: 512,
    avgOutputLength: 128,
  },
  simulationDurationS: 60,
  drain: true,
  seed: 42,
  // The engine mechanics these scenarios guard predate the vLLM V1 profile: they pin vLLM v0
  // (prefill-first, eager kernels, unoverlapped CPU) so that its numbers stay exactly as committed.
  engineProfile: 'vllm-v0',
};

const scenarios: Record<string, () => SimulatorConfig> = {
  'continuous-paged': () => base,
  'chunked-prefill': () => ({
    ...base,
    schedulerSpec: { chunkedPrefill: true, prefillChunkSize: 512, maxNumBatchedTokens: 512 },
  }),
  'static-batching': () => ({
    ...base,
    workloadSpec: { ...base.workloadSpec, arrivalRate: 3, batchSize: 8 },
    schedulerSpec: { batchingType: 'static', batchWaitTimeoutS: 0.5 },
  }),
  'dynamic-batching': () => ({
    ...base,
    schedulerSpec: { batchingType: 'dynamic', maxBatchSize: 32 },
  }),
  'swap-preemption-overload': () => ({
    ...base,
    workloadSpec: { ...base.workloadSpec, arrivalRate: 30, avgOutputLength: 512 },
    schedulerSpec: { gpuMemoryUtilization: 0.3, preemptionMode: 'swap', maxBatchSize: 256 },
    simulationDurationS: 20,
  }),
  'data-parallel-least-outstanding': () => ({
    ...base,
    clusterSpec: { gpuSpec: { name: 'A100-80GB' }, nGpusPerNode: 2 },
    parallelismSpec: { dataParallelSize: 2, router: 'least-outstanding' },
    workloadSpec: { ...base.workloadSpec, arrivalRate: 12 },
  }),
  'pipeline-tp2-pp2-70b': () => ({
    ...base,
    modelSpec: { name: 'llama-2-70b' },
    clusterSpec: { gpuSpec: { name: 'H100-80GB' }, nGpusPerNode: 4 },
    parallelismSpec: { tensorParallelSize: 2, pipelineParallelSize: 2 },
    workloadSpec: { ...base.workloadSpec, arrivalRate: 4 },
    simulationDurationS: 40,
  }),
  'trace-replay-azure-code': () => ({
    ...base,
    modelSpec: { name: 'llama-3.1-8b' },
    clusterSpec: { gpuSpec: { name: 'H100-80GB' }, nGpusPerNode: 1 },
    workloadSpec: {
      arrivalProcess: 'trace',
      traceFile: dataPath('traces', 'splitwise_code.csv'),
      traceTimeScale: 1,
    },
    simulationDurationS: 60,
    engineProfile: 'trtllm',
    slo: { ttftS: 0.5, tpotS: 0.05 },
  }),
  // The default profile (vLLM V1: chunked prefill, prefix caching, CUDA graphs) on shared system
  // prompts in two load stages, as the inference-perf runs it is fitted to.
  'vllm-v1-shared-prefix-stages': () => ({
    modelSpec: { name: 'llama-2-70b' },
    clusterSpec: { gpuSpec: { name: 'H100-80GB' }, nGpusPerNode: 4 },
    parallelismSpec: { tensorParallelSize: 4 },
    workloadSpec: {
      arrivalProcess: 'poisson',
      avgInputLength: 575,
      avgOutputLength: 249,
      lengthDistribution: 'lognormal',
      prefixSharing: { groups: 9, prefixLength: 100 },
      stages: [
        { rate: 4, durationS: 20 },
        { rate: 12, durationS: 20 },
      ],
    },
    schedulerSpec: { maxBatchSize: 128 },
    drain: true,
    seed: 42,
  }),
};

/**
 * Every number rounded to 6 significant digits: a golden diff means a real change, not float noise
 * from reordering a sum. Regenerate only for an intended change, with the reason in the commit.
 */
function significant(value: unknown): unknown {
  if (typeof value === 'number') return Number.isFinite(value) ? Number(value.toPrecision(6)) : value;
  if (Array.isArray(value)) return value.map(significant);
  if (value !== null && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([key, entry]) => [key, significant(entry)]));
  return value;
}

describe('golden scenarios (fixed seed, committed expected statistics)', () => {
  for (const [name, config] of Object.entries(scenarios)) {
    it(name, async () => {
      const statistics = new LLMInferenceSimulator(config()).run().computeStatistics();
      // Drained: every request that arrived finished or was refused.
      expect(statistics.completedRequests + statistics.rejectedRequests).toBe(statistics.totalRequests);
      await expect(`${JSON.stringify(significant(statistics), null, 2)}\n`).toMatchFileSnapshot(
        `../golden/${name}.json`,
      );
    });
  }
});
