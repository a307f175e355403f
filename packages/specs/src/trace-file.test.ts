import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, readTraceFile } from '@sim/specs';
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
