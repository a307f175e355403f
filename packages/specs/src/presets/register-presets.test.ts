import {
  ConfigError,
  findGpuPreset,
  gpuPresetNames,
  modelPresetNames,
  registerGpuPreset,
  registerModelPreset,
  resolveConfig,
} from '@sim/specs';
import { describe, expect, it } from 'vitest';

describe('registerGpuPreset / registerModelPreset', () => {
  it('adds a GPU that configs name like a built-in one, by name or alias, with defaults and inferences filled', () => {
    expect(() => resolveConfig({ clusterSpec: { gpuSpec: { name: 'Accel-96' } } })).toThrow(ConfigError);
    const registered = registerGpuPreset(
      { name: 'Accel-96', computeTflops: 600, memorySizeGb: 96, memoryBandwidthGbs: 4000, pricePerHour: 3 },
      ['accel96'],
    );
    expect(registered).toMatchObject({ name: 'Accel-96', computeTflops: 600, memoryBytes: 96 * 2 ** 30 });
    const gpu = resolveConfig({ clusterSpec: { gpuSpec: { name: 'ACCEL96' } } }).clusterSpec.gpuSpec;
    // As with built-in presets, the resolved spec keeps the name as the config wrote it.
    expect({ ...gpu, name: registered.name }).toEqual(registered);
    // Overrides work as on built-ins.
    expect(
      resolveConfig({ clusterSpec: { gpuSpec: { name: 'Accel-96', pricePerHour: 5 } } }).clusterSpec.gpuSpec
        .pricePerHour,
    ).toBe(5);
    expect(findGpuPreset('accel-96')?.name).toBe('Accel-96');
    expect(gpuPresetNames()).toContain('Accel-96');
    expect(gpuPresetNames(true)).toContain('accel96');
  });

  it('adds a model by its geometry, under its name and aliases', () => {
    const model = registerModelPreset(
      {
        name: 'tiny-test-1b',
        hiddenSize: 2048,
        nLayers: 16,
        nHeads: 16,
        nKvHeads: 4,
        ffnDim: 8192,
        vocabSize: 32000,
      },
      ['tiny/test-1b'],
    );
    expect(model.nParams).toBeGreaterThan(0.5e9);
    expect({ ...resolveConfig({ modelSpec: { name: 'Tiny/Test-1B' } }).modelSpec, name: model.name }).toEqual(
      model,
    );
    expect(modelPresetNames()).toContain('tiny-test-1b');
  });

  it('refuses a name already taken and a spec a config would refuse, naming the field', () => {
    expect(() =>
      registerGpuPreset({ name: 'H100', computeTflops: 1, memorySizeGb: 1, memoryBandwidthGbs: 1 }),
    ).toThrow(/"H100" already names the GPU preset "H100-80GB"/);
    expect(() =>
      registerModelPreset({ name: 'fresh-model', hiddenSize: 64, nLayers: 2, nHeads: 2, ffnDim: 128 }, [
        'llama-2-7b',
      ]),
    ).toThrow(/already names the model preset "llama-2-7b"/);
    expect(modelPresetNames()).not.toContain('fresh-model');
    try {
      registerGpuPreset({ name: 'Broken', computeTflops: -1, memorySizeGb: 10, memoryBandwidthGbs: 100 });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).issues[0]?.path).toBe('clusterSpec.gpuSpec.computeTflops');
    }
  });
});
