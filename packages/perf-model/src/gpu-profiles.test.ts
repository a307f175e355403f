import { CALIBRATION_PROFILES, createPerfModel, profileForGpu } from '@sim/perf-model';
import { type EngineProfileName, GPU_PRESETS, type GPUSpec, resolveConfig } from '@sim/specs';
import { describe, expect, it } from 'vitest';

const gpuOf = (gpuSpec: GPUSpec) => resolveConfig({ clusterSpec: { gpuSpec } }).clusterSpec.gpuSpec;
const choiceOf = (gpuSpec: GPUSpec) => profileForGpu(gpuOf(gpuSpec));
const a100 = CALIBRATION_PROFILES.a100!;
const h100 = CALIBRATION_PROFILES.h100!;
const a40 = CALIBRATION_PROFILES.a40!;

describe('GPUs without a profile borrow by architecture class and memory type', () => {
  it('an RTX 4090 given only by its datasheet numbers uses the A40 (GDDR) profile and says so', () => {
    const rtx4090 = {
      name: 'NVIDIA GeForce RTX 4090',
      computeTflops: 165.2,
      memorySizeGb: 24,
      memoryBandwidthGbs: 1008,
    };
    expect(gpuOf(rtx4090)).toMatchObject({ architecture: 'ada', memoryType: 'gddr' });
    const choice = choiceOf(rtx4090);
    expect(choice.family).toBe('a40');
    expect(choice.extrapolated).toBe(true);
    expect(choice.gemmEfficiencyScale).toBe(1);
    expect(choice.profile.gemm).toEqual(a40.gemm);
    expect(choice.profile.attention).toEqual(a40.attention);
    expect(choice.profile.elementwise).toEqual(a40.elementwise);
    // Collectives: the A100 NVLink fit on the card's own (PCIe) link, not the A40 NVLink-bridge pair fit.
    expect(choice.profile.communication).toEqual(a100.communication);
    expect(choice.note).toMatch(
      /^NVIDIA GeForce RTX 4090 has no kernel profile: efficiencies extrapolated from A40 \(unscaled\)/,
    );
    expect(choice.note).toMatch(
      /A40 because NVIDIA GeForce RTX 4090 is Ada with GDDR memory and A40 is the only calibrated GDDR GPU/,
    );
    expect(choice.note).toMatch(/not validated against measurements/);
    // The preset says the same.
    expect(choiceOf({ name: 'RTX-4090' }).family).toBe('a40');
  });

  it('an unknown GDDR-looking GPU is not given the A100 HBM efficiencies', () => {
    const card = {
      name: 'acme-inference-card',
      computeTflops: 200,
      memorySizeGb: 32,
      memoryBandwidthGbs: 800,
    };
    expect(gpuOf(card)).toMatchObject({ architecture: 'other', memoryType: 'gddr' });
    const choice = choiceOf(card);
    expect(choice.family).toBe('a40');
    expect(choice.profile.gemm.memoryEfficiency).toBe(a40.gemm.memoryEfficiency);
    expect(choice.profile.gemm.memoryEfficiency).not.toBe(a100.gemm.memoryEfficiency);
    expect(choice.profile.elementwise).toEqual(a40.elementwise);
    expect(choice.profile.elementwise.efficiency.norm).not.toBe(a100.elementwise.efficiency.norm);
    expect(choice.note).toMatch(/acme-inference-card is of an unrecognised architecture with GDDR memory/);
    // An unrecognised HBM-class part (2 TB/s) still falls back to the A100, as before.
    expect(choiceOf({ ...card, name: 'acme-hbm', memoryBandwidthGbs: 2000 }).family).toBe('a100');
  });

  it('an MI300X uses the H100 (HBM) profile with the GEMM efficiency scaled by the matmul ratio', () => {
    for (const gpuSpec of [
      { name: 'MI300X' },
      { name: 'AMD Instinct MI300X', computeTflops: 1307.4, memorySizeGb: 192, memoryBandwidthGbs: 5300 },
    ]) {
      expect(gpuOf(gpuSpec)).toMatchObject({ architecture: 'cdna3', memoryType: 'hbm' });
      const choice = choiceOf(gpuSpec);
      expect(choice.family).toBe('h100');
      expect(choice.extrapolated).toBe(true);
      expect(choice.gemmEfficiencyScale).toBe(0.514 / 0.803);
      expect(choice.profile.gemm.computeEfficiency).toBe(h100.gemm.computeEfficiency * (0.514 / 0.803));
      expect(choice.profile.gemm.memoryEfficiency).toBe(h100.gemm.memoryEfficiency);
      expect(choice.profile.attention).toEqual(h100.attention);
      expect(choice.profile.communication).toEqual(h100.communication);
      expect(choice.note).toMatch(
        /extrapolated from H100, GEMM efficiency ×0\.64 by measured matmul efficiency \(MI300X 51\.4% of peak vs H100 80\.3%\)/,
      );
      expect(choice.note).toMatch(/CDNA3 with HBM/);
    }
    expect(choiceOf({ name: 'MI325X' }).gemmEfficiencyScale).toBe(0.604 / 0.803);
  });

  it("a custom GPU named 'my-hopper' with architecture 'hopper' uses the H100 profile, unscaled", () => {
    const gpuSpec = {
      name: 'my-hopper',
      architecture: 'hopper' as const,
      computeTflops: 900,
      memorySizeGb: 96,
      memoryBandwidthGbs: 4000,
    };
    expect(gpuOf(gpuSpec).memoryType).toBe('hbm');
    const choice = choiceOf(gpuSpec);
    expect(choice.family).toBe('h100');
    expect(choice.extrapolated).toBe(true);
    expect(choice.profile.gemm).toEqual(h100.gemm);
    expect(choice.note).toMatch(/extrapolated from H100 \(unscaled\).*my-hopper is Hopper with HBM/);
  });

  it('Blackwell: B200 (HBM) from H100 scaled by B200/H100; RTX PRO 6000 (GDDR7) from A40', () => {
    const b200 = choiceOf({ name: 'B200' });
    expect(b200.family).toBe('h100');
    expect(b200.gemmEfficiencyScale).toBe(0.776 / 0.803);
    expect(b200.note).toMatch(/B200 has no kernel profile.*×0\.97.*Blackwell with HBM/);
    const pro = choiceOf({ name: 'RTX-PRO-6000' });
    expect(pro.family).toBe('a40');
    expect(pro.gemmEfficiencyScale).toBe(1);
    expect(pro.note).toMatch(/RTX-PRO-6000 is Blackwell with GDDR memory/);
  });

  it('every preset keeps the family it had under the name rules', () => {
    const expected: Record<string, [string, boolean]> = {
      'A100-40GB': ['a100', false],
      'A100-80GB': ['a100', false],
      'A100-PCIe-80GB': ['a100', false],
      'H100-80GB': ['h100', false],
      'H100-PCIe': ['h100', true],
      'H200-141GB': ['h100', true],
      B200: ['h100', true],
      L40S: ['a40', true],
      L4: ['a40', true],
      A10G: ['a40', true],
      A40: ['a40', false],
      V100: ['a100', true],
      MI300X: ['h100', true],
      MI325X: ['h100', true],
      'RTX-4090': ['a40', true],
      'RTX-PRO-6000': ['a40', true],
    };
    expect(Object.keys(GPU_PRESETS).sort()).toEqual(Object.keys(expected).sort());
    for (const [name, gpu] of Object.entries(GPU_PRESETS)) {
      const choice = profileForGpu(gpu);
      expect([choice.family, choice.extrapolated], name).toEqual(expected[name]);
    }
  });

  it('a GPU named like a calibrated one but declared otherwise is not taken for it', () => {
    const choice = choiceOf({ name: 'A100-80GB', memoryType: 'gddr' });
    expect(choice.extrapolated).toBe(true);
    expect(choice.family).toBe('a40');
  });
});

describe('calibrated GPUs are unchanged', () => {
  it('A100, H100 and A40 use their own fitted profile object', () => {
    for (const [name, family] of [
      ['A100-80GB', 'a100'],
      ['A100-40GB', 'a100'],
      ['H100', 'h100'],
      ['A40', 'a40'],
    ] as const) {
      const choice = choiceOf({ name });
      expect(choice.extrapolated, name).toBe(false);
      expect(choice.profile, name).toBe(CALIBRATION_PROFILES[family]);
      expect(choice.gemmEfficiencyScale).toBe(1);
      expect(choice.note).toBe(`${name}: kernel efficiencies fitted to ${family.toUpperCase()} measurements`);
    }
  });

  // iterationTime of one mixed batch, computed before the architecture/memory-type transfer rule
  // with the `ideal` profile (no CPU time, no fitted engine factors: only the kernel model enters;
  // trtllm rows were here too until its refit on the relabelled training rows moved them).
  const batch = {
    prefillChunks: [300, 40],
    prefillContexts: [0, 1000],
    decodeSequences: 12,
    decodeContextTokens: 9000,
  };
  const before: ReadonlyArray<[string, string, number, EngineProfileName, number]> = [
    ['A100-80GB', 'llama-2-7b', 1, 'ideal', 0.03188639335442058],
    ['A100-80GB', 'llama-2-70b', 4, 'ideal', 0.0900868332911957],
    ['H100-80GB', 'llama-2-7b', 1, 'ideal', 0.014532339403755526],
    ['H100-80GB', 'llama-2-70b', 4, 'ideal', 0.04158983161202349],
    ['A40', 'llama-2-70b', 4, 'ideal', 0.5104496170408518],
    ['L40S', 'llama-2-70b', 4, 'ideal', 0.18657291735055304],
    ['MI300X', 'llama-2-70b', 4, 'ideal', 0.04483354700030712],
  ];
  for (const [gpu, model, tensorParallelSize, engineProfile, seconds] of before) {
    it(`${gpu} ${model} TP ${tensorParallelSize} (${engineProfile}): iterationTime is exactly ${seconds}`, () => {
      const config = resolveConfig({
        modelSpec: { name: model },
        clusterSpec: { nGpusPerNode: tensorParallelSize, gpuSpec: { name: gpu } },
        parallelismSpec: { tensorParallelSize },
      });
      expect(createPerfModel({ ...config, engineProfile }).iterationTime(batch)).toBe(seconds);
    });
  }
});
