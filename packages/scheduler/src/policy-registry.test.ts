import { ContinuousPolicy, createPolicy, policyNames, registerPolicy } from '@sim/scheduler';
import { isRegisteredName, resolveConfig } from '@sim/specs';
import { describe, expect, it } from 'vitest';
import { testOptions } from './test-options';

describe('registerPolicy', () => {
  it('makes the name valid in configs and builds the policy it names', () => {
    expect(isRegisteredName('batchingType', 'registry-test')).toBe(false);
    expect(() => resolveConfig({ schedulerSpec: { batchingType: 'registry-test' } })).toThrow(
      /schedulerSpec\.batchingType: "registry-test" is not allowed/,
    );
    registerPolicy('registry-test', (options) => new ContinuousPolicy({ ...options, maxBatchSize: 1 }));
    expect(policyNames()).toEqual(['static', 'dynamic', 'continuous', 'registry-test']);
    const config = resolveConfig({ schedulerSpec: { batchingType: 'registry-test' } });
    expect(config.schedulerSpec.batchingType).toBe('registry-test');
    const policy = createPolicy(testOptions({ batchingType: 'registry-test' }));
    expect(policy).toBeInstanceOf(ContinuousPolicy);
  });

  it('fails on a name nothing registered', () => {
    expect(() => createPolicy(testOptions({ batchingType: 'nothing-here' }))).toThrow(
      /no batching policy named "nothing-here"/,
    );
  });
});
