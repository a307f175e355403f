import type { RequestRecord } from '@sim/engine';

const COLUMNS: readonly (keyof RequestRecord)[] = [
  'id',
  'replica',
  'arrivalS',
  'inputTokens',
  'outputTokens',
  'queueingDelayS',
  'firstTokenLatencyS',
  'endToEndLatencyS',
  'preemptions',
];

/** Per-request records as CSV (header row, one line per completed request; times in seconds). */
export function requestsToCsv(records: readonly RequestRecord[]): string {
  const lines = [COLUMNS.join(',')];
  for (const record of records) lines.push(COLUMNS.map((column) => String(record[column])).join(','));
  return `${lines.join('\n')}\n`;
}
