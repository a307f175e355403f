import type { ResolvedGPUSpec } from '@sim/specs';
import a40 from '../data/calibration-profiles/a40.json';
import a100 from '../data/calibration-profiles/a100.json';
import h100 from '../data/calibration-profiles/h100.json';
import type { CalibrationProfile } from './calibration-profile';

/** Fitted profiles by family. */
export const CALIBRATION_PROFILES: Readonly<Record<string, CalibrationProfile>> = { a100, h100, a40 };

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

/** Which profile a GPU uses, and whether that is a calibration of this GPU or an extrapolation. */
export interface ProfileChoice {
  readonly profile: CalibrationProfile;
  /** True when the GPU itself was not profiled (its numbers come from another family). */
  readonly extrapolated: boolean;
  /** One sentence saying what was done. */
  readonly note: string;
}

interface FamilyRule {
  readonly pattern: RegExp;
  readonly family: 'a100' | 'h100' | 'a40';
  readonly calibrated: boolean;
  readonly matmulEfficiencyKey?: string;
}

const RULES: readonly FamilyRule[] = [
  { pattern: /^a100/i, family: 'a100', calibrated: true },
  { pattern: /^h100-80gb$|^h100$|^h100-sxm/i, family: 'h100', calibrated: true },
  { pattern: /^a40$/i, family: 'a40', calibrated: true },
  { pattern: /^h100|^h200|^gh200/i, family: 'h100', calibrated: false },
  { pattern: /^b200|^gb200|^b300/i, family: 'h100', calibrated: false, matmulEfficiencyKey: 'b200' },
  { pattern: /^mi300/i, family: 'h100', calibrated: false, matmulEfficiencyKey: 'mi300x' },
  { pattern: /^mi325/i, family: 'h100', calibrated: false, matmulEfficiencyKey: 'mi325x' },
  { pattern: /^l40|^l4$|^a10|^a6000|^rtx/i, family: 'a40', calibrated: false },
  { pattern: /^v100/i, family: 'a100', calibrated: false },
];

/**
 * Picks the calibration profile for a GPU. Calibrated families (A100, H100 SXM, A40) use their own
 * fit. Others use the closest calibrated family (same architecture or memory type), with the GEMM
 * compute efficiency scaled by the measured matmul efficiency ratio where one is published. An
 * unknown custom GPU uses the A100 profile. Either way the datasheet peaks are the GPU's own.
 */
export function profileForGpu(gpu: ResolvedGPUSpec): ProfileChoice {
  const rule = RULES.find((candidate) => candidate.pattern.test(gpu.name));
  const family = rule?.family ?? 'a100';
  const base = CALIBRATION_PROFILES[family] as CalibrationProfile;
  if (rule?.calibrated) {
    return {
      profile: base,
      extrapolated: false,
      note: `${gpu.name}: kernel efficiencies fitted to ${family.toUpperCase()} measurements`,
    };
  }
  const scale =
    rule?.matmulEfficiencyKey !== undefined
      ? (MATMUL_EFFICIENCY[rule.matmulEfficiencyKey] ?? 1) / (MATMUL_EFFICIENCY[family] ?? 1)
      : 1;
  // Collective efficiencies belong to a link, not to a GPU: a GPU without a profile gets NCCL's
  // efficiency on an NVLink/NVSwitch node (Hopper-class parts: the H100 fit; the rest: the A100 fit),
  // applied to its own link bandwidth. The A40 pair fit (NVLink bridge) does not carry over to
  // PCIe-only cards such as the L40S.
  const communication = (CALIBRATION_PROFILES[family === 'h100' ? 'h100' : 'a100'] as CalibrationProfile)
    .communication;
  const profile: CalibrationProfile = {
    ...base,
    communication,
    gemm: { ...base.gemm, computeEfficiency: base.gemm.computeEfficiency * scale },
  };
  const scaled = scale === 1 ? '' : `, GEMM efficiency ×${scale.toFixed(2)} by measured matmul efficiency`;
  return {
    profile,
    extrapolated: true,
    note: `${gpu.name} has no kernel profile: efficiencies extrapolated from ${family.toUpperCase()}${scaled}, applied to ${gpu.name}'s datasheet peaks`,
  };
}
