export type { BatchShape } from './batch-shape';
export {
  type CalibrationProfileSource,
  parseCalibrationProfile,
  readCalibrationFile,
} from './calibration-profile';
export { camelizeKeys, snakeToCamel } from './case-keys';
export type { ClusterSpec, ResolvedClusterSpec } from './cluster-spec';
export type { ConfigInput } from './config-input';
export {
  clusterSpecSchema,
  gpuSpecSchema,
  modelSpecSchema,
  parallelismSpecSchema,
  schedulerSpecSchema,
  simulatorConfigSchema,
  workloadSpecSchema,
} from './config-schema';
export { parseCsvRecords, splitCsvLine } from './csv';
export type {
  DisaggregationInput,
  KvTransferMode,
  PoolInput,
  ResolvedDisaggregation,
  ResolvedPool,
} from './disaggregation';
export { DTYPE_BYTES, DTYPES, type Dtype, isWeightOnly, type WeightOnlyDtype } from './dtype';
export {
  BUILT_IN_ENGINE_SCHEDULING,
  type EngineScheduling,
  engineScheduling,
  type IterationStyle,
  PREFILL_FIRST_SCHEDULING,
  registerEngineScheduling,
} from './engine-scheduling';
export {
  ConfigError,
  type ConfigIssue,
  type ConfigIssueCode,
  isSimError,
  OutOfMemoryError,
  SimError,
  type SimErrorCode,
} from './errors';
export { type FileReader, getFileReader, memoryFileReader, setFileReader } from './file-reader';
export {
  GDDR_MAX_BANDWIDTH_GBS,
  GPU_ARCHITECTURES,
  type GPUSpec,
  type GpuArchitecture,
  inferGpuArchitecture,
  inferMemoryType,
  MEMORY_TYPES,
  type MemoryType,
  type ResolvedGPUSpec,
} from './gpu-spec';
export { groupDigits } from './group-digits';
export { configJsonSchema } from './json-schema';
export { errorMessage, isJsonObject } from './json-value';
export {
  activeParamCount,
  attentionParamCount,
  deriveParamCount,
  embeddingParamCount,
  isMla,
  isMoe,
  type ModelSpec,
  moeLayerCount,
  type ParameterGeometry,
  type ResolvedModelSpec,
  routedExpertParamCount,
  weightFormats,
} from './model-spec';
export {
  BUILT_IN_ARRIVAL_PROCESSES,
  BUILT_IN_BATCHING_TYPES,
  BUILT_IN_ENGINE_PROFILES,
  BUILT_IN_ROUTERS,
  isRegisteredName,
  type RegistrableField,
  registeredNames,
  registerName,
} from './name-registry';
export type {
  ParallelismSpec,
  ResolvedParallelismSpec,
  ResolvedRouterOptions,
  RouterPolicy,
  RouterSpecInput,
  RouterWeights,
} from './parallelism-spec';
export { GPU_ALIASES, GPU_PRESETS } from './presets/gpu-presets';
export { MODEL_ALIASES, MODEL_PRESETS } from './presets/model-presets';
export {
  closestNames,
  editDistance,
  findGpuPreset,
  findModelPreset,
  gpuPresetNames,
  modelPresetNames,
} from './presets/preset-lookup';
export { registerGpuPreset, registerModelPreset } from './presets/register-presets';
export {
  configWarnings,
  DEFAULT_GPU,
  DEFAULT_MODEL,
  resolveConfig,
  resolveLengthDistribution,
} from './resolve-config';
export type {
  BatchingType,
  KvOffload,
  PreemptionMode,
  QueueOrder,
  ResolvedSchedulerSpec,
  SchedulerSpec,
} from './scheduler-spec';
export {
  type BuiltInEngineProfileName,
  CALIBRATED_PARAMETERS,
  type CalibratedParameter,
  type CalibrationProfileFile,
  ENGINE_PROFILE_NAMES,
  type EngineProfileName,
  type ResolvedConfig,
  type SimulatorConfig,
  type SloSpec,
} from './simulator-config';
export {
  type ResolvedSpeculativeSpec,
  type SpeculativeMethod,
  type SpeculativeSpecInput,
  tokensPerStep,
} from './speculative-spec';
export {
  parseTrace,
  readTraceFile,
  TRACE_COLUMNS,
  type Trace,
  type TraceSource,
  traceHasArrivalTimes,
  traceTextHasArrivalTimes,
} from './trace-file';
export type {
  ArrivalProcess,
  LengthDistribution,
  LengthDistributionInput,
  LoadStage,
  PrefixSharing,
  ResolvedWorkloadSpec,
  Sessions,
  SessionsInput,
  ThinkTime,
  TurnCount,
  WorkloadSpec,
} from './workload-spec';
