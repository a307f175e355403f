import {
  ConfigError,
  findGpuPreset,
  GPU_PRESETS,
  type GPUSpec,
  inferGpuArchitecture,
  inferMemoryType,
  resolveConfig,
} from '@sim/specs';
import { describe, expect, it } from 'vitest';

const gpuOf = (gpuSpec: GPUSpec | Record<string, unknown>) =>
  resolveConfig({ clusterSpec: { gpuSpec: gpuSpec as GPUSpec } }).clusterSpec.gpuSpec;

describe('GPU architecture and memory type', () => {
  it('every preset carries its true architecture and memory type', () => {
    const expected: Record<string, [string, string]> = {
      'A100-40GB': ['ampere', 'hbm'],
      'A100-80GB': ['ampere', 'hbm'],
      'A100-PCIe-80GB': ['ampere', 'hbm'],
      'H100-80GB': ['hopper', 'hbm'],
      'H100-PCIe': ['hopper', 'hbm'],
      'H200-141GB': ['hopper', 'hbm'],
      B200: ['blackwell', 'hbm'],
      L40S: ['ada', 'gddr'],
      L4: ['ada', 'gddr'],
      A10G: ['ampere', 'gddr'],
      A40: ['ampere', 'gddr'],
      V100: ['volta', 'hbm'],
      MI300X: ['cdna3', 'hbm'],
      MI325X: ['cdna3', 'hbm'],
      'RTX-4090': ['ada', 'gddr'],
      'RTX-PRO-6000': ['blackwell', 'gddr'],
    };
    expect(Object.keys(GPU_PRESETS).sort()).toEqual(Object.keys(expected).sort());
    for (const [name, gpu] of Object.entries(GPU_PRESETS)) {
      expect([gpu.architecture, gpu.memoryType], name).toEqual(expected[name]);
      // A preset resolves to its fields, and the name alone says the same thing.
      expect(gpuOf({ name })).toMatchObject({ architecture: gpu.architecture, memoryType: gpu.memoryType });
      expect(inferGpuArchitecture(name), name).toBe(gpu.architecture);
      expect(inferMemoryType(name, gpu.memoryBandwidthGbs), name).toBe(gpu.memoryType);
    }
  });

  it('the RTX 4090 and RTX PRO 6000 presets have their datasheet numbers', () => {
    expect(findGpuPreset('RTX 4090')).toMatchObject({
      name: 'RTX-4090',
      computeTflops: 165.2,
      fp8Tflops: 330.3,
      memorySizeGb: 24,
      memoryBandwidthGbs: 1008,
    });
    expect(findGpuPreset('rtx-pro-6000')).toMatchObject({
      name: 'RTX-PRO-6000',
      computeTflops: 503.8,
      memorySizeGb: 96,
      memoryBandwidthGbs: 1792,
    });
  });

  it('recognises architectures in the names people write (nvidia-smi, rocm-smi, catalogs)', () => {
    const cases: Record<string, string> = {
      'NVIDIA GeForce RTX 4090': 'ada',
      'RTX 6000 Ada Generation': 'ada',
      'NVIDIA L40S': 'ada',
      'NVIDIA RTX A6000': 'ampere',
      'RTX 3090': 'ampere',
      'NVIDIA A100-SXM4-80GB': 'ampere',
      A10: 'ampere',
      'NVIDIA H100 NVL': 'hopper',
      GH200: 'hopper',
      'NVIDIA H20': 'hopper',
      'NVIDIA RTX PRO 6000 Blackwell Workstation Edition': 'blackwell',
      'GeForce RTX 5090': 'blackwell',
      'GB200 NVL72': 'blackwell',
      B300: 'blackwell',
      'AMD Instinct MI300X': 'cdna3',
      MI308X: 'cdna3',
      'Tesla V100-SXM2-32GB': 'volta',
      'AMD Instinct MI250X': 'other',
      'Gaudi 3': 'other',
      'Tesla T4': 'other',
      'my-gpu': 'other',
    };
    for (const [name, architecture] of Object.entries(cases))
      expect(inferGpuArchitecture(name), name).toBe(architecture);
  });

  it('infers the memory type from the architecture, then the name, then the bandwidth', () => {
    // Architecture: Hopper, Volta and CDNA3 parts are HBM, Ada parts GDDR, whatever the bandwidth.
    expect(inferMemoryType('my-hopper', 900, 'hopper')).toBe('hbm');
    expect(inferMemoryType('my-ada', 5000, 'ada')).toBe('gddr');
    // Name: GDDR7 cards above the bandwidth threshold; HBM parts below it.
    expect(inferMemoryType('GeForce RTX 5090', 1792)).toBe('gddr');
    expect(inferMemoryType('RTX PRO 6000', 1792)).toBe('gddr');
    expect(inferMemoryType('Tesla T4', 320)).toBe('gddr');
    expect(inferMemoryType('Tesla P100', 732)).toBe('hbm');
    expect(inferMemoryType('AMD Instinct MI250X', 3277)).toBe('hbm');
    // Bandwidth: an unrecognised name is GDDR below 1.2 TB/s, HBM from there on.
    expect(inferMemoryType('acme-x1', 800)).toBe('gddr');
    expect(inferMemoryType('acme-x1', 1199)).toBe('gddr');
    expect(inferMemoryType('acme-x1', 1200)).toBe('hbm');
    expect(inferMemoryType('acme-x1', 3000)).toBe('hbm');
  });

  it('a custom GPU given only datasheet numbers gets inferred fields; given fields are kept', () => {
    const rtx4090 = {
      name: 'NVIDIA GeForce RTX 4090',
      computeTflops: 165.2,
      memorySizeGb: 24,
      memoryBandwidthGbs: 1008,
    };
    expect(gpuOf(rtx4090)).toMatchObject({ architecture: 'ada', memoryType: 'gddr' });
    const unknown = {
      name: 'my-accelerator',
      computeTflops: 400,
      memorySizeGb: 64,
      memoryBandwidthGbs: 2500,
    };
    expect(gpuOf(unknown)).toMatchObject({ architecture: 'other', memoryType: 'hbm' });
    expect(gpuOf({ ...unknown, name: 'my-hopper', architecture: 'hopper' })).toMatchObject({
      architecture: 'hopper',
      memoryType: 'hbm',
    });
    expect(gpuOf({ ...unknown, memoryType: 'gddr' }).memoryType).toBe('gddr');
    // snake_case works as everywhere else.
    expect(gpuOf({ ...unknown, memory_type: 'gddr' }).memoryType).toBe('gddr');
    // A preset with other numbers keeps its own architecture and memory type.
    expect(gpuOf({ name: 'A100-80GB', memoryBandwidthGbs: 500 })).toMatchObject({
      architecture: 'ampere',
      memoryType: 'hbm',
    });
  });

  it('rejects an architecture or memory type outside the closed sets, naming the field', () => {
    expect(() => gpuOf({ name: 'H100', architecture: 'lovelace' })).toThrow(ConfigError);
    expect(() => gpuOf({ name: 'H100', architecture: 'lovelace' })).toThrow(
      /clusterSpec\.gpuSpec\.architecture/,
    );
    expect(() => gpuOf({ name: 'H100', memoryType: 'hbm3' })).toThrow(/clusterSpec\.gpuSpec\.memoryType/);
  });
});
