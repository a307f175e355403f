import { ConfigError, type ConfigIssueCode, findModelPreset } from '@sim/specs';

/** One request as measured on a real deployment. Seconds. */
export interface MeasuredRequest {
  /** When the request reached the server, from the first request's arrival (the first is 0). */
  readonly arrivalS: number;
  /** Prompt tokens. */
  readonly inputTokens: number;
  /** Generated tokens. */
  readonly outputTokens: number;
  /** Time to first token: first token time − arrival time. */
  readonly ttftS: number;
  /** End-to-end latency: last token time − arrival time. */
  readonly e2eS: number;
}

/** A measurement file, read: its requests in arrival order and what the reader had to assume. */
export interface Measurements {
  /** The file name, as given (for messages and the profile's `fittedOn`). */
  readonly file: string;
  /** `csv` (per-request times) or `vllm-bench` (`vllm bench serve --save-result` JSON). */
  readonly format: 'csv' | 'vllm-bench';
  /** Requests sorted by arrival time (stable), arrivals shifted so the first is at 0. */
  readonly requests: readonly MeasuredRequest[];
  /** The model the file names (the vLLM benchmark's `model_id`), when it names one. */
  readonly model?: string;
  /** What was assumed or left out while reading (e.g. reconstructed arrivals, failed requests). */
  readonly notes: readonly string[];
}

/** Fewest requests a measurement file must hold for a fit. */
export const MIN_MEASURED_REQUESTS = 20;

/**
 * A measurement file that cannot be used: a {@link ConfigError} (code `INVALID_CONFIG`, so the CLI
 * exits with 2) whose message is `FILE:LINE: what is wrong` (`FILE: ...` when no line is to blame).
 * Its one issue has the path `measurements`.
 */
export class MeasurementError extends ConfigError {
  /** The measurement file, as given. */
  readonly file: string;
  /** 1-based line of the problem, when one line is to blame. */
  readonly line: number | undefined;

  constructor(file: string, line: number | undefined, code: ConfigIssueCode, message: string) {
    const where = line === undefined ? file : `${file}:${line}`;
    super([{ code, path: 'measurements', message: `${where}: ${message}` }]);
    this.name = 'MeasurementError';
    this.message = `${where}: ${message}`;
    this.file = file;
    this.line = line;
  }
}

/** Sorts requests by arrival (stably) and shifts the clock so the first arrives at 0. */
export function normalizeArrivals(requests: readonly MeasuredRequest[]): MeasuredRequest[] {
  const sorted = requests
    .map((request, index) => ({ request, index }))
    .sort((a, b) => a.request.arrivalS - b.request.arrivalS || a.index - b.index)
    .map(({ request }) => request);
  const origin = sorted[0]?.arrivalS ?? 0;
  return sorted.map((request) => ({ ...request, arrivalS: request.arrivalS - origin }));
}

/** Throws when fewer than {@link MIN_MEASURED_REQUESTS} requests are usable. */
export function requireEnoughRequests(file: string, count: number, what = 'requests'): void {
  if (count < MIN_MEASURED_REQUESTS)
    throw new MeasurementError(
      file,
      undefined,
      'file_malformed',
      `only ${count} ${what}; a calibration needs at least ${MIN_MEASURED_REQUESTS} (a few hundred, at more than one load, identify every parameter).`,
    );
}

/**
 * The note for measurements of another model than the base config simulates (compared as presets,
 * so a Hugging Face id and its preset name agree), or undefined when they match or the measurements
 * name none. `source` is what the note names (the file, or the experiment).
 */
export function modelMismatchNote(
  source: string,
  measuredModel: string | undefined,
  simulatedModel: string,
): string | undefined {
  const measured = measuredModel === undefined ? undefined : findModelPreset(measuredModel);
  const simulated = findModelPreset(simulatedModel)?.name ?? simulatedModel;
  if (measured === undefined || measured.name === simulated) return undefined;
  return `${source} was measured with ${measuredModel} (${measured.name}), the base config simulates ${simulatedModel}: the fit makes up for the difference, so the profile is wrong for both.`;
}
