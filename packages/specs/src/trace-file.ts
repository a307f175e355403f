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
  /**
   * Each request's prompt as chained block hashes (a `hash_ids` column or key, as Mooncake's traces:
   * one id per `workloadSpec.traceHashBlockTokens` prompt tokens, naming that block and everything
   * before it): request i's ids are `hashIds.subarray(hashIdOffsets[i], hashIdOffsets[i + 1])`,
   * renumbered 0, 1, … in order of first appearance. Both undefined when the file has no such column.
   */
  readonly hashIdOffsets?: Int32Array;
  /** See `hashIdOffsets`. */
  readonly hashIds?: Int32Array;
}

/**
 * Accepted header names (CSV) or keys (JSON Lines) for each column, case-insensitive. Times are in
 * seconds, except a JSON Lines `timestamp`, which is in milliseconds (Mooncake's traces).
 */
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
  hashIds: ['hash_ids', 'hashes', 'block_hashes'],
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
 * Parses a trace, one request per row: CSV (a header row, then rows) or JSON Lines (one object per
 * line, as Mooncake's traces). Columns (CSV) and keys (JSON Lines) are found by name, see {@link
 * TRACE_COLUMNS} (e.g. Splitwise's `arrived_at,num_prefill_tokens,num_decode_tokens`; Mooncake's
 * `{"timestamp": 27482, "input_length": 6955, "output_length": 52, "hash_ids": [46, 47, …]}`, whose
 * `timestamp` is in milliseconds); optionally a `session_id` naming each request's conversation
 * and `hash_ids`, the prompt's chained block hashes (CSV: ids separated by spaces, `;` or `|`).
 * Extra columns are ignored; `#` lines and blank lines are skipped. Throws a {@link ConfigError}
 * naming the source and line for a missing column or a bad value.
 */
export function parseTrace(
  text: string,
  { source = 'trace', field = 'workloadSpec.traceFile' }: TraceSource = {},
): Trace {
  const lines = text.split(/\r?\n/);
  let lineIndex = 0;
  while (lineIndex < lines.length && (lines[lineIndex]?.trim() === '' || lines[lineIndex]?.startsWith('#')))
    lineIndex++;
  const rows = new TraceRows(source, field, lines.length);
  if (lineIndex >= lines.length) throw rows.malformed(1, 'the file is empty; expected a header row.');
  if (lines[lineIndex]?.trimStart().startsWith('{')) parseJsonLines(lines, lineIndex, rows);
  else parseCsv(lines, lineIndex, rows);
  return rows.trace(lineIndex + 1);
}

/** Where each column is (−1: absent). */
interface ColumnPositions<Key> {
  readonly time: Key;
  readonly input: Key;
  readonly output: Key;
  readonly session: Key;
  readonly hashes: Key;
}

/** Where each column is, as `find` locates a column by its accepted names (a header's index, a JSON object's key). */
function columnsBy<Key>(find: (names: readonly string[]) => Key): ColumnPositions<Key> {
  return {
    time: find(TRACE_COLUMNS.arrivalTime),
    input: find(TRACE_COLUMNS.inputTokens),
    output: find(TRACE_COLUMNS.outputTokens),
    session: find(TRACE_COLUMNS.sessionId),
    hashes: find(TRACE_COLUMNS.hashIds),
  };
}

function parseCsv(lines: readonly string[], headerIndex: number, rows: TraceRows): void {
  const header = (lines[headerIndex] ?? '').split(',');
  const columns = columnsBy((names) => findColumn(header, names));
  rows.begin(headerIndex + 1, columns.input >= 0, columns.output >= 0, header.join(','), {
    times: columns.time >= 0,
    sessions: columns.session >= 0,
    hashes: columns.hashes >= 0,
  });
  for (let index = headerIndex + 1; index < lines.length; index++) {
    const line = lines[index] ?? '';
    if (line.trim() === '' || line.startsWith('#')) continue;
    const cells = line.split(',');
    const hashCell =
      columns.hashes >= 0
        ? (cells[columns.hashes] ?? '')
            .trim()
            .replace(/^\[|\]$/g, '')
            .trim()
        : '';
    rows.add(
      index + 1,
      cells[columns.time],
      cells[columns.input],
      cells[columns.output],
      cells[columns.session],
      hashCell === '' ? [] : hashCell.split(/[\s;|]+/),
      1,
    );
  }
}

function parseJsonLines(lines: readonly string[], firstIndex: number, rows: TraceRows): void {
  let columns: ColumnPositions<string | undefined> | undefined;
  let timeScale = 1;
  let firstLine = firstIndex + 1;
  for (let index = firstIndex; index < lines.length; index++) {
    const line = lines[index] ?? '';
    if (line.trim() === '' || line.startsWith('#')) continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      throw rows.malformed(index + 1, 'not a JSON object (a JSON Lines trace has one object per line).');
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value))
      throw rows.malformed(index + 1, 'not a JSON object (a JSON Lines trace has one object per line).');
    const record = value as Record<string, unknown>;
    const keys = Object.keys(record);
    const keyOf = (names: readonly string[]) => keys[findColumn(keys, names)];
    if (columns === undefined) {
      firstLine = index + 1;
      columns = columnsBy(keyOf);
      // Mooncake's `timestamp` counts milliseconds.
      timeScale = columns.time?.toLowerCase() === 'timestamp' ? 1e-3 : 1;
      rows.begin(index + 1, columns.input !== undefined, columns.output !== undefined, keys.join(','), {
        times: columns.time !== undefined,
        sessions: columns.session !== undefined,
        hashes: columns.hashes !== undefined,
      });
    } else if (columns.time === undefined || columns.session === undefined || columns.hashes === undefined) {
      // Optional keys may first appear on a later line (rows before it have none of it).
      const time = keyOf(TRACE_COLUMNS.arrivalTime);
      if (columns.time === undefined && time !== undefined)
        throw rows.malformed(
          index + 1,
          `"${time}" is an arrival time, and line ${firstLine} (the first) has none: give every line one, or none.`,
        );
      const session = columns.session ?? keyOf(TRACE_COLUMNS.sessionId);
      const hashes = columns.hashes ?? keyOf(TRACE_COLUMNS.hashIds);
      if (session !== columns.session || hashes !== columns.hashes) {
        columns = { ...columns, session, hashes };
        rows.enable(session !== undefined, hashes !== undefined);
      }
    }
    const at = (key: string | undefined) => (key === undefined ? undefined : record[key]);
    const hashes = at(columns.hashes) ?? [];
    if (!Array.isArray(hashes))
      throw rows.malformed(
        index + 1,
        `hash_ids must be an array of integers, got ${JSON.stringify(hashes)}.`,
      );
    const session = at(columns.session);
    rows.add(
      index + 1,
      at(columns.time),
      at(columns.input),
      at(columns.output),
      session === undefined || session === null ? '' : String(session),
      hashes,
      timeScale,
    );
  }
}

/** A cell's value as text, for messages. */
const shown = (value: unknown): string =>
  typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value));

/** A cell's number: a JSON number, or a CSV cell's text as a number; NaN for anything else (blank, null, true). */
function numberIn(value: unknown): number {
  if (typeof value === 'number') return value;
  return typeof value === 'string' && value.trim() !== '' ? Number(value) : Number.NaN;
}

/**
 * A trace's rows as they are read, checked one by one: lengths, time order, sessions numbered by
 * first appearance, and hash ids renumbered by first appearance and checked to be chained (each id
 * always follows the same id, or always comes first).
 */
class TraceRows {
  private readonly source: string;
  private readonly field: string;
  private times: Float64Array | undefined;
  private readonly inputs: Int32Array;
  private readonly outputs: Int32Array;
  private sessions: Int32Array | undefined;
  private readonly sessionNumbers = new Map<string, number>();
  private hashOffsets: Int32Array | undefined;
  private hashIds = new Int32Array(0);
  private hashCount = 0;
  /** Hash id (as written) → its number, and per number: the id as written and the number before it (−1: first). */
  private readonly hashNumbers = new Map<number, number>();
  private readonly hashWritten: number[] = [];
  private hashParents = new Int32Array(0);
  private count = 0;
  private previousTime = Number.NEGATIVE_INFINITY;

  constructor(source: string, field: string, capacity: number) {
    this.source = source;
    this.field = field;
    this.inputs = new Int32Array(capacity);
    this.outputs = new Int32Array(capacity);
  }

  malformed(line: number, message: string): ConfigError {
    return new ConfigError([
      { code: 'trace_malformed', path: this.field, message: `${this.source}, line ${line}: ${message}` },
    ]);
  }

  /** The header (or the first JSON object) at `line`: the columns found. */
  begin(
    line: number,
    hasInput: boolean,
    hasOutput: boolean,
    found: string,
    optional: { readonly times: boolean; readonly sessions: boolean; readonly hashes: boolean },
  ): void {
    if (!hasInput || !hasOutput)
      throw this.malformed(
        line,
        `the header needs an input-token column (${TRACE_COLUMNS.inputTokens.join('/')}) and an output-token column (${TRACE_COLUMNS.outputTokens.join('/')}); found ${found}.`,
      );
    if (optional.times) this.times = new Float64Array(this.inputs.length);
    this.enable(optional.sessions, optional.hashes);
  }

  /** Starts reading sessions and/or hash ids (rows read so far have none). */
  enable(sessions: boolean, hashes: boolean): void {
    const capacity = this.inputs.length;
    if (sessions && this.sessions === undefined) this.sessions = new Int32Array(capacity).fill(-1);
    if (hashes && this.hashOffsets === undefined) {
      this.hashOffsets = new Int32Array(capacity + 1);
      this.hashIds = new Int32Array(1024);
    }
  }

  /** One request (cells as read: strings from CSV, JSON values from JSON Lines; times × `timeScale` are seconds). */
  add(
    line: number,
    time: unknown,
    input: unknown,
    output: unknown,
    session: unknown,
    hashes: readonly unknown[],
    timeScale: number,
  ): void {
    const inputTokens = numberIn(input);
    const outputTokens = numberIn(output);
    if (!Number.isInteger(inputTokens) || inputTokens < 1)
      throw this.malformed(line, `input tokens must be a positive integer, got "${shown(input)}".`);
    if (!Number.isInteger(outputTokens) || outputTokens < 1)
      throw this.malformed(line, `output tokens must be a positive integer, got "${shown(output)}".`);
    const index = this.count;
    if (this.times !== undefined) {
      const seconds = numberIn(time) * timeScale;
      if (!Number.isFinite(seconds) || seconds < 0)
        throw this.malformed(
          line,
          `arrival time must be a non-negative number of ${timeScale === 1 ? 'seconds' : 'milliseconds'}, got "${shown(time)}".`,
        );
      if (seconds < this.previousTime)
        throw this.malformed(
          line,
          `arrival time ${shown(time)} is earlier than the previous row's; sort the trace by time.`,
        );
      this.previousTime = seconds;
      this.times[index] = seconds;
    }
    if (this.sessions !== undefined) {
      const name = String(session ?? '').trim();
      let number = -1;
      if (name !== '') {
        number = this.sessionNumbers.get(name) ?? this.sessionNumbers.size;
        this.sessionNumbers.set(name, number);
      }
      this.sessions[index] = number;
    }
    if (this.hashOffsets !== undefined) {
      let parent = -1;
      for (const cell of hashes) {
        const id = this.hashNumber(line, cell, parent);
        if (this.hashCount === this.hashIds.length) {
          const grown = new Int32Array(2 * this.hashIds.length);
          grown.set(this.hashIds);
          this.hashIds = grown;
        }
        this.hashIds[this.hashCount++] = id;
        parent = id;
      }
      this.hashOffsets[index + 1] = this.hashCount;
    }
    this.inputs[index] = inputTokens;
    this.outputs[index] = outputTokens;
    this.count++;
  }

  /** The number of hash id `cell`, which follows number `parent` (−1: first of its prompt). */
  private hashNumber(line: number, cell: unknown, parent: number): number {
    const written = numberIn(cell);
    if (!Number.isSafeInteger(written))
      throw this.malformed(line, `hash ids must be integers, got "${shown(cell)}".`);
    let id = this.hashNumbers.get(written);
    if (id === undefined) {
      id = this.hashWritten.length;
      this.hashNumbers.set(written, id);
      this.hashWritten.push(written);
      if (id === this.hashParents.length) {
        const grown = new Int32Array(Math.max(1024, 2 * id));
        grown.set(this.hashParents);
        this.hashParents = grown;
      }
      this.hashParents[id] = parent;
      return id;
    }
    const before = this.hashParents[id] ?? -1;
    if (before !== parent) {
      const describe = (number: number) =>
        number < 0 ? 'first' : `after ${this.hashWritten[number] ?? number}`;
      throw this.malformed(
        line,
        `hash id ${written} comes ${describe(parent)} here but ${describe(before)} earlier: hash_ids must be chained prefix hashes (an id names its block and everything before it, as Mooncake's do).`,
      );
    }
    return id;
  }

  /** The trace read (`headerLine`: where to point when it has no rows). */
  trace(headerLine: number): Trace {
    const count = this.count;
    if (count === 0) throw this.malformed(headerLine, 'the trace has a header but no requests.');
    return {
      arrivalTimesS: this.times?.slice(0, count),
      inputTokens: this.inputs.slice(0, count),
      outputTokens: this.outputs.slice(0, count),
      ...(this.sessions === undefined ? {} : { sessionIds: this.sessions.slice(0, count) }),
      ...(this.hashOffsets === undefined
        ? {}
        : {
            hashIdOffsets: this.hashOffsets.slice(0, count + 1),
            hashIds: this.hashIds.slice(0, this.hashCount),
          }),
    };
  }
}

/** Whether a trace's text has a header that names an arrival-time column (see {@link TRACE_COLUMNS}). */
export function traceTextHasArrivalTimes(text: string): boolean {
  const header = text.split(/\r?\n/).find((line) => line.trim() !== '' && !line.startsWith('#'));
  return header !== undefined && findColumn(headerNames(header), TRACE_COLUMNS.arrivalTime) >= 0;
}

/** A CSV header's column names, or a JSON Lines trace's first object's keys (none if it is not one). */
function headerNames(line: string): string[] {
  if (!line.trimStart().startsWith('{')) return line.split(',');
  try {
    const value: unknown = JSON.parse(line);
    return typeof value === 'object' && value !== null ? Object.keys(value) : [];
  } catch {
    return [];
  }
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
