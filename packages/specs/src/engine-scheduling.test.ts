import {
  BUILT_IN_ENGINE_PROFILES,
  ConfigError,
  engineScheduling,
  registerEngineScheduling,
  resolveConfig,
} from '@sim/specs';
import { thrownBy } from '@sim/test-support';
import { describe, expect, it } from 'vitest';

const configError = (config: Record<string, unknown>) => thrownBy(ConfigError, () => resolveConfig(config));

describe('engine profile names and their scheduler defaults', () => {
  it('gives each built-in profile the batching defaults of its engine', () => {
    const scheduler = (engineProfile: string) => resolveConfig({ engineProfile }).schedulerSpec;
    expect(scheduler('vllm')).toMatchObject({
      chunkedPrefill: true,
      maxNumBatchedTokens: 2048,
      enablePrefixCaching: true,
    });
    expect(scheduler('sglang')).toMatchObject({ chunkedPrefill: true, enablePrefixCaching: true });
    expect(scheduler('trtllm')).toMatchObject({
      chunkedPrefill: true,
      maxNumBatchedTokens: 8192,
      enablePrefixCaching: false,
    });
    for (const name of ['vllm-v0', 'gpt-fast', 'ideal'])
      expect(scheduler(name)).toMatchObject({ chunkedPrefill: false, enablePrefixCaching: false });
    expect(BUILT_IN_ENGINE_PROFILES.map((name) => engineScheduling(name).iterations)).toEqual([
      'chunked-prefill',
      'prefill-first',
      'in-flight',
      'chunked-prefill',
      'prefill-first',
      'prefill-first',
    ]);
  });

  it('rejects an unknown profile with a did-you-mean, then accepts it once registered', () => {
    const error = configError({ engineProfile: 'specs-test-engin' });
    expect(error.path).toBe('engineProfile');
    expect(error.message).toContain('"specs-test-engin" is not allowed');
    registerEngineScheduling('specs-test-engine', { iterations: 'in-flight', prefixCaching: true });
    expect(configError({ engineProfile: 'specs-test-engin' }).message).toContain(
      'Did you mean "specs-test-engine"?',
    );
    const resolved = resolveConfig({ engineProfile: 'specs-test-engine' });
    expect(resolved.engineProfile).toBe('specs-test-engine');
    // Its registered defaults: in-flight batching (8192-token mixed iterations), prefix caching on.
    expect(resolved.schedulerSpec).toMatchObject({
      chunkedPrefill: true,
      maxNumBatchedTokens: 8192,
      enablePrefixCaching: true,
    });
    // A config still overrides them.
    expect(
      resolveConfig({ engineProfile: 'specs-test-engine', schedulerSpec: { enablePrefixCaching: false } })
        .schedulerSpec.enablePrefixCaching,
    ).toBe(false);
  });

  it('does not let a built-in name be replaced', () => {
    expect(() =>
      registerEngineScheduling('vllm', { iterations: 'prefill-first', prefixCaching: false }),
    ).toThrow(/"vllm" is a built-in engine profile/);
    expect(resolveConfig({ engineProfile: 'vllm' }).schedulerSpec.chunkedPrefill).toBe(true);
  });
});
