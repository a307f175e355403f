import type { Dtype } from '@sim/specs';
import type { CalibrationProfile } from './calibration-profile';
import type { EngineProfile } from './engine-profiles';

/** The GPU's fitted profile with an engine profile's efficiency, quantization and collective-latency factors applied (the same object when they are all 1). */
export function scaleProfile(
  profile: CalibrationProfile,
  engine: EngineProfile,
  weightDtype: Dtype,
): CalibrationProfile {
  const compute = engine.computeEfficiencyScale;
  const memory = engine.memoryEfficiencyScale;
  const quantized =
    weightDtype === 'int8' || weightDtype === 'int4' ? engine.quantizedWeightEfficiency[weightDtype] : 1;
  const latency = engine.collectiveLatencyScale;
  const halfTokens = engine.gemmHalfEfficiencyScale;
  if (compute === 1 && memory === 1 && quantized === 1 && latency === 1 && halfTokens === 1) return profile;
  const { communication } = profile;
  return {
    ...profile,
    communication: {
      ...communication,
      allReduceIntraNode: {
        ...communication.allReduceIntraNode,
        latencyUs: communication.allReduceIntraNode.latencyUs * latency,
      },
      allReduceInterNode: {
        ...communication.allReduceInterNode,
        latencyUs: communication.allReduceInterNode.latencyUs * latency,
      },
    },
    gemm: {
      ...profile.gemm,
      computeEfficiency: Math.min(1, profile.gemm.computeEfficiency * compute),
      halfEfficiencyTokens: profile.gemm.halfEfficiencyTokens * halfTokens,
      memoryEfficiency: Math.min(1, profile.gemm.memoryEfficiency * memory * quantized),
    },
    attention: {
      ...profile.attention,
      prefillComputeEfficiency: Math.min(1, profile.attention.prefillComputeEfficiency * compute),
      decodeMemoryEfficiency: Math.min(1, profile.attention.decodeMemoryEfficiency * memory),
    },
  };
}

/** A profile whose kernels' fixed costs are multiplied by `launchScale` (CUDA-graph replay). */
export function graphProfile(profile: CalibrationProfile, launchScale: number): CalibrationProfile {
  if (launchScale === 1) return profile;
  const { gemm, elementwise, attention } = profile;
  return {
    ...profile,
    gemm: { ...gemm, launchUs: gemm.launchUs * launchScale },
    elementwise: { ...elementwise, launchUs: elementwise.launchUs * launchScale },
    attention: {
      ...attention,
      prefillLaunchUs: attention.prefillLaunchUs * launchScale,
      decodeLaunchUs: attention.decodeLaunchUs * launchScale,
    },
  };
}
