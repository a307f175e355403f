import type { RequestRecord } from '@sim/engine';
import { csvKind } from './output-file';

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

/** The header row of the request CSV. */
export const REQUEST_CSV_HEADER = COLUMNS.join(',');

/** The file `run --csv` writes (recognised by its header, so a rerun may overwrite it). */
export const REQUEST_CSV = csvKind('request CSV', (header) => header === REQUEST_CSV_HEADER);

/** Per-request records as CSV (header row, one line per completed request; times in seconds). */
export function requestsToCsv(records: readonly RequestRecord[]): string {
  const lines = [REQUEST_CSV_HEADER];
  for (const record of records) lines.push(COLUMNS.map((column) => String(record[column])).join(','));
  return `${lines.join('\n')}\n`;
}
