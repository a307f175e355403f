export { BlockManager } from './block-manager';
export { DecodePool } from './decode-pool';
export { ContinuousPolicy } from './policies/continuous-policy';
export {
  DYNAMIC_MODE,
  type RunToCompletionMode,
  RunToCompletionPolicy,
  STATIC_MODE,
} from './policies/run-to-completion-policy';
export { createPolicy, type PolicyFactory, policyNames, registerPolicy } from './policy-registry';
export { PrefixCache } from './prefix-cache';
export type { PrefixCacheAudit } from './prefix-cache-audit';
export {
  type BatchingPolicy,
  emptyPlan,
  type IterationPlan,
  resetPlan,
  type SchedulerEvents,
  type SchedulerOptions,
  type SteadyDecodeWindow,
} from './scheduler';
export { blocksFor, Sequence, type SequenceStatus } from './sequence';
export { QUEUE_KEYS, type QueueKey, WaitingQueue } from './waiting-queue';
