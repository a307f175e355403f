export { createProgram, EXIT_BAD_INPUT, main } from './cli';
export { formatSummary } from './format-summary';
export { applyOverride } from './set-override';
