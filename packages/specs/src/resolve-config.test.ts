import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ConfigError,
  type ConfigIssueCode,
  configWarnings,
  resolveConfig,
  type SimulatorConfig,
} from '@sim/specs';
import { quickstartBasicConfig } from '@sim/test-support';
import { describe, expect, it } from 'vitest';

function issuesOf(config: unknown): { code: ConfigIssueCode; path: string; message: string }[] {
  try {
    resolveConfig(config as SimulatorConfig);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).code).toBe('INVALID_CONFIG');
    return [...(error as ConfigError).issues];
  }
  throw new Error('expected a ConfigError');
}

function expectIssue(config: unknown, code: ConfigIssueCode, path: string, messagePart?: RegExp) {
  const issues = issuesOf(config);
  const match = issues.find((issue) => issue.code === code && issue.path === path);
  expect(match, JSON.stringify(issues)).toBeDefined();
  if (messagePart) expect(match?.message).toMatch(messagePart);
}

describe('resolveConfig defaults', () => {
  it('an empty config is the quick-start basic example', () => {
    const config = resolveConfig({});
    expect(config.modelSpec.name).toBe('llama-7b');
    expect(config.modelSpec.hiddenSize).toBe(4096);
    expect(config.clusterSpec.gpuSpec.name).toBe('A100-80GB');
    expect(config.workloadSpec).toMatchObject({
      avgInputLength: 512,
      avgOutputLength: 128,
      arrivalRate: 2,
      arrivalProcess: 'poisson',
    });
    expect(config.workloadSpec.lengthDistribution).toEqual({ type: 'fixed' });
    expect(config.simulationDurationS).toBe(60);
    expect(config.parallelismSpec).toEqual({
      tensorParallelSize: 1,
      pipelineParallelSize: 1,
      dataParallelSize: 1,
      router: 'round-robin',
      routerOptions: { weights: { prefix: 3, load: 2, kv: 2 }, stalenessS: 0 },
      expertParallel: false,
      expertParallelSize: 1,
      expertImbalance: 1,
    });
    expect(config.schedulerSpec).toMatchObject({
      batchingType: 'continuous',
      maxBatchSize: 256,
      kvBlockSize: 16,
      gpuMemoryUtilization: 0.9,
    });
    expect(config.seed).toBe(42);
    expect(config.engineProfile).toBe('vllm');
  });

  it('accepts the quick-start basic config as written (custom llama-7b geometry)', () => {
    const config = resolveConfig(quickstartBasicConfig());
    expect(config.modelSpec.nParams).toBe(7e9);
    expect(config.modelSpec.nKvHeads).toBe(32);
    expect(config.modelSpec.headDim).toBe(128);
  });

  it('derives nParams, nKvHeads and headDim for a custom model', () => {
    const config = resolveConfig({
      modelSpec: { name: 'my-model', hiddenSize: 2048, nLayers: 16, nHeads: 16, ffnDim: 5632, nKvHeads: 4 },
    });
    expect(config.modelSpec.headDim).toBe(128);
    expect(config.modelSpec.nKvHeads).toBe(4);
    expect(config.modelSpec.nParams).toBeGreaterThan(0.7e9);
    expect(config.modelSpec.nParams).toBeLessThan(0.9e9);
  });

  it('re-derives nParams when a preset geometry is overridden', () => {
    const half = resolveConfig({ modelSpec: { name: 'llama-2-7b', nLayers: 16 } });
    expect(half.modelSpec.nParams).toBeLessThan(3.6e9);
  });

  it('KV-cache dtype follows 16-bit/fp8 weights and stays 16-bit for weight-only int quantization', () => {
    expect(
      resolveConfig({ modelSpec: { name: 'llama-2-7b', weightDtype: 'fp8' } }).modelSpec.kvCacheDtype,
    ).toBe('fp8');
    expect(
      resolveConfig({ modelSpec: { name: 'llama-2-7b', weightDtype: 'int4' } }).modelSpec.kvCacheDtype,
    ).toBe('bf16');
    expect(
      resolveConfig({ modelSpec: { name: 'llama-2-7b', weightDtype: 'fp8', kvCacheDtype: 'fp16' } }).modelSpec
        .kvCacheDtype,
    ).toBe('fp16');
  });

  it('uses numRequests instead of a duration when only numRequests is given', () => {
    const config = resolveConfig({ workloadSpec: { numRequests: 100 } });
    expect(config.simulationDurationS).toBe(Number.POSITIVE_INFINITY);
    expect(config.workloadSpec.numRequests).toBe(100);
  });

  it('fills length-distribution parameters and scheduler defaults that depend on other fields', () => {
    const config = resolveConfig({
      workloadSpec: { lengthDistribution: 'lognormal' },
      schedulerSpec: { batchingType: 'static', chunkedPrefill: true },
    });
    expect(config.workloadSpec.lengthDistribution).toEqual({ type: 'lognormal', cv: 1 });
    expect(config.schedulerSpec.batchWaitTimeoutS).toBe(1);
    expect(config.schedulerSpec.maxNumBatchedTokens).toBe(2048);
    expect(config.schedulerSpec.staticBatchSize).toBe(256);
  });

  it("static batching's batch size is a scheduler setting; the quick-start's workloadSpec.batchSize sets it too", () => {
    expect(resolveConfig({ schedulerSpec: { staticBatchSize: 8 } }).schedulerSpec.staticBatchSize).toBe(8);
    const quickStart = resolveConfig({ workloadSpec: { batchSize: 4 } });
    expect(quickStart.schedulerSpec.staticBatchSize).toBe(4);
    expect(quickStart.workloadSpec).not.toHaveProperty('batchSize');
    expect(
      resolveConfig({ workloadSpec: { batchSize: 4 }, schedulerSpec: { staticBatchSize: 4 } }).schedulerSpec
        .staticBatchSize,
    ).toBe(4);
    expect(() =>
      resolveConfig({ workloadSpec: { batchSize: 4 }, schedulerSpec: { staticBatchSize: 8 } }),
    ).toThrow('workloadSpec.batchSize: 4 disagrees with schedulerSpec.staticBatchSize 8');
  });

  it('without chunked prefill (vllm-v0), the default token budget covers fixed prompts longer than 8192 tokens; an explicit smaller one is rejected', () => {
    const long = {
      modelSpec: { name: 'llama-3.1-8b' },
      workloadSpec: { avgInputLength: 10_000 },
      engineProfile: 'vllm-v0' as const,
    };
    expect(resolveConfig(long).schedulerSpec.maxNumBatchedTokens).toBe(10_000);
    expect(
      resolveConfig({ modelSpec: { name: 'llama-3.1-8b' }, engineProfile: 'vllm-v0' }).schedulerSpec
        .maxNumBatchedTokens,
    ).toBe(8192);
    // vLLM V1 chunks the long prompt into its 2048-token budget instead.
    const v1 = resolveConfig({ ...long, engineProfile: 'vllm' }).schedulerSpec;
    expect(v1.chunkedPrefill).toBe(true);
    expect(v1.maxNumBatchedTokens).toBe(2048);
    expectIssue(
      { ...long, schedulerSpec: { maxNumBatchedTokens: 4096 } },
      'out_of_range',
      'schedulerSpec.maxNumBatchedTokens',
      /chunkedPrefill: true/,
    );
  });

  it('warns (does not fail) when input + output exceed the context, as in quick-start use case 4', () => {
    const config = resolveConfig({ workloadSpec: { avgInputLength: 2048, avgOutputLength: 512 } });
    expect(configWarnings(config).join()).toMatch(/exceed llama-7b's context of 2048/);
  });

  it('does not mutate its input', () => {
    const input: SimulatorConfig = { workloadSpec: { arrivalRate: 3 } };
    const copy = structuredClone(input);
    resolveConfig(input);
    expect(input).toEqual(copy);
  });
});

describe('resolveConfig validation errors', () => {
  it.each([
    ['a negative rate', { workloadSpec: { arrivalRate: -1 } }, 'not_positive', 'workloadSpec.arrivalRate'],
    [
      'a zero size',
      { modelSpec: { name: 'x', hiddenSize: 0, nLayers: 2, nHeads: 2, ffnDim: 8 } },
      'not_positive',
      'modelSpec.hiddenSize',
    ],
    ['NaN', { workloadSpec: { avgInputLength: Number.NaN } }, 'not_finite', 'workloadSpec.avgInputLength'],
    ['Infinity', { simulationDurationS: Number.POSITIVE_INFINITY }, 'not_finite', 'simulationDurationS'],
    ['a wrong type', { workloadSpec: { arrivalRate: 'fast' } }, 'invalid_type', 'workloadSpec.arrivalRate'],
    [
      'a bad enum',
      { schedulerSpec: { batchingType: 'greedy' } },
      'invalid_value',
      'schedulerSpec.batchingType',
    ],
    [
      'a memory fraction above 1',
      { schedulerSpec: { gpuMemoryUtilization: 1.5 } },
      'out_of_range',
      'schedulerSpec.gpuMemoryUtilization',
    ],
  ])('%s', (_, config, code, path) => {
    expectIssue(config, code as ConfigIssueCode, path);
  });

  it('TP that does not divide the head counts lists the valid degrees', () => {
    expectIssue(
      { parallelismSpec: { tensorParallelSize: 3 }, clusterSpec: { nGpusPerNode: 3 } },
      'tp_heads',
      'parallelismSpec.tensorParallelSize',
      /Use one of 1, 2, 4, 8, 16, 32/,
    );
    // GQA: 8 KV heads, TP 16 replicates KV heads (allowed), TP 12 does not divide 64 query heads.
    expect(() =>
      resolveConfig({
        modelSpec: { name: 'llama-2-70b' },
        parallelismSpec: { tensorParallelSize: 16 },
        clusterSpec: { nGpusPerNode: 8, nNodes: 2 },
      }),
    ).not.toThrow();
    expectIssue(
      {
        modelSpec: { name: 'llama-2-70b' },
        parallelismSpec: { tensorParallelSize: 12 },
        clusterSpec: { nGpusPerNode: 12 },
      },
      'tp_heads',
      'parallelismSpec.tensorParallelSize',
    );
  });

  it('TP × PP × DP must equal the GPUs in the cluster', () => {
    expectIssue(
      { parallelismSpec: { tensorParallelSize: 4 } },
      'gpu_count',
      'parallelismSpec',
      /= 4 GPUs, but the cluster has 1 × 1 = 1/,
    );
    expect(() =>
      resolveConfig({
        parallelismSpec: { tensorParallelSize: 2, dataParallelSize: 2 },
        clusterSpec: { nGpusPerNode: 4 },
      }),
    ).not.toThrow();
  });

  it('PP must divide the layers', () => {
    expectIssue(
      { parallelismSpec: { pipelineParallelSize: 3 }, clusterSpec: { nGpusPerNode: 3 } },
      'pp_layers',
      'parallelismSpec.pipelineParallelSize',
      /32 layers/,
    );
  });

  it('unknown presets list close matches', () => {
    expectIssue(
      { modelSpec: { name: 'llama-2-7' } },
      'unknown_preset',
      'modelSpec.name',
      /did you mean "llama-2-7b"/,
    );
    expectIssue(
      { clusterSpec: { gpuSpec: { name: 'H10' } } },
      'unknown_preset',
      'clusterSpec.gpuSpec.name',
      /did you mean "H100"/,
    );
  });

  it('a custom model missing geometry names the missing fields', () => {
    const issues = issuesOf({ modelSpec: { name: 'mine', hiddenSize: 1024, nLayers: 4 } });
    expect(issues.map((issue) => issue.path).sort()).toEqual(['modelSpec.ffnDim', 'modelSpec.nHeads']);
  });

  it('an input longer than the context is rejected', () => {
    expectIssue(
      { workloadSpec: { avgInputLength: 4096 } },
      'input_too_long',
      'workloadSpec.avgInputLength',
      /context of 2048/,
    );
  });

  it('a missing trace file is named', () => {
    expectIssue(
      { workloadSpec: { arrivalProcess: 'trace', traceFile: '/no/such/trace.csv' } },
      'trace_missing',
      'workloadSpec.traceFile',
      /does not exist/,
    );
    expectIssue({ workloadSpec: { arrivalProcess: 'trace' } }, 'trace_missing', 'workloadSpec.traceFile');
  });

  it('unknown keys are rejected with a did-you-mean hint', () => {
    expectIssue(
      { workloadSpec: { arivalRate: 2 } },
      'unknown_key',
      'workloadSpec.arivalRate',
      /Did you mean "arrivalRate"/,
    );
    expectIssue(
      { simulationDuration: 10 },
      'unknown_key',
      'simulationDuration',
      /Did you mean "simulationDurationS"/,
    );
  });

  it('reports every problem at once', () => {
    const issues = issuesOf({
      workloadSpec: { arrivalRate: -1, avgOutputLength: 0 },
      schedulerSpec: { maxBatchSize: 0 },
    });
    expect(issues.length).toBe(3);
  });

  it('the error message names each field and how to fix it', () => {
    try {
      resolveConfig({ parallelismSpec: { tensorParallelSize: 4 } });
    } catch (error) {
      expect((error as Error).message).toMatch(/parallelismSpec: .*Set clusterSpec.nGpusPerNode/);
    }
  });
});

describe('snake_case configs', () => {
  it('accept the quick-start Python names', () => {
    const config = resolveConfig({
      model_spec: {
        name: 'llama-7b',
        n_params: 7e9,
        hidden_size: 4096,
        n_layers: 32,
        n_heads: 32,
        ffn_dim: 11008,
      },
      workload_spec: {
        avg_input_length: 256,
        avg_output_length: 64,
        arrival_rate: 5,
        arrival_process: 'deterministic',
      },
      cluster_spec: {
        n_gpus_per_node: 2,
        n_nodes: 1,
        gpu_spec: { name: 'H100-80GB', compute_tflops: 989, memory_size_gb: 80, memory_bandwidth_gbs: 3350 },
      },
      parallelism_spec: { tensor_parallel_size: 2 },
      scheduler_spec: { batching_type: 'static', max_batch_size: 8, token_level_scheduling: false },
      simulation_duration_s: 30,
    });
    expect(config.workloadSpec.arrivalRate).toBe(5);
    expect(config.workloadSpec.arrivalProcess).toBe('deterministic');
    expect(config.parallelismSpec.tensorParallelSize).toBe(2);
    expect(config.schedulerSpec.maxBatchSize).toBe(8);
    expect(config.schedulerSpec.tokenLevelScheduling).toBe(false);
    expect(config.simulationDurationS).toBe(30);
    expect(config.clusterSpec.gpuSpec.computeTflops).toBe(989);
  });

  it('reports snake_case typos with the camelCase suggestion', () => {
    expectIssue(
      { workload_spec: { arival_rate: 1 } },
      'unknown_key',
      'workloadSpec.arivalRate',
      /arrivalRate/,
    );
  });
});

describe('engine-profile batching defaults', () => {
  it('trtllm defaults to mixed context + generation iterations; explicit fields win; others stay prefill-first', () => {
    const trtllm = resolveConfig({ engineProfile: 'trtllm' }).schedulerSpec;
    expect(trtllm.chunkedPrefill).toBe(true);
    expect(trtllm.maxNumBatchedTokens).toBe(8192);
    expect(trtllm.prefillChunkSize).toBe(8192);
    const long = resolveConfig({
      engineProfile: 'trtllm',
      workloadSpec: { avgInputLength: 20000 },
      modelSpec: { name: 'llama-3.1-8b' },
    });
    expect(long.schedulerSpec.maxNumBatchedTokens).toBe(20000);
    const explicit = resolveConfig({
      engineProfile: 'trtllm',
      schedulerSpec: { chunkedPrefill: false },
    }).schedulerSpec;
    expect(explicit.chunkedPrefill).toBe(false);
    expect(resolveConfig({ engineProfile: 'vllm-v0' }).schedulerSpec.chunkedPrefill).toBe(false);
  });

  it('vllm (V1, the default) and sglang: chunked prefill with a 2048-token budget and prefix caching; vllm-v0 and others: neither', () => {
    for (const engineProfile of [undefined, 'vllm', 'sglang'] as const) {
      const scheduler = resolveConfig(engineProfile === undefined ? {} : { engineProfile }).schedulerSpec;
      expect(scheduler.chunkedPrefill).toBe(true);
      expect(scheduler.maxNumBatchedTokens).toBe(2048);
      expect(scheduler.enablePrefixCaching).toBe(true);
      expect(scheduler.maxBatchSize).toBe(256);
      expect(scheduler.kvBlockSize).toBe(16);
    }
    for (const engineProfile of ['vllm-v0', 'trtllm', 'gpt-fast', 'ideal'] as const)
      expect(resolveConfig({ engineProfile }).schedulerSpec.enablePrefixCaching).toBe(false);
    // Explicit fields win; prefix caching needs continuous batching.
    expect(
      resolveConfig({ schedulerSpec: { enablePrefixCaching: false } }).schedulerSpec.enablePrefixCaching,
    ).toBe(false);
    expect(
      resolveConfig({ schedulerSpec: { batchingType: 'static' } }).schedulerSpec.enablePrefixCaching,
    ).toBe(false);
    expectIssue(
      { schedulerSpec: { batchingType: 'static', enablePrefixCaching: true } },
      'invalid_value',
      'schedulerSpec.enablePrefixCaching',
      /continuous batching/,
    );
  });

  it('kvOffload: resolved as given (absent by default); it needs prefix caching and continuous batching', () => {
    expect(resolveConfig({}).schedulerSpec.kvOffload).toBeUndefined();
    expect('kvOffload' in resolveConfig({}).schedulerSpec).toBe(false);
    expect(
      resolveConfig({ schedulerSpec: { kvOffload: { cpuMemoryGb: 64 } } }).schedulerSpec.kvOffload,
    ).toEqual({
      cpuMemoryGb: 64,
    });
    expect(
      resolveConfig({ schedulerSpec: { kv_offload: { cpu_memory_gb: 8 } } } as SimulatorConfig).schedulerSpec
        .kvOffload,
    ).toEqual({ cpuMemoryGb: 8 });
    expectIssue(
      { schedulerSpec: { enablePrefixCaching: false, kvOffload: { cpuMemoryGb: 64 } } },
      'invalid_value',
      'schedulerSpec.kvOffload',
      /needs prefix caching.*enablePrefixCaching is false\. Set enablePrefixCaching: true, or remove kvOffload/,
    );
    // Off by default with vllm-v0: the message says where the false comes from.
    expectIssue(
      { engineProfile: 'vllm-v0', schedulerSpec: { kvOffload: { cpuMemoryGb: 64 } } },
      'invalid_value',
      'schedulerSpec.kvOffload',
      /enablePrefixCaching is false \(the default with engineProfile "vllm-v0"\)/,
    );
    expectIssue(
      { schedulerSpec: { batchingType: 'dynamic', kvOffload: { cpuMemoryGb: 64 } } },
      'invalid_value',
      'schedulerSpec.kvOffload',
      /batchingType is "dynamic" and enablePrefixCaching is false.*Set batchingType: "continuous" and enablePrefixCaching: true/,
    );
    expectIssue(
      { schedulerSpec: { kvOffload: { cpuMemoryGb: 0 } } },
      'not_positive',
      'schedulerSpec.kvOffload.cpuMemoryGb',
    );
    expectIssue({ schedulerSpec: { kvOffload: {} } }, 'missing_field', 'schedulerSpec.kvOffload.cpuMemoryGb');
    expectIssue(
      { schedulerSpec: { kvOffload: { cpuMemoryGb: 8, gpuMemoryGb: 1 } } },
      'unknown_key',
      'schedulerSpec.kvOffload.gpuMemoryGb',
      /Did you mean "cpuMemoryGb"/,
    );
  });

  it('load stages: duration defaults to their total; arrivalRate and non-constant processes are refused', () => {
    const stages = [
      { rate: 5, durationS: 600 },
      { rate: 10, durationS: 300 },
    ];
    expect(resolveConfig({ workloadSpec: { stages } }).simulationDurationS).toBe(900);
    expectIssue(
      { workloadSpec: { stages, arrivalRate: 3 } },
      'invalid_value',
      'workloadSpec.arrivalRate',
      /stages/,
    );
    expectIssue(
      { workloadSpec: { stages, arrivalProcess: 'gamma' } },
      'invalid_value',
      'workloadSpec.arrivalProcess',
      /constant-rate/,
    );
    expectIssue(
      { workloadSpec: { prefixSharing: { groups: 4, prefixLength: 5000 } } },
      'out_of_range',
      'workloadSpec.prefixSharing.prefixLength',
      /context/,
    );
  });
});

describe('a traceFile is always used, or refused', () => {
  const folder = mkdtempSync(join(tmpdir(), 'llm-sim-traces-'));
  const timed = join(folder, 'timed.csv');
  const untimed = join(folder, 'untimed.csv');
  writeFileSync(timed, 'arrival_time,input_tokens,output_tokens\n0.0,100,10\n0.5,200,20\n');
  writeFileSync(untimed, 'input_tokens,output_tokens\n100,10\n200,20\n');

  it('without arrivalProcess, a trace with times drives the arrivals', () => {
    const config = resolveConfig({ workloadSpec: { traceFile: timed } });
    expect(config.workloadSpec.arrivalProcess).toBe('trace');
  });

  it('without arrivalProcess, a trace without times gives the lengths, with Poisson arrivals', () => {
    const config = resolveConfig({ workloadSpec: { traceFile: untimed, arrivalRate: 3 } });
    expect(config.workloadSpec.arrivalProcess).toBe('poisson');
    expect(config.workloadSpec.lengthDistribution).toEqual({ type: 'empirical', file: untimed });
  });

  it('with another arrival process, the trace gives the lengths', () => {
    const config = resolveConfig({ workloadSpec: { traceFile: timed, arrivalProcess: 'gamma' } });
    expect(config.workloadSpec.lengthDistribution).toEqual({ type: 'empirical', file: timed });
  });

  it('a trace neither process nor lengths use is a ConfigError naming traceFile and the fixes', () => {
    expectIssue(
      { workloadSpec: { traceFile: timed, arrivalProcess: 'poisson', lengthDistribution: 'lognormal' } },
      'trace_unused',
      'workloadSpec.traceFile',
      /arrivalProcess: "trace"/,
    );
  });

  it('a replayed trace gives the lengths: a lengthDistribution beside it is refused, not ignored', () => {
    expectIssue(
      { workloadSpec: { traceFile: timed, lengthDistribution: 'lognormal' } },
      'trace_unused',
      'workloadSpec.lengthDistribution',
    );
  });

  it('a replayed trace with no duration plays to its end (simulationDurationS Infinity)', () => {
    expect(resolveConfig({ workloadSpec: { traceFile: timed } }).simulationDurationS).toBe(
      Number.POSITIVE_INFINITY,
    );
    expect(resolveConfig({ workloadSpec: { traceFile: untimed } }).simulationDurationS).toBe(60);
  });

  it('arrivalProcess "trace" with a trace that has no times is refused at validation, naming the fix', () => {
    expectIssue(
      { workloadSpec: { traceFile: untimed, arrivalProcess: 'trace' } },
      'trace_malformed',
      'workloadSpec.arrivalProcess',
      /no arrival-time column/,
    );
  });
});

describe('configWarnings', () => {
  it("an nParams far from the geometry is a warning with both counts; the quick-start's 7e9 for a 6.74B geometry is not", () => {
    const off = configWarnings(resolveConfig({ modelSpec: { name: 'llama-2-7b', nParams: 2e10 } }));
    expect(off.some((warning) => warning.startsWith('nParams 20.00B disagrees with llama-2-7b'))).toBe(true);
    expect(configWarnings(resolveConfig(quickstartBasicConfig())).some((w) => w.startsWith('nParams'))).toBe(
      false,
    );
  });
});
