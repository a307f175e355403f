import { registerName } from '@sim/specs';
import { ContinuousPolicy } from './policies/continuous-policy';
import { DYNAMIC_MODE, RunToCompletionPolicy, STATIC_MODE } from './policies/run-to-completion-policy';
import type { BatchingPolicy, SchedulerOptions } from './scheduler';

/** Builds a policy from the run's options. */
export type PolicyFactory = (options: SchedulerOptions) => BatchingPolicy;

const registry = new Map<string, PolicyFactory>([
  ['static', (options) => new RunToCompletionPolicy(options, STATIC_MODE)],
  ['dynamic', (options) => new RunToCompletionPolicy(options, DYNAMIC_MODE)],
  ['continuous', (options) => new ContinuousPolicy(options)],
]);

/**
 * Registers a policy under a name, the `schedulerSpec.batchingType` that selects it: the name
 * becomes valid in configs (@sim/specs' `registerName`) and `createPolicy` builds the policy with
 * `factory`. Registering a name again replaces its factory (built-ins included).
 */
export function registerPolicy(name: string, factory: PolicyFactory): void {
  registerName('batchingType', name);
  registry.set(name, factory);
}

/** Names of the registered policies. */
export function policyNames(): string[] {
  return [...registry.keys()];
}

/** Creates the policy named by `options.batchingType`. */
export function createPolicy(options: SchedulerOptions): BatchingPolicy {
  const factory = registry.get(options.batchingType);
  if (factory === undefined)
    throw new Error(
      `no batching policy named "${options.batchingType}" (registered: ${policyNames().join(', ')})`,
    );
  return factory(options);
}
