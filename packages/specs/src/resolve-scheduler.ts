import { SCHEDULER_DEFAULTS } from './config-defaults';
import type { ParsedSchedulerSpec } from './config-schema';
import { engineScheduling } from './engine-scheduling';
import type { ConfigIssue } from './errors';
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
 * `kvOffload` needs the prefix cache it extends (and so continuous batching): otherwise an issue.
 */
export function resolveScheduler(
  input: ParsedSchedulerSpec,
  model: ResolvedModelSpec | undefined,
  fixedInputLength: number,
  engineProfile: EngineProfileName,
  issues: ConfigIssue[],
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
  const enablePrefixCaching = input.enablePrefixCaching ?? (prefixCaching && batchingType === 'continuous');
  const kvOffload = input.kvOffload;
  if (kvOffload !== undefined && (batchingType !== 'continuous' || !enablePrefixCaching)) {
    const missing = [
      ...(batchingType === 'continuous' ? [] : [`batchingType is "${batchingType}"`]),
      ...(enablePrefixCaching
        ? []
        : [
            `enablePrefixCaching is false${input.enablePrefixCaching === undefined ? ` (the default with engineProfile "${engineProfile}")` : ''}`,
          ]),
    ];
    issues.push({
      code: 'invalid_value',
      path: 'schedulerSpec.kvOffload',
      message: `KV offload keeps the blocks the prefix cache evicts, so it needs prefix caching with continuous batching; ${missing.join(' and ')}. Set ${batchingType === 'continuous' ? '' : 'batchingType: "continuous" and '}enablePrefixCaching: true, or remove kvOffload.`,
    });
  }
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
    enablePrefixCaching,
    ...(kvOffload === undefined ? {} : { kvOffload: { cpuMemoryGb: kvOffload.cpuMemoryGb } }),
  };
}
