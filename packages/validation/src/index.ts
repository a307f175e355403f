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
