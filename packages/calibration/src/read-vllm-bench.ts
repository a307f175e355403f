import { errorMessage, isJsonObject } from '@sim/specs';
import {
  type MeasuredRequest,
  MeasurementError,
  type Measurements,
  normalizeArrivals,
  requireEnoughRequests,
} from './measurements';

/** The per-request lists a vLLM benchmark result must hold. */
const PER_REQUEST_FIELDS = ['input_lens', 'output_lens', 'ttfts', 'itls'] as const;

/** The 1-based line of a character offset in `text`. */
function lineOf(text: string, offset: number): number {
  let line = 1;
  for (let index = 0; index < offset && index < text.length; index++) if (text[index] === '\n') line++;
  return line;
}

/**
 * Parses JSON that Python's `json.dump` may have written with bare `Infinity`, `-Infinity` or `NaN`
 * (not JSON, but what it writes for such floats): those become the strings "inf", "-inf", "nan".
 */
function parsePythonJson(text: string, file: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    const patched = text.replace(
      /("(?:[^"\\]|\\.)*")|(-?Infinity|NaN)\b/g,
      (match, string: string | undefined, literal: string | undefined) =>
        string !== undefined
          ? match
          : literal === 'NaN'
            ? '"nan"'
            : literal?.startsWith('-')
              ? '"-inf"'
              : '"inf"',
    );
    try {
      return JSON.parse(patched);
    } catch {
      // Node 22 says "(line N column M)", older versions "at position N", Node 20 often neither.
      const message = errorMessage(error);
      const line = /\(line (\d+) column \d+\)/.exec(message)?.[1];
      const offset = /position (\d+)/.exec(message)?.[1];
      throw new MeasurementError(
        file,
        line !== undefined ? Number(line) : offset !== undefined ? lineOf(text, Number(offset)) : undefined,
        'file_malformed',
        `not valid JSON: ${message}`,
      );
    }
  }
}

/** A number field of the result that may be Infinity (written as "inf", Infinity, or null for none). */
function rateOf(value: unknown): number | undefined {
  if (value === null || value === undefined) return undefined;
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && /^\+?inf(inity)?$/i.test(value.trim())) return Number.POSITIVE_INFINITY;
  const number = typeof value === 'string' ? Number(value) : Number.NaN;
  return Number.isNaN(number) ? undefined : number;
}

/**
 * Reads the result JSON of vLLM's serving benchmark (`vllm bench serve --save-result
 * --save-detailed`, or `benchmarks/benchmark_serving.py --save-result`): the per-request lists
 * `input_lens`, `output_lens`, `ttfts` (seconds), `itls` (a list of inter-token gaps per request,
 * seconds) and `errors`, and `request_rate`, `burstiness`, `max_concurrency`. End-to-end latency
 * is ttft + Σ itls. Failed requests (an error, or no output) are left out, with a note.
 *
 * The file has no arrival times, so they are reconstructed, and a note says so: with a finite
 * `request_rate`, evenly spaced at that rate (the benchmark drew Poisson or gamma gaps, so each
 * request's queueing is approximate); with `inf`, all at once (a burst); with `max_concurrency`,
 * each request also waits for an earlier one to finish. Throws a {@link MeasurementError}
 * naming the file (and the line of a JSON syntax error) for a file that cannot be used.
 *
 * @param text the file's contents
 * @param file its name, for messages
 */
export function readVllmBenchJson(text: string, file: string): Measurements {
  const data = parsePythonJson(text, file);
  const fail = (message: string, code: 'file_malformed' | 'missing_field' = 'file_malformed') =>
    new MeasurementError(file, undefined, code, message);
  if (!isJsonObject(data))
    throw fail("expected a JSON object (the result vLLM's serving benchmark saves with --save-result).");
  const result = data;
  const list = (field: string): readonly unknown[] | undefined => {
    const value = result[field];
    return Array.isArray(value) ? value : undefined;
  };
  const inputs = list('input_lens');
  const outputs = list('output_lens');
  const ttfts = list('ttfts');
  const itls = list('itls');
  if (inputs === undefined || outputs === undefined || ttfts === undefined || itls === undefined) {
    const missing = PER_REQUEST_FIELDS.filter((field) => list(field) === undefined);
    throw fail(
      `has no per-request ${missing.join(', ')}: is it the --save-result JSON of vLLM's serving benchmark? Newer versions save per-request results only with \`vllm bench serve --save-result --save-detailed\`.`,
      'missing_field',
    );
  }
  const errors = list('errors') ?? [];
  const count = inputs.length;
  for (const [field, list] of [
    ['output_lens', outputs],
    ['ttfts', ttfts],
    ['itls', itls],
  ] as const)
    if (list.length !== count)
      throw fail(
        `${field} has ${list.length} entries but input_lens has ${count}; every per-request list must have one entry per request.`,
      );

  const rate = rateOf(result.request_rate) ?? Number.POSITIVE_INFINITY;
  if (!(rate > 0))
    throw fail(
      `request_rate must be a positive number or "inf", got ${JSON.stringify(result.request_rate)}.`,
    );
  const concurrency = rateOf(result.max_concurrency) ?? Number.POSITIVE_INFINITY;
  const burstiness = rateOf(result.burstiness) ?? 1;

  const kept: { index: number; input: number; output: number; ttft: number; e2e: number }[] = [];
  let failed = 0;
  for (let index = 0; index < count; index++) {
    const error = errors[index];
    const output = outputs[index];
    if ((typeof error === 'string' && error !== '') || output === 0) {
      failed++;
      continue;
    }
    const input = inputs[index];
    const ttft = ttfts[index];
    const gaps = itls[index];
    if (typeof input !== 'number' || !Number.isInteger(input) || input < 1)
      throw fail(
        `input_lens[${index}] must be a positive whole number of tokens, got ${JSON.stringify(input)}.`,
      );
    if (typeof output !== 'number' || !Number.isInteger(output) || output < 1)
      throw fail(
        `output_lens[${index}] must be a positive whole number of tokens, got ${JSON.stringify(output)}.`,
      );
    if (typeof ttft !== 'number' || !Number.isFinite(ttft) || ttft <= 0)
      throw fail(`ttfts[${index}] must be a positive number of seconds, got ${JSON.stringify(ttft)}.`);
    if (!Array.isArray(gaps))
      throw fail(
        `itls[${index}] must be a list of inter-token latencies in seconds, got ${JSON.stringify(gaps)}.`,
      );
    let decode = 0;
    for (const [position, gap] of gaps.entries()) {
      if (typeof gap !== 'number' || !Number.isFinite(gap) || gap < 0)
        throw fail(
          `itls[${index}][${position}] must be a non-negative number of seconds, got ${JSON.stringify(gap)}.`,
        );
      decode += gap;
    }
    kept.push({ index, input, output, ttft, e2e: ttft + decode });
  }
  requireEnoughRequests(
    file,
    kept.length,
    failed > 0 ? `successful requests (${failed} failed)` : 'requests',
  );

  // Send times: request i is due at i / rate (0 for a burst) and, under max_concurrency, waits for a
  // slot (failed requests, whose durations are unknown, are taken to have freed theirs at once).
  const finishes: number[] = [];
  const requests: MeasuredRequest[] = [];
  for (const request of kept) {
    let arrival = Number.isFinite(rate) ? request.index / rate : 0;
    if (finishes.length >= concurrency) {
      finishes.sort((a, b) => a - b);
      arrival = Math.max(arrival, finishes.shift() ?? Number.NaN);
    }
    finishes.push(arrival + request.e2e);
    requests.push({
      arrivalS: arrival,
      inputTokens: request.input,
      outputTokens: request.output,
      ttftS: request.ttft,
      e2eS: request.e2e,
    });
  }

  const notes: string[] = [];
  const drawn = burstiness === 1 ? 'Poisson' : `gamma (burstiness ${burstiness})`;
  const arrivals = Number.isFinite(rate)
    ? `arrivals are reconstructed evenly spaced at its request_rate of ${rate} req/s; the benchmark drew ${drawn} gaps, so each request's queueing is an approximation`
    : 'all requests are taken to arrive at once (request_rate inf: the benchmark sends them in a burst)';
  const slots = Number.isFinite(concurrency)
    ? `, each waiting for one of max_concurrency ${concurrency} slots to free (an earlier request to finish)`
    : '';
  notes.push(
    `${file}: a vLLM benchmark result has no arrival times: ${arrivals}${slots}. A CSV with measured arrival times (arrival_time,input_tokens,output_tokens,first_token_time,last_token_time) fits more exactly.`,
  );
  if (failed > 0) notes.push(`${file}: ${failed} failed requests left out.`);
  const model = typeof result.model_id === 'string' && result.model_id !== '' ? result.model_id : undefined;
  return {
    file,
    format: 'vllm-bench',
    requests: normalizeArrivals(requests),
    ...(model === undefined ? {} : { model }),
    notes,
  };
}
