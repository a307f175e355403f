import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, readTraceFile, traceTextHasArrivalTimes } from '@sim/specs';
import { dataPath } from '@sim/test-support';
import { describe, expect, it } from 'vitest';

const directory = mkdtempSync(join(tmpdir(), 'llm-sim-trace-'));
function traceWith(name: string, text: string): string {
  const path = join(directory, name);
  writeFileSync(path, text);
  return path;
}

function malformedMessage(path: string): string {
  try {
    readTraceFile(path);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    const issue = (error as ConfigError).issues[0];
    expect(issue?.code).toBe('trace_malformed');
    return issue?.message ?? '';
  }
  throw new Error('expected a ConfigError');
}

describe('readTraceFile', () => {
  it.each([
    ['splitwise_code.csv', 8819, true],
    ['splitwise_conv.csv', 19366, true],
    ['sharegpt_8k_filtered_stats_llama2_tokenizer.csv', 30731, false],
    ['arxiv_summarization_stats_llama2_tokenizer_filtered_v2.csv', 28257, false],
    ['bwb_stats_llama2_tokenizer_filtered_v2.csv', 33768, false],
  ])('loads the committed trace %s (%i rows)', (file, rows, timed) => {
    const trace = readTraceFile(dataPath('traces', file));
    expect(trace.inputTokens.length).toBe(rows);
    expect(trace.outputTokens.length).toBe(rows);
    expect(trace.arrivalTimesS !== undefined).toBe(timed);
    expect(Math.min(...trace.inputTokens)).toBeGreaterThan(0);
  });

  it('reads the first Splitwise code request exactly', () => {
    const trace = readTraceFile(dataPath('traces', 'splitwise_code.csv'));
    expect(trace.arrivalTimesS?.[1]).toBeCloseTo(0.052);
    expect(trace.inputTokens[0]).toBe(4808);
    expect(trace.outputTokens[0]).toBe(10);
  });

  it('accepts generic column names, extra columns, comments and blank lines', () => {
    const trace = readTraceFile(
      traceWith(
        'generic.csv',
        '# my trace\narrival_time,user,input_tokens,output_tokens\n0.5,a,10,2\n\n1.5,b,20,3\n',
      ),
    );
    expect([...(trace.arrivalTimesS ?? [])]).toEqual([0.5, 1.5]);
    expect([...trace.inputTokens]).toEqual([10, 20]);
  });

  it('names the line of a bad value', () => {
    expect(
      malformedMessage(
        traceWith('bad.csv', 'arrived_at,num_prefill_tokens,num_decode_tokens\n0,10,2\n1,abc,3\n'),
      ),
    ).toMatch(/line 3: input tokens/);
    expect(
      malformedMessage(
        traceWith('neg.csv', 'arrived_at,num_prefill_tokens,num_decode_tokens\n0,10,2\n1,5,0\n'),
      ),
    ).toMatch(/line 3: output tokens/);
    expect(
      malformedMessage(
        traceWith('order.csv', 'arrived_at,num_prefill_tokens,num_decode_tokens\n2,10,2\n1,5,1\n'),
      ),
    ).toMatch(/line 3: arrival time 1 is earlier/);
  });

  it('explains a missing column, an empty file and a missing file', () => {
    expect(malformedMessage(traceWith('cols.csv', 'a,b\n1,2\n'))).toMatch(
      /line 1: the header needs an input-token column/,
    );
    expect(malformedMessage(traceWith('empty.csv', ''))).toMatch(/empty/);
    expect(malformedMessage(traceWith('header-only.csv', 'input_tokens,output_tokens\n'))).toMatch(
      /no requests/,
    );
    expect(() => readTraceFile(join(directory, 'missing.csv'))).toThrow(/does not exist/);
  });
});

describe('hash ids (Mooncake traces)', () => {
  // The first lines of Mooncake's public trace format: timestamps in milliseconds, one hash id per 512 tokens.
  const mooncake = [
    '{"timestamp": 0, "input_length": 1100, "output_length": 12, "hash_ids": [46, 47, 48]}',
    '{"timestamp": 1500, "input_length": 600, "output_length": 3, "hash_ids": [46, 49]}',
    '',
    '{"timestamp": 2250, "input_length": 10, "output_length": 1, "hash_ids": []}',
  ].join('\n');

  it('reads JSON Lines: times in seconds, ids renumbered in order of first appearance', () => {
    const trace = readTraceFile(traceWith('mooncake.jsonl', mooncake));
    expect(trace.arrivalTimesS).toEqual(new Float64Array([0, 1.5, 2.25]));
    expect(trace.inputTokens).toEqual(new Int32Array([1100, 600, 10]));
    expect(trace.outputTokens).toEqual(new Int32Array([12, 3, 1]));
    expect(trace.hashIdOffsets).toEqual(new Int32Array([0, 3, 5, 5]));
    expect(trace.hashIds).toEqual(new Int32Array([0, 1, 2, 0, 3]));
    expect(traceTextHasArrivalTimes(mooncake)).toBe(true);
    // Other time keys are in seconds.
    const seconds = readTraceFile(
      traceWith('seconds.jsonl', '{"arrival_time": 1.5, "input_tokens": 5, "output_tokens": 2}\n'),
    );
    expect(seconds.arrivalTimesS).toEqual(new Float64Array([1.5]));
    expect(seconds.hashIds).toBeUndefined();
  });

  it('reads a CSV hash_ids column (ids separated by spaces, ; or |)', () => {
    const trace = readTraceFile(
      traceWith(
        'hashes.csv',
        'arrived_at,input_tokens,output_tokens,hash_ids\n0,1100,5,7 8 9\n1,600,5,[7;10]\n2,20,5,\n',
      ),
    );
    expect(trace.hashIdOffsets).toEqual(new Int32Array([0, 3, 5, 5]));
    expect(trace.hashIds).toEqual(new Int32Array([0, 1, 2, 0, 3]));
  });

  it('reads keys that first appear on a later line (rows before have none), and bracketed CSV lists', () => {
    const later = readTraceFile(
      traceWith(
        'later.jsonl',
        [
          '{"timestamp": 1000, "input_length": 10, "output_length": 5}',
          '{"timestamp": 2000, "input_length": 600, "output_length": 5, "hash_ids": [4, 5], "session_id": "a"}',
        ].join('\n'),
      ),
    );
    expect(later.hashIdOffsets).toEqual(new Int32Array([0, 0, 2]));
    expect(later.hashIds).toEqual(new Int32Array([0, 1]));
    expect(later.sessionIds).toEqual(new Int32Array([-1, 0]));
    expect(
      malformedMessage(
        traceWith(
          'late-time.jsonl',
          '{"input_length": 10, "output_length": 5}\n{"timestamp": 3, "input_length": 10, "output_length": 5}\n',
        ),
      ),
    ).toMatch(/line 2: "timestamp" is an arrival time, and line 1 \(the first\) has none/);
    const bracketed = readTraceFile(
      traceWith('bracketed.csv', 'arrived_at,input_tokens,output_tokens,hash_ids\n0,600,5,[ 1 2 ]\n'),
    );
    expect(bracketed.hashIds).toEqual(new Int32Array([0, 1]));
  });

  it('rejects ids that are not chained, not integers, and lines that are not JSON objects', () => {
    const header = 'arrived_at,input_tokens,output_tokens,hash_ids\n';
    expect(malformedMessage(traceWith('unchained.csv', `${header}0,1100,5,7 8 9\n1,600,5,4 8\n`))).toMatch(
      /line 3: hash id 8 comes after 4 here but after 7 earlier: hash_ids must be chained prefix hashes/,
    );
    expect(malformedMessage(traceWith('moved.csv', `${header}0,1100,5,7 8\n1,600,5,8\n`))).toMatch(
      /line 3: hash id 8 comes first here but after 7 earlier/,
    );
    expect(malformedMessage(traceWith('text.csv', `${header}0,1100,5,7 x\n`))).toMatch(
      /line 2: hash ids must be integers, got "x"/,
    );
    expect(
      malformedMessage(
        traceWith('array.jsonl', '{"timestamp": 0, "input_length": 5, "output_length": 1, "hash_ids": 3}\n'),
      ),
    ).toMatch(/line 1: hash_ids must be an array of integers, got 3/);
    expect(
      malformedMessage(
        traceWith(
          'broken.jsonl',
          '{"timestamp": 0, "input_length": 5, "output_length": 1}\n{"timestamp": 1,\n',
        ),
      ),
    ).toMatch(/line 2: not a JSON object/);
    expect(
      malformedMessage(
        traceWith('lengths.jsonl', '{"timestamp": 0, "input_length": true, "output_length": 1}\n'),
      ),
    ).toMatch(/line 1: input tokens must be a positive integer, got "true"/);
    expect(
      malformedMessage(
        traceWith(
          'late.jsonl',
          '{"timestamp": 5, "input_length": 5, "output_length": 1}\n{"timestamp": 4, "input_length": 5, "output_length": 1}\n',
        ),
      ),
    ).toMatch(/line 2: arrival time 4 is earlier/);
  });
});
