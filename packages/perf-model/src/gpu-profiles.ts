import type { GpuArchitecture, MemoryType, ResolvedGPUSpec } from '@sim/specs';
import a40 from '../data/calibration-profiles/a40.json';
import a100 from '../data/calibration-profiles/a100.json';
import h100 from '../data/calibration-profiles/h100.json';
import type { CalibrationProfile } from './calibration-profile';

/** Fitted profiles by family. */
export const CALIBRATION_PROFILES: Readonly<Record<ProfileFamily, CalibrationProfile>> = { a100, h100, a40 };

/** A calibrated family: a GPU whose kernels were measured (Vidur's profiles). */
export type ProfileFamily = 'a100' | 'h100' | 'a40';

/**
 * Best achievable dense BF16 matmul efficiency (measured TFLOP/s ÷ datasheet peak) from
 * stas00/ml-engineering's MAMF table (../shared/calibration/published/gpu_matmul_achievable_tflops_mamf.csv).
 * Used to carry a profile to a GPU of another vendor or generation.
 */
const MATMUL_EFFICIENCY: Readonly<Record<string, number>> = {
  a100: 0.869,
  h100: 0.803,
  b200: 0.776,
  mi300x: 0.514,
  mi325x: 0.604,
};

/** The MAMF table's name of each {@link MATMUL_EFFICIENCY} key, for the note. */
const MATMUL_LABEL: Readonly<Record<string, string>> = {
  a100: 'A100',
  h100: 'H100',
  b200: 'B200',
  mi300x: 'MI300X',
  mi325x: 'MI325X',
};

/** Which profile a GPU uses, and whether that is a calibration of this GPU or an extrapolation. */
export interface ProfileChoice {
  readonly profile: CalibrationProfile;
  /** The calibrated family the efficiencies come from. */
  readonly family: ProfileFamily;
  /** True when the GPU itself was not profiled (its numbers come from another family). */
  readonly extrapolated: boolean;
  /** Factor applied to the family's GEMM compute efficiency (measured matmul efficiency ratio; 1 when none). */
  readonly gemmEfficiencyScale: number;
  /** What was done: the source family, why it was chosen (architecture, memory type), and what was scaled. */
  readonly note: string;
}

/**
 * GPUs calibrated by name: the presets (and spellings) of the profiled GPUs. A name matches only
 * when the GPU's architecture and memory type are the family's (a GPU called `A100-x` declared
 * `gddr` is not an A100).
 */
const CALIBRATED: ReadonlyArray<{
  readonly pattern: RegExp;
  readonly family: ProfileFamily;
  readonly architecture: GpuArchitecture;
  readonly memoryType: MemoryType;
}> = [
  { pattern: /^a100/i, family: 'a100', architecture: 'ampere', memoryType: 'hbm' },
  { pattern: /^h100-80gb$|^h100$|^h100-sxm/i, family: 'h100', architecture: 'hopper', memoryType: 'hbm' },
  { pattern: /^a40$/i, family: 'a40', architecture: 'ampere', memoryType: 'gddr' },
];

const ARCHITECTURE_LABEL: Readonly<Record<GpuArchitecture, string>> = {
  volta: 'Volta',
  ampere: 'Ampere',
  ada: 'Ada',
  hopper: 'Hopper',
  blackwell: 'Blackwell',
  cdna3: 'CDNA3',
  other: 'of an unrecognised architecture',
};

interface Transfer {
  readonly family: ProfileFamily;
  /** Why this family, as the end of "X because ...". */
  readonly reason: string;
  /** {@link MATMUL_EFFICIENCY} key of the GPU when its GEMM efficiency is scaled. */
  readonly matmulEfficiencyKey?: string;
}

/**
 * The calibrated family a GPU without a profile borrows from, by memory type first (memory-bound
 * decode, attention and element-wise efficiencies are properties of the memory system), then by
 * architecture class:
 * - GDDR (any architecture): A40, the only calibrated GDDR GPU;
 * - HBM Hopper: H100; HBM Blackwell: H100 with the GEMM efficiency scaled by B200/H100 measured matmul
 *   efficiency; CDNA3 (MI300X, MI325X): H100 (the data-center HBM class it competes in) scaled by
 *   MI300X (or MI325X)/H100;
 * - HBM Ampere: A100; HBM of any other architecture (Volta, unrecognised): A100, the calibrated HBM
 *   GPU the model falls back to.
 */
function transferSource(gpu: ResolvedGPUSpec): Transfer {
  const is = `${gpu.name} is ${ARCHITECTURE_LABEL[gpu.architecture]}`;
  if (gpu.memoryType === 'gddr')
    return { family: 'a40', reason: `${is} with GDDR memory and A40 is the only calibrated GDDR GPU` };
  switch (gpu.architecture) {
    case 'hopper':
      return { family: 'h100', reason: `${is} with HBM, the H100's architecture` };
    case 'blackwell':
      return {
        family: 'h100',
        reason: `${is} with HBM and H100 is the calibrated GPU of the nearest architecture (Hopper)`,
        matmulEfficiencyKey: 'b200',
      };
    case 'cdna3':
      return {
        family: 'h100',
        reason: `${is} with HBM, a data-center GPU of the H100's class`,
        matmulEfficiencyKey: /mi325/i.test(gpu.name) ? 'mi325x' : 'mi300x',
      };
    case 'ampere':
      return { family: 'a100', reason: `${is} with HBM, the A100's architecture` };
    default:
      return {
        family: 'a100',
        reason: `${is} with HBM and A100 is the calibrated HBM GPU used for other architectures`,
      };
  }
}

/**
 * Picks the calibration profile for a GPU. Calibrated GPUs (A100, H100 SXM, A40, by name) use their
 * own fit, unchanged. Others borrow the efficiencies of the calibrated GPU of the same memory type
 * and closest architecture class (see {@link transferSource}), with the GEMM compute efficiency
 * scaled by the measured matmul efficiency ratio where one is published, and applied to the GPU's
 * own datasheet peaks; the note says which, why, and what was scaled.
 */
export function profileForGpu(gpu: ResolvedGPUSpec): ProfileChoice {
  const calibrated = CALIBRATED.find(
    (rule) =>
      rule.pattern.test(gpu.name) &&
      rule.architecture === gpu.architecture &&
      rule.memoryType === gpu.memoryType,
  );
  if (calibrated !== undefined) {
    const family = calibrated.family;
    return {
      profile: CALIBRATION_PROFILES[family],
      family,
      extrapolated: false,
      gemmEfficiencyScale: 1,
      note: `${gpu.name}: kernel efficiencies fitted to ${family.toUpperCase()} measurements`,
    };
  }
  const { family, reason, matmulEfficiencyKey } = transferSource(gpu);
  const base = CALIBRATION_PROFILES[family];
  const scale =
    matmulEfficiencyKey !== undefined
      ? (MATMUL_EFFICIENCY[matmulEfficiencyKey] ?? 1) / (MATMUL_EFFICIENCY[family] ?? 1)
      : 1;
  // Collective efficiencies belong to a link, not to a GPU: a GPU without a profile gets NCCL's
  // efficiency on an NVLink/NVSwitch node (Hopper-class parts: the H100 fit; the rest: the A100 fit),
  // applied to its own link bandwidth. The A40 pair fit (NVLink bridge) does not carry over to
  // PCIe-only cards such as the L40S.
  const linkFamily = family === 'h100' ? 'h100' : 'a100';
  const communication = CALIBRATION_PROFILES[linkFamily].communication;
  const profile: CalibrationProfile = {
    ...base,
    communication,
    gemm: { ...base.gemm, computeEfficiency: base.gemm.computeEfficiency * scale },
  };
  const source = family.toUpperCase();
  const scaled =
    matmulEfficiencyKey === undefined
      ? ' (unscaled)'
      : `, GEMM efficiency ×${scale.toFixed(2)} by measured matmul efficiency (${MATMUL_LABEL[matmulEfficiencyKey]} ${pct(MATMUL_EFFICIENCY[matmulEfficiencyKey])} of peak vs ${source} ${pct(MATMUL_EFFICIENCY[family])})`;
  return {
    profile,
    family,
    extrapolated: true,
    gemmEfficiencyScale: scale,
    note: `${gpu.name} has no kernel profile: efficiencies extrapolated from ${source}${scaled}, applied to ${gpu.name}'s datasheet peaks; ${source} because ${reason}; collectives use the ${linkFamily.toUpperCase()} NVLink fit on ${gpu.name}'s own link bandwidth (not validated against measurements of ${gpu.name})`,
  };
}

function pct(value: number | undefined): string {
  return `${((value ?? 1) * 100).toFixed(1)}%`;
}
