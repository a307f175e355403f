export {
  ENGINE_PROFILES,
  type EngineProfile,
  engineProfileNamed,
  registerEngineProfile,
} from '@sim/perf-model';
export type {
  ArrivalProcess,
  BatchingType,
  ClusterSpec,
  ConfigIssue,
  Dtype,
  EngineProfileName,
  EngineScheduling,
  FileReader,
  GPUSpec,
  LengthDistribution,
  ModelSpec,
  ParallelismSpec,
  ResolvedConfig,
  RouterPolicy,
  SchedulerSpec,
  SimulatorConfig,
  SloSpec,
  Trace,
  WorkloadSpec,
} from '@sim/specs';
export {
  ConfigError,
  engineScheduling,
  findGpuPreset,
  findModelPreset,
  GPU_PRESETS,
  getFileReader,
  gpuPresetNames,
  MODEL_PRESETS,
  memoryFileReader,
  modelPresetNames,
  OutOfMemoryError,
  parseCalibrationProfile,
  parseTrace,
  registerGpuPreset,
  registerModelPreset,
  resolveConfig,
  SimError,
  setFileReader,
} from '@sim/specs';
export {
  type ArrivalGap,
  type ArrivalProcessFactory,
  registerArrivalProcess,
} from './arrival-processes';
export { evaluateCandidate, rankCandidates, type Trial, trial } from './capacity-planner';
export { type DistributionSummary, EMPTY_SUMMARY, LogHistogram, Samples } from './distribution';
export { EventQueue } from './event-queue';
export { type CdfPoints, cdfOf, type LatencyCdfs, latencyCdfs } from './latency-cdf';
export { createLengthSampler, type LengthSampler } from './length-sampler';
export { type ConfigTextOptions, parseConfigRecord, parseConfigText } from './parse-config';
export {
  candidateConfig,
  candidatePricePerHour,
  deploymentConfig,
  describeCandidate,
  enumerateCandidates,
} from './plan-candidates';
export type {
  Candidate,
  CandidateEvaluation,
  PlanRequest,
  PlanResult,
  PlanRow,
  PoolLayout,
  SchedulerChoice,
} from './plan-types';
export { createRandomStreams, type RandomSource, type RandomStreams } from './random-streams';
export {
  type RoutedReplica,
  type RoutedRequest,
  type Router,
  type RouterContext,
  type RouterFactory,
  registerRouter,
  routerNames,
} from './replica-router';
export type { DisaggregationStatistics, PoolStatistics } from './serving-pool';
export type { SessionStatistics } from './session-tracker';
export { type RequestRecord, SimulationMetrics, type TraceEvent } from './simulation-metrics';
export {
  DEFAULT_MAX_REQUESTS,
  type Progress,
  type RunOptions,
  Simulation,
  SimulationRun,
} from './simulation-run';
export { type AsyncRunOptions, LLMInferenceSimulator } from './simulator';
export type {
  KvOffloadStatistics,
  ReplicaStatistics,
  SimulationStatistics,
  StageStatistics,
} from './statistics';
export type { TimeSeries } from './time-series';
export { asUnvalidatedConfig } from './unvalidated-config';
export { type Arrival, type RequestShape, stageBoundaries, WorkloadSource } from './workload-source';
