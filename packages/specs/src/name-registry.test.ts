import {
  ConfigError,
  configJsonSchema,
  isRegisteredName,
  registeredNames,
  registerName,
  resolveConfig,
} from '@sim/specs';
import { thrownBy } from '@sim/test-support';
import { describe, expect, it } from 'vitest';

const configError = (config: Record<string, unknown>) => thrownBy(ConfigError, () => resolveConfig(config));

describe('registered names (schedulerSpec.batchingType, parallelismSpec.router)', () => {
  it('keeps the message for an unknown name with no close match', () => {
    const error = configError({ schedulerSpec: { batchingType: 'greedy' } });
    expect(error.issues).toEqual([
      {
        code: 'invalid_value',
        path: 'schedulerSpec.batchingType',
        message: '"greedy" is not allowed; use one of "static", "dynamic", "continuous".',
      },
    ]);
  });

  it('suggests the closest name for a typo, naming the field', () => {
    const error = configError({ parallelismSpec: { router: 'least-outstandng' } });
    expect(error.path).toBe('parallelismSpec.router');
    expect(error.message).toContain(
      'parallelismSpec.router: "least-outstandng" is not allowed; use one of "round-robin", "least-outstanding", "least-kv", "power-of-two", "prefix-affinity", "scored". Did you mean "least-outstanding"?',
    );
  });

  it('accepts a name once registered, and lists it among the choices', () => {
    expect(isRegisteredName('batchingType', 'specs-test-policy')).toBe(false);
    expect(configError({ schedulerSpec: { batchingType: 'specs-test-policy' } }).path).toBe(
      'schedulerSpec.batchingType',
    );
    registerName('batchingType', 'specs-test-policy');
    registerName('router', 'specs-test-router');
    const resolved = resolveConfig({
      schedulerSpec: { batchingType: 'specs-test-policy' },
      parallelismSpec: { router: 'specs-test-router' },
    });
    expect(resolved.schedulerSpec.batchingType).toBe('specs-test-policy');
    expect(resolved.parallelismSpec.router).toBe('specs-test-router');
    expect(registeredNames('batchingType')).toEqual(['static', 'dynamic', 'continuous', 'specs-test-policy']);
    // A typo of a registered name is suggested like a built-in's.
    expect(configError({ schedulerSpec: { batchingType: 'specs-test-polcy' } }).message).toContain(
      'Did you mean "specs-test-policy"?',
    );
    // Names stay per field.
    expect(configError({ parallelismSpec: { router: 'specs-test-policy' } }).path).toBe(
      'parallelismSpec.router',
    );
  });

  it('does not list built-ins twice and rejects an empty name', () => {
    registerName('router', 'least-kv');
    expect(registeredNames('router').filter((name) => name === 'least-kv')).toHaveLength(1);
    expect(() => registerName('router', ' ')).toThrow(/must not be empty/);
  });

  it('lists the built-ins in the JSON Schema as examples, accepting any string', () => {
    const text = JSON.stringify(configJsonSchema());
    expect(text).toContain('"examples":["static","dynamic","continuous"]');
    expect(text).toContain(
      '"examples":["round-robin","least-outstanding","least-kv","power-of-two","prefix-affinity","scored"]',
    );
  });
});
