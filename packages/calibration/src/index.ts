export {
  type CalibrationOptions,
  type CalibrationResult,
  calibrateProfile,
  type FitQuality,
  type MetricComparison,
} from './calibrate';
export {
  type MeasuredRequest,
  MeasurementError,
  type Measurements,
  MIN_MEASURED_REQUESTS,
} from './measurements';
export { minimize, type NelderMeadOptions, type NelderMeadResult, nelderMead } from './nelder-mead';
export { readMeasurements } from './read-measurements';
export { MEASUREMENT_CSV_COLUMNS, readMeasurementsCsv } from './read-measurements-csv';
export { readVllmBenchJson } from './read-vllm-bench';
