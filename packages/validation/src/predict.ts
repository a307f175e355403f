import { LLMInferenceSimulator } from '@sim/engine';
import { createPerfModel, type EngineProfile, type PerfModel } from '@sim/perf-model';
import { findModelPreset, type ResolvedConfig, resolveConfig, type SimulatorConfig } from '@sim/specs';
import type { ValidationCase } from './published-cases';

/**
 * The simulator config that reproduces a case. Fixed lengths, the engine profile of the table, and
 * the model's context raised to the case's lengths where a benchmark ran past the trained context
 * (TensorRT-LLM ran GPT-J and Falcon at 2048 + 2048 tokens).
 */
export function caseConfig(validationCase: ValidationCase): SimulatorConfig {
  const context = validationCase.inputTokens + validationCase.outputTokens;
  const presetContext = findModelPreset(validationCase.model)?.maxContextLength ?? 0;
  const inFlight = validationCase.kind === 'ifb-throughput';
  return {
    modelSpec: {
      name: validationCase.model,
      weightDtype: validationCase.weightDtype,
      kvCacheDtype: validationCase.kvCacheDtype,
      maxContextLength: Math.max(presetContext, context),
    },
    clusterSpec: {
      gpuSpec: { name: validationCase.gpu },
      nGpusPerNode: validationCase.tensorParallelSize,
    },
    parallelismSpec: { tensorParallelSize: validationCase.tensorParallelSize },
    workloadSpec: {
      avgInputLength: validationCase.inputTokens,
      avgOutputLength: validationCase.outputTokens,
      lengthDistribution: { type: 'fixed' },
      // trtllm-bench feeds every request at once ("infinite rate"): a burst at 10^6 requests/s.
      arrivalProcess: 'deterministic',
      arrivalRate: inFlight ? 1e6 : 1,
      numRequests: validationCase.numRequests,
    },
    // In-flight: the `trtllm` profile's batching defaults (context and generation requests share
    // each iteration up to max_num_tokens = 8192, or the prompt when longer) and its memory rule (the
    // KV cache gets kv_cache_free_gpu_mem_fraction = gpuMemoryUtilization = 0.9 of the memory left
    // after weights, activations and runtime).
    schedulerSpec: inFlight
      ? { batchingType: 'continuous', maxBatchSize: 2048 }
      : {
          maxNumBatchedTokens: Math.max(
            8192,
            validationCase.inputTokens * Math.max(1, validationCase.batchSize),
          ),
        },
    drain: true,
    engineProfile: validationCase.engineProfile,
  };
}

const resolvedConfigs = new WeakMap<ValidationCase, ResolvedConfig>();

/** The perf model of a case's deployment, optionally with a custom engine profile (used while fitting). */
export function casePerfModel(validationCase: ValidationCase, engine?: EngineProfile): PerfModel {
  let config = resolvedConfigs.get(validationCase);
  if (config === undefined) {
    config = resolveConfig(caseConfig(validationCase));
    resolvedConfigs.set(validationCase, config);
  }
  return createPerfModel({
    modelSpec: config.modelSpec,
    clusterSpec: config.clusterSpec,
    parallelismSpec: config.parallelismSpec,
    schedulerSpec: config.schedulerSpec,
    engineProfile: engine ?? config.engineProfile,
  });
}

/** Seconds of a static batch: one prefill iteration over every prompt, then one decode step per further output token. */
export function staticBatchSeconds(
  model: PerfModel,
  batchSize: number,
  inputTokens: number,
  outputTokens: number,
): number {
  let seconds = model.iterationTime({
    prefillChunks: new Array<number>(batchSize).fill(inputTokens),
    prefillContexts: new Array<number>(batchSize).fill(0),
    decodeSequences: 0,
    decodeContextTokens: 0,
  });
  for (let step = 1; step < outputTokens; step++)
    seconds += model.decodeStepTime(batchSize, inputTokens + step);
  return seconds;
}

/**
 * The simulator's prediction for a case, in the case's unit. Batch-1 and static cases are closed
 * forms over the perf model (the schedule is fixed); in-flight cases run the full simulation.
 */
export function predictCase(validationCase: ValidationCase, engine?: EngineProfile): number {
  const { batchSize, inputTokens, outputTokens, tensorParallelSize } = validationCase;
  if (validationCase.kind === 'ifb-throughput') {
    const statistics = new LLMInferenceSimulator(caseConfig(validationCase)).run().computeStatistics();
    return statistics.throughputTokensPerSec;
  }
  const model = casePerfModel(validationCase, engine);
  switch (validationCase.kind) {
    case 'decode-speed':
      // gpt-fast reports tokens/s over the generated tokens; the mean context is the prompt plus half the output.
      return 1 / model.decodeStepTime(1, inputTokens + outputTokens / 2);
    case 'ttft':
      return model.prefillTime(inputTokens) * 1e3;
    case 'static-throughput':
      return (
        (batchSize * outputTokens) /
        staticBatchSeconds(model, batchSize, inputTokens, outputTokens) /
        tensorParallelSize
      );
    case 'prompt-time':
      return (
        model.iterationTime({
          prefillChunks: new Array<number>(batchSize).fill(inputTokens),
          prefillContexts: new Array<number>(batchSize).fill(0),
          decodeSequences: 0,
          decodeContextTokens: 0,
        }) * 1e3
      );
    case 'token-time':
      return model.decodeStepTime(batchSize, inputTokens + outputTokens / 2) * 1e3;
  }
}

/** Absolute percentage error of a prediction. */
export function absolutePercentError(predicted: number, measured: number): number {
  return (Math.abs(predicted - measured) / measured) * 100;
}
