import { createPerfModel, ENGINE_PROFILES, engineProfileNamed, registerEngineProfile } from '@sim/perf-model';
import { resolveConfig } from '@sim/specs';
import { describe, expect, it } from 'vitest';

describe('engine profile registry', () => {
  it('finds the built-ins by name and names the known profiles for an unknown one', () => {
    expect(engineProfileNamed('trtllm')).toBe(ENGINE_PROFILES.trtllm);
    expect(() => engineProfileNamed('perf-test-missing')).toThrow(
      /no engine profile named "perf-test-missing" \(known: vllm, vllm-v0, trtllm, sglang, gpt-fast, ideal/,
    );
  });

  it('a registered profile is used by name, in configs and by createPerfModel', () => {
    registerEngineProfile({ ...ENGINE_PROFILES.ideal, name: 'perf-test-slow-cpu', cpuOverheadBaseUs: 5000 });
    const config = resolveConfig({ modelSpec: { name: 'llama-2-7b' }, engineProfile: 'perf-test-slow-cpu' });
    expect(config.schedulerSpec.chunkedPrefill).toBe(false); // default scheduling: prefill-first
    const slow = createPerfModel(config);
    const ideal = createPerfModel({ ...config, engineProfile: 'ideal' });
    expect(slow.engine.name).toBe('perf-test-slow-cpu');
    // 5 ms of CPU time per iteration, not overlapped with the GPU.
    expect(slow.decodeStepTime(8, 512) - ideal.decodeStepTime(8, 512)).toBeCloseTo(0.005, 6);
  });
});
