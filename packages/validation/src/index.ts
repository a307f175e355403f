export {
  type CalibrationTransfer,
  calibrationTransfer,
  medianAbsolutePercent,
  renderCalibrationTransferMarkdown,
  type StageErrors,
  TRANSFER_GROUPS,
  type TransferGroup,
  type TransferRow,
} from './calibration-transfer';
export {
  compareH200Gemms,
  fitFp8GemmRatio,
  type GemmComparison,
  H200_GEMM_DATA,
  type MeasuredGemm,
  readH200Gemms,
  renderH200GemmMarkdown,
} from './h200-gemms';
export { absolutePercentError, caseConfig, casePerfModel, predictCase, staticBatchSeconds } from './predict';
export {
  type CaseKind,
  type DatasetName,
  type PublishedCases,
  readPublishedCases,
  type SkippedRow,
  type ValidationCase,
} from './published-cases';
export {
  type DatasetSummary,
  type ErrorSummary,
  renderValidationMarkdown,
  runCases,
  summarize,
  summarizeErrors,
  TARGETS,
  type ValidationResult,
} from './validation-report';
export { fitVllmV1, VLLM_V1_PARAMETERS, type VllmV1Fit, vllmV1Objective, vllmV1Profile } from './vllm-v1-fit';
export {
  renderVllmV1Markdown,
  runVllmV1,
  summarizeVllmV1,
  VLLM_V1_METRICS,
  type VllmV1Metric,
  type VllmV1Result,
  type VllmV1Summary,
} from './vllm-v1-report';
export {
  isOverloaded,
  type MeasuredDistribution,
  predictStage,
  REPLAY_SECONDS,
  REPLAY_WARMUP_SECONDS,
  readVllmV1Stages,
  type Split,
  type StagePrediction,
  stageConfig,
  stageDeployment,
  VLLM_V1_DATA,
  type VllmV1Stage,
} from './vllm-v1-runs';
