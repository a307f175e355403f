import { SCHEDULER_DEFAULTS } from './config-defaults';
import type { ParsedSchedulerSpec } from './config-schema';
import { engineScheduling } from './engine-scheduling';
import type { ResolvedModelSpec } from './model-spec';
import type { ResolvedSchedulerSpec } from './scheduler-spec';
import type { EngineProfileName } from './simulator-config';

/**
 * `fixedInputLength`: every prompt's length when lengths are fixed (the default budget then covers
 * it), else 0. The engine profile's iteration style sets the batching defaults (see
 * {@link engineScheduling}): TensorRT-LLM's in-flight batching puts context and generation requests
 * in the same iteration (mixed batches up to max_num_tokens = 8192), which is chunked prefill with a
 * chunk as large as the budget; vLLM V1 and SGLang chunk prompts into a 2048-token budget shared
 * with decodes, decodes first; the others default to vLLM v0's prefill-first iterations.
 * `workloadBatchSize`: `workloadSpec.batchSize`, the quick-start's spelling of `staticBatchSize`.
 */
export function resolveScheduler(
  input: ParsedSchedulerSpec,
  model: ResolvedModelSpec | undefined,
  fixedInputLength: number,
  engineProfile: EngineProfileName,
  workloadBatchSize?: number,
): ResolvedSchedulerSpec {
  const batchingType = input.batchingType ?? SCHEDULER_DEFAULTS.batchingType;
  const { iterations, prefixCaching } = engineScheduling(engineProfile);
  const mixedBatches = iterations === 'in-flight';
  const chunkedPrefill = input.chunkedPrefill ?? iterations !== 'prefill-first';
  const maxNumBatchedTokens =
    input.maxNumBatchedTokens ??
    (mixedBatches
      ? Math.max(8192, fixedInputLength)
      : chunkedPrefill
        ? 2048
        : Math.max(2048, Math.min(model?.maxContextLength ?? 2048, 8192), fixedInputLength));
  const maxBatchSize = input.maxBatchSize ?? SCHEDULER_DEFAULTS.maxBatchSize;
  return {
    batchingType,
    maxBatchSize,
    staticBatchSize: input.staticBatchSize ?? workloadBatchSize ?? maxBatchSize,
    tokenLevelScheduling: input.tokenLevelScheduling ?? SCHEDULER_DEFAULTS.tokenLevelScheduling,
    maxNumBatchedTokens,
    chunkedPrefill,
    prefillChunkSize: Math.min(input.prefillChunkSize ?? maxNumBatchedTokens, maxNumBatchedTokens),
    kvBlockSize: input.kvBlockSize ?? SCHEDULER_DEFAULTS.kvBlockSize,
    gpuMemoryUtilization: input.gpuMemoryUtilization ?? SCHEDULER_DEFAULTS.gpuMemoryUtilization,
    preemptionMode: input.preemptionMode ?? SCHEDULER_DEFAULTS.preemptionMode,
    batchWaitTimeoutS: input.batchWaitTimeoutS ?? (batchingType === 'static' ? 1 : 0),
    queueOrder: input.queueOrder ?? SCHEDULER_DEFAULTS.queueOrder,
    enablePrefixCaching: input.enablePrefixCaching ?? (prefixCaching && batchingType === 'continuous'),
  };
}
