export { buildConfig, type ConfigFlags } from './build-config';
export { createProgram, EXIT_BAD_INPUT, main } from './cli';
export { formatSummary } from './format-summary';
export {
  type CdfPoints,
  cdfOf,
  escapeHtml,
  latencyCdfs,
  type ReportInput,
  type ReportPlanPoint,
  type ReportRun,
  type ReportSweep,
  renderReport,
  reportRunOf,
  scriptSafeJson,
} from './html-report';
export { colorEnabled, type Io } from './io';
export { requestsToCsv } from './request-csv';
export { applyOverride } from './set-override';
export { expandSweep, parseVariation, runSweep, type Variation } from './sweep';
export type { PointOutcome } from './sweep-point';
