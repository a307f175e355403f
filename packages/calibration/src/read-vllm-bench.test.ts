import { MeasurementError, readMeasurements, readVllmBenchJson } from '@sim/calibration';
import { describe, expect, it } from 'vitest';

/** A result as `vllm bench serve --save-result --save-detailed` writes it, for `count` requests. */
function benchResult(count: number, overrides: Record<string, unknown> = {}) {
  return {
    date: '20250614-101500',
    backend: 'vllm',
    model_id: 'meta-llama/Llama-2-7b-hf',
    tokenizer_id: 'meta-llama/Llama-2-7b-hf',
    num_prompts: count,
    request_rate: 'inf',
    burstiness: 1.0,
    max_concurrency: null,
    duration: 9.5,
    completed: count,
    total_input_tokens: 0,
    total_output_tokens: 0,
    request_throughput: 1,
    output_throughput: 1,
    mean_ttft_ms: 1,
    input_lens: Array.from({ length: count }, (_, index) => 100 + index),
    output_lens: Array.from({ length: count }, () => 4),
    ttfts: Array.from({ length: count }, (_, index) => 0.1 + 0.01 * index),
    itls: Array.from({ length: count }, () => [0.02, 0.03, 0.05]),
    generated_texts: Array.from({ length: count }, () => 'a b c d'),
    errors: Array.from({ length: count }, () => ''),
    ...overrides,
  };
}

function errorOf(text: string): MeasurementError {
  try {
    readVllmBenchJson(text, 'bench.json');
  } catch (error) {
    expect(error).toBeInstanceOf(MeasurementError);
    return error as MeasurementError;
  }
  throw new Error('expected a MeasurementError');
}

describe('readVllmBenchJson', () => {
  it('reads per-request lengths, TTFT and e2e = ttft + Σ itls; request_rate inf is a burst at 0, and says so', () => {
    const measurements = readVllmBenchJson(JSON.stringify(benchResult(24)), 'bench.json');
    expect(measurements.format).toBe('vllm-bench');
    expect(measurements.model).toBe('meta-llama/Llama-2-7b-hf');
    expect(measurements.requests).toHaveLength(24);
    expect(measurements.requests[5]).toEqual({
      arrivalS: 0,
      inputTokens: 105,
      outputTokens: 4,
      ttftS: expect.closeTo(0.15, 12),
      e2eS: expect.closeTo(0.25, 12),
    });
    expect(measurements.requests.every((request) => request.arrivalS === 0)).toBe(true);
    expect(measurements.notes.join('\n')).toMatch(
      /bench\.json: a vLLM benchmark result has no arrival times: all requests are taken to arrive at once \(request_rate inf/,
    );
  });

  it('a finite request_rate spaces arrivals evenly (an approximation of its Poisson draws) and says so', () => {
    const { requests, notes } = readVllmBenchJson(
      JSON.stringify(benchResult(24, { request_rate: 4 })),
      'b.json',
    );
    expect(requests.map((request) => request.arrivalS).slice(0, 4)).toEqual([0, 0.25, 0.5, 0.75]);
    expect(notes[0]).toMatch(
      /evenly spaced at its request_rate of 4 req\/s; the benchmark drew Poisson gaps, so each request's queueing is an approximation/,
    );
  });

  it('max_concurrency: a request starts when an earlier one finishes', () => {
    const result = benchResult(22, { max_concurrency: 2, ttfts: Array.from({ length: 22 }, () => 0.1) });
    const { requests, notes } = readVllmBenchJson(JSON.stringify(result), 'b.json');
    // Each request takes 0.1 + 0.1 s; two at a time.
    expect(requests.slice(0, 6).map((request) => Number(request.arrivalS.toFixed(9)))).toEqual([
      0, 0, 0.2, 0.2, 0.4, 0.4,
    ]);
    expect(notes[0]).toMatch(/max_concurrency 2 slots/);
  });

  it("leaves out failed requests, with a note; Python's bare Infinity is read as inf", () => {
    const result = benchResult(25);
    result.errors[3] = 'Traceback: connection reset';
    result.output_lens[7] = 0;
    const text = JSON.stringify(result).replace('"request_rate":"inf"', '"request_rate": Infinity');
    const measurements = readVllmBenchJson(text, 'bench.json');
    expect(measurements.requests).toHaveLength(23);
    expect(measurements.notes).toContain('bench.json: 2 failed requests left out.');
  });

  it('a result without per-request lists says how to save them', () => {
    const { input_lens: _inputs, itls: _itls, ...summaryOnly } = benchResult(24);
    const error = errorOf(JSON.stringify(summaryOnly));
    expect(error.issues[0]).toMatchObject({ code: 'missing_field', path: 'measurements' });
    expect(error.message).toMatch(
      /^bench\.json: has no per-request input_lens, itls: .*--save-result --save-detailed/,
    );
  });

  it('bad values name the list and the request; lists must have one entry per request', () => {
    const ttfts = benchResult(24).ttfts;
    ttfts[9] = -1;
    expect(errorOf(JSON.stringify(benchResult(24, { ttfts }))).message).toBe(
      'bench.json: ttfts[9] must be a positive number of seconds, got -1.',
    );
    expect(errorOf(JSON.stringify(benchResult(24, { itls: [[0.1]] }))).message).toMatch(
      /^bench\.json: itls has 1 entries but input_lens has 24/,
    );
    expect(errorOf(JSON.stringify(benchResult(10))).message).toMatch(
      /^bench\.json: only 10 requests; a calibration needs at least 20/,
    );
  });

  it('invalid JSON is a typed error naming the file (and the line where the parser says it)', () => {
    const text = JSON.stringify(benchResult(24), null, 2).replace('"backend": "vllm",', '"backend": vllm,');
    const error = errorOf(text);
    expect(error.issues[0]?.code).toBe('file_malformed');
    expect(error.line === undefined || error.line === 3).toBe(true);
    expect(error.message).toMatch(/^bench\.json(:3)?: not valid JSON: /);
  });

  it('readMeasurements reads .json files as vLLM benchmark results', () => {
    expect(readMeasurements(JSON.stringify(benchResult(20)), 'x.json').format).toBe('vllm-bench');
  });
});
