import type { SchedulerOptions } from '@sim/scheduler';

/**
 * Scheduler options for the policy tests (test-only; not exported): a small continuous batch (8
 * sequences, 512-token budget, 200 blocks of 16 tokens), prefill-first, no prefix caching, with
 * `overrides` applied.
 */
export function testOptions(overrides: Partial<SchedulerOptions> = {}): SchedulerOptions {
  return {
    batchingType: 'continuous',
    maxBatchSize: 8,
    tokenLevelScheduling: true,
    maxNumBatchedTokens: 512,
    chunkedPrefill: false,
    enablePrefixCaching: false,
    prefillChunkSize: 512,
    kvBlockSize: 16,
    gpuMemoryUtilization: 0.9,
    preemptionMode: 'recompute',
    batchWaitTimeoutS: 0,
    queueOrder: 'fcfs',
    totalBlocks: 200,
    staticBatchSize: 4,
    ...overrides,
  };
}
