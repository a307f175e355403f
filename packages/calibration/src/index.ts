export {
  type CalibrationOptions,
  type CalibrationOutcome,
  type CalibrationResult,
  calibrateProfile,
  type FitQuality,
  type MetricComparison,
} from './calibrate';
export {
  calibrateFromStages,
  type StageCalibrationOptions,
  type StageCalibrationResult,
  type StageComparison,
  type StageFitQuality,
} from './calibrate-stages';
export {
  type MeasuredRequest,
  MeasurementError,
  type Measurements,
  MIN_MEASURED_REQUESTS,
} from './measurements';
export { type ReadMeasurementsOptions, readMeasurements } from './read-measurements';
export { MEASUREMENT_CSV_COLUMNS, readMeasurementsCsv } from './read-measurements-csv';
export { isStageSummaries, readStageSummaries } from './read-stage-summaries';
export { readVllmBenchJson } from './read-vllm-bench';
export {
  isOverloaded,
  type MeasuredDistribution,
  type MeasuredStage,
  type StageMeasurements,
} from './stage-measurements';
export {
  replayStage,
  STAGE_REPLAY_DEFAULTS,
  type StagePrediction,
  type StageReplayOptions,
  stageLengthsFile,
  stageReplayConfig,
} from './stage-replay';
