import { ConfigError } from './errors';
import { getFileReader, noFileAccessIssue } from './file-reader';

/** A request trace in columns (typed arrays, so a million rows stay compact). */
export interface Trace {
  /** Arrival times in seconds from the start, ascending; undefined when the file has no time column. */
  readonly arrivalTimesS: Float64Array | undefined;
  /** Prompt length of each request, in tokens. */
  readonly inputTokens: Int32Array;
  /** Generated tokens of each request. */
  readonly outputTokens: Int32Array;
  /**
   * Each request's conversation (a `session_id` column): sessions numbered 0, 1, … in order of
   * first appearance, −1 for a blank cell; undefined when the file has no such column.
   */
  readonly sessionIds?: Int32Array;
}

/** Accepted header names for each column (case-insensitive). */
export const TRACE_COLUMNS = {
  arrivalTime: ['arrived_at', 'arrival_time', 'arrival_time_s', 'timestamp', 'time', 'arrival'],
  inputTokens: [
    'num_prefill_tokens',
    'input_tokens',
    'input_length',
    'prompt_tokens',
    'context_tokens',
    'input',
  ],
  outputTokens: [
    'num_decode_tokens',
    'output_tokens',
    'output_length',
    'generated_tokens',
    'completion_tokens',
    'output',
  ],
  sessionId: ['session_id', 'session', 'conversation_id', 'chat_id'],
} as const;

function findColumn(header: string[], names: readonly string[]): number {
  return header.findIndex((column) => names.includes(column.trim().toLowerCase()));
}

/** Where a trace's text came from, for error messages. */
export interface TraceSource {
  /** The file (or other source) named in errors. Default `trace`. */
  readonly source?: string;
  /** Config path reported in errors. Default `workloadSpec.traceFile`. */
  readonly field?: string;
}

/**
 * Reads a CSV trace file through the current {@link FileReader} (the file system under Node):
 * see {@link parseTrace}. Throws a {@link ConfigError} naming the file and line for a missing
 * file, a missing column, or a bad value, and one of code `no_file_access` in a runtime without
 * file access.
 *
 * @param path file to read
 * @param field config path reported in errors
 */
export function readTraceFile(path: string, field = 'workloadSpec.traceFile'): Trace {
  const reader = getFileReader();
  if (reader === undefined) throw new ConfigError([noFileAccessIssue(path, field)]);
  if (!reader.exists(path)) {
    throw new ConfigError([
      { code: 'trace_missing', path: field, message: `trace file "${path}" does not exist.` },
    ]);
  }
  return parseTrace(reader.readText(path), { source: path, field });
}

/**
 * Parses a CSV trace: a header row, then one request per row. Columns are found by name (see
 * {@link TRACE_COLUMNS}; e.g. Splitwise's `arrived_at,num_prefill_tokens,num_decode_tokens`;
 * optionally a `session_id` naming each request's conversation); extra columns are ignored, `#` lines and blank lines skipped. Throws a {@link ConfigError}
 * naming the source and line for a missing column or a bad value.
 */
export function parseTrace(
  text: string,
  { source = 'trace', field = 'workloadSpec.traceFile' }: TraceSource = {},
): Trace {
  const malformed = (line: number, message: string) =>
    new ConfigError([
      { code: 'trace_malformed', path: field, message: `${source}, line ${line}: ${message}` },
    ]);
  const lines = text.split(/\r?\n/);
  let lineIndex = 0;
  while (lineIndex < lines.length && (lines[lineIndex]?.trim() === '' || lines[lineIndex]?.startsWith('#')))
    lineIndex++;
  if (lineIndex >= lines.length) throw malformed(1, 'the file is empty; expected a header row.');
  const header = (lines[lineIndex] ?? '').split(',');
  const timeColumn = findColumn(header, TRACE_COLUMNS.arrivalTime);
  const inputColumn = findColumn(header, TRACE_COLUMNS.inputTokens);
  const outputColumn = findColumn(header, TRACE_COLUMNS.outputTokens);
  const sessionColumn = findColumn(header, TRACE_COLUMNS.sessionId);
  if (inputColumn < 0 || outputColumn < 0) {
    throw malformed(
      lineIndex + 1,
      `the header needs an input-token column (${TRACE_COLUMNS.inputTokens.join('/')}) and an output-token column (${TRACE_COLUMNS.outputTokens.join('/')}); found ${header.join(',')}.`,
    );
  }
  const capacity = lines.length;
  const times = timeColumn >= 0 ? new Float64Array(capacity) : undefined;
  const inputs = new Int32Array(capacity);
  const outputs = new Int32Array(capacity);
  const sessions = sessionColumn >= 0 ? new Int32Array(capacity) : undefined;
  const sessionNumbers = new Map<string, number>();
  let count = 0;
  let previousTime = Number.NEGATIVE_INFINITY;
  for (let index = lineIndex + 1; index < lines.length; index++) {
    const line = lines[index] ?? '';
    if (line.trim() === '' || line.startsWith('#')) continue;
    const cells = line.split(',');
    const lineNumber = index + 1;
    const input = Number(cells[inputColumn]);
    const output = Number(cells[outputColumn]);
    if (!Number.isInteger(input) || input < 1)
      throw malformed(
        lineNumber,
        `input tokens must be a positive integer, got "${cells[inputColumn] ?? ''}".`,
      );
    if (!Number.isInteger(output) || output < 1)
      throw malformed(
        lineNumber,
        `output tokens must be a positive integer, got "${cells[outputColumn] ?? ''}".`,
      );
    if (times !== undefined) {
      const time = Number(cells[timeColumn]);
      if (!Number.isFinite(time) || time < 0)
        throw malformed(
          lineNumber,
          `arrival time must be a non-negative number of seconds, got "${cells[timeColumn] ?? ''}".`,
        );
      if (time < previousTime)
        throw malformed(
          lineNumber,
          `arrival time ${time} is earlier than the previous row's ${previousTime}; sort the trace by time.`,
        );
      previousTime = time;
      times[count] = time;
    }
    if (sessions !== undefined) {
      const name = (cells[sessionColumn] ?? '').trim();
      let session = -1;
      if (name !== '') {
        session = sessionNumbers.get(name) ?? sessionNumbers.size;
        sessionNumbers.set(name, session);
      }
      sessions[count] = session;
    }
    inputs[count] = input;
    outputs[count] = output;
    count++;
  }
  if (count === 0) throw malformed(lineIndex + 1, 'the trace has a header but no requests.');
  return {
    arrivalTimesS: times?.slice(0, count),
    inputTokens: inputs.slice(0, count),
    outputTokens: outputs.slice(0, count),
    ...(sessions === undefined ? {} : { sessionIds: sessions.slice(0, count) }),
  };
}

/** Whether a trace's text has a header that names an arrival-time column (see {@link TRACE_COLUMNS}). */
export function traceTextHasArrivalTimes(text: string): boolean {
  const header = text.split(/\r?\n/).find((line) => line.trim() !== '' && !line.startsWith('#'));
  return header !== undefined && findColumn(header.split(','), TRACE_COLUMNS.arrivalTime) >= 0;
}

/**
 * Whether a trace file's header names an arrival-time column (see {@link TRACE_COLUMNS}). Reads
 * only the start of the file; false when the file cannot be read (the reader reports that).
 */
export function traceHasArrivalTimes(path: string): boolean {
  const reader = getFileReader();
  if (reader === undefined) return false;
  try {
    return traceTextHasArrivalTimes(reader.readHead?.(path, 64 * 1024) ?? reader.readText(path));
  } catch {
    return false;
  }
}
