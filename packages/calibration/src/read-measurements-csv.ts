import { splitCsvLine } from '@sim/specs';
import {
  type MeasuredRequest,
  MeasurementError,
  type Measurements,
  normalizeArrivals,
  requireEnoughRequests,
} from './measurements';

/** The columns a measurement CSV needs, in the documented order (seconds on one clock, token counts). */
export const MEASUREMENT_CSV_COLUMNS = [
  'arrival_time',
  'input_tokens',
  'output_tokens',
  'first_token_time',
  'last_token_time',
] as const;

type Column = (typeof MEASUREMENT_CSV_COLUMNS)[number];

/**
 * Reads per-request measurements from CSV text: a header naming (in any order, case-insensitive)
 * `arrival_time,input_tokens,output_tokens,first_token_time,last_token_time` (seconds on one clock,
 * e.g. Unix time; extra columns are ignored), then one request per line; blank and `#` lines are
 * skipped. Checks that times are finite numbers, first_token_time ≥ arrival_time, last_token_time ≥
 * first_token_time, token counts positive integers, and that there are at least 20 requests.
 * Throws a {@link MeasurementError} naming `file` and the line.
 *
 * @param text the file's contents
 * @param file its name, for messages
 */
export function readMeasurementsCsv(text: string, file: string): Measurements {
  const lines = text.split(/\r?\n/);
  const fail = (
    line: number | undefined,
    message: string,
    code: 'file_malformed' | 'missing_field' = 'file_malformed',
  ) => new MeasurementError(file, line, code, message);
  let headerIndex = 0;
  while (headerIndex < lines.length && isSkipped(lines[headerIndex] ?? '')) headerIndex++;
  if (headerIndex >= lines.length)
    throw fail(1, `the file is empty; expected a header row (${MEASUREMENT_CSV_COLUMNS.join(',')}).`);
  const header = splitCsvLine(lines[headerIndex] ?? '').map((name) => name.trim().toLowerCase());
  const missing = MEASUREMENT_CSV_COLUMNS.filter((column) => !header.includes(column));
  if (missing.length > 0)
    throw fail(
      headerIndex + 1,
      `missing column${missing.length === 1 ? '' : 's'} ${missing.join(', ')}: the header needs ${MEASUREMENT_CSV_COLUMNS.join(',')} (seconds on one clock, token counts); found ${header.join(',')}.`,
      'missing_field',
    );
  const positions = new Map(MEASUREMENT_CSV_COLUMNS.map((column) => [column, header.indexOf(column)]));
  const position = (column: Column) => positions.get(column) ?? -1;
  const requests: MeasuredRequest[] = [];
  for (let index = headerIndex + 1; index < lines.length; index++) {
    const line = lines[index] ?? '';
    if (isSkipped(line)) continue;
    const lineNumber = index + 1;
    const cells = splitCsvLine(line);
    const number = (column: Column) => {
      const cell = (cells[position(column)] ?? '').trim();
      const value = cell === '' ? Number.NaN : Number(cell);
      if (!Number.isFinite(value))
        throw fail(
          lineNumber,
          cells.length <= position(column)
            ? `${column} is missing (the line has ${cells.length} cells, the header ${header.length}).`
            : `${column} "${cell}" is not a finite number.`,
        );
      return value;
    };
    const tokens = (column: Column) => {
      const value = number(column);
      if (!Number.isInteger(value) || value < 1)
        throw fail(lineNumber, `${column} must be a positive whole number of tokens, got ${value}.`);
      return value;
    };
    const arrival = number('arrival_time');
    const inputTokens = tokens('input_tokens');
    const outputTokens = tokens('output_tokens');
    const firstToken = number('first_token_time');
    const lastToken = number('last_token_time');
    if (firstToken < arrival)
      throw fail(
        lineNumber,
        `first_token_time ${firstToken} is earlier than arrival_time ${arrival}; both must be on the same clock, in seconds.`,
      );
    if (lastToken < firstToken)
      throw fail(
        lineNumber,
        `last_token_time ${lastToken} is earlier than first_token_time ${firstToken}; both must be on the same clock, in seconds.`,
      );
    requests.push({
      arrivalS: arrival,
      inputTokens,
      outputTokens,
      ttftS: firstToken - arrival,
      e2eS: lastToken - arrival,
    });
  }
  requireEnoughRequests(file, requests.length);
  return { file, format: 'csv', requests: normalizeArrivals(requests), notes: [] };
}

function isSkipped(line: string): boolean {
  return line.trim() === '' || line.trimStart().startsWith('#');
}
