import type { CalibrationProfile } from './calibration-profile';
import type { EngineProfile } from './engine-profiles';

/**
 * The GPU's fitted profile with an engine profile's efficiency and collective-latency factors
 * applied (the same object when they are all 1). The weight-only quantization factor depends on
 * each GEMM's weights and is applied per GEMM (see weight-kernels.ts).
 */
export function scaleProfile(profile: CalibrationProfile, engine: EngineProfile): CalibrationProfile {
  const compute = engine.computeEfficiencyScale;
  const memory = engine.memoryEfficiencyScale;
  const latency = engine.collectiveLatencyScale;
  const halfTokens = engine.gemmHalfEfficiencyScale;
  if (compute === 1 && memory === 1 && latency === 1 && halfTokens === 1) return profile;
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
      memoryEfficiency: Math.min(1, profile.gemm.memoryEfficiency * memory),
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
