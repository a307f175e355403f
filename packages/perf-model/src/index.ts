export { type AttentionLayers, attentionLayers } from './attention-layers';
export type { BatchShape } from './batch-shape';
export type {
  AttentionEfficiency,
  CalibrationProfile,
  CommunicationEfficiency,
  ElementwiseEfficiency,
  ElementwiseOperator,
  GemmEfficiency,
  LinkEfficiency,
} from './calibration-profile';
export { allReduceTime, sendRecvTime } from './communication';
export { confidenceNotes, PROFILED_PARAMETERS_B } from './confidence-notes';
export type { DecodeLinearCost } from './decode-linear-cost';
export { engineProfileNamed, registerEngineProfile } from './engine-profile-registry';
export { ENGINE_PROFILES, type EngineProfile, type KvCacheSizing } from './engine-profiles';
export { expectedActiveExperts } from './expected-active-experts';
export { CALIBRATION_PROFILES, type ProfileChoice, profileForGpu } from './gpu-profiles';
export { kvSwapSeconds } from './kv-swap';
export {
  elementwiseOperatorCost,
  type LayerElementwiseOperator,
  type LinearOperator,
  linearOperatorCost,
  weightGemmCost,
} from './layer-cost';
export { type LayerGeometry, layerGeometry } from './layer-geometry';
export {
  type MemoryPlan,
  type MemoryPlanScheduler,
  maxConcurrentSequences,
  memoryPlan,
  RUNTIME_OVERHEAD_BYTES,
} from './memory-plan';
export { offloadCapacityBlocks } from './offload-capacity';
export type { IterationBreakdown, OperatorBreakdown } from './operator-breakdown';
export { createPerfModel, PerfModel, type PerfModelConfig } from './perf-model';
export {
  attendedPairs,
  type DevicePeaks,
  decodeAttentionBandwidth,
  decodeAttentionCost,
  ELEMENTWISE_BYTES_PER_ELEMENT,
  elementwiseCost,
  gemmCost,
  type OperatorCost,
  prefillAttentionFlops,
  prefillAttentionSeconds,
} from './roofline';
export { FP8_GEMM_EFFICIENCY_RATIO, type WeightKernels, weightKernels } from './weight-kernels';
