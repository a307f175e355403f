export { type CdfPoints, cdfOf, type LatencyCdfs, latencyCdfs } from '@sim/engine';
export { buildConfig, type ConfigFlags } from './build-config';
export { createProgram, EXIT_BAD_INPUT, main } from './cli';
export { describeScheduler, formatSummary } from './format-summary';
export { escapeHtml, scriptSafeJson } from './html-escape';
export {
  type ReportInput,
  type ReportPlanPoint,
  type ReportRun,
  type ReportSweep,
  renderReport,
  reportRunOf,
} from './html-report';
export { colorEnabled, type Io, writeWarnings } from './io';
export { launchDirectory } from './launch-directory';
export { assessLoad, type LoadAssessment, loadLimitedNote } from './load-limit';
export { requestsToCsv } from './request-csv';
export { applyOverride } from './set-override';
export { type StatisticsJson, statisticsJson } from './statistics-json';
export { expandSweep, parseVariation, runSweep, type Variation } from './sweep';
export type { PointOutcome } from './sweep-point';
