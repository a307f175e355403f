import { MeasurementError, readMeasurements, readMeasurementsCsv } from '@sim/calibration';
import { describe, expect, it } from 'vitest';

const HEADER = 'arrival_time,input_tokens,output_tokens,first_token_time,last_token_time';

/** `count` well-formed rows on a Unix-time clock, 0.5 s apart. */
function rows(count: number, start = 1_700_000_000): string[] {
  return Array.from({ length: count }, (_, index) => {
    const arrival = start + index * 0.5;
    return `${arrival},${100 + index},${10 + index},${arrival + 0.05},${arrival + 0.05 + 0.02 * (9 + index)}`;
  });
}

function errorOf(text: string, file = 'runs/measured.csv'): MeasurementError {
  try {
    readMeasurementsCsv(text, file);
  } catch (error) {
    expect(error).toBeInstanceOf(MeasurementError);
    return error as MeasurementError;
  }
  throw new Error('expected a MeasurementError');
}

describe('readMeasurementsCsv', () => {
  it('reads requests: times relative to the first arrival, latencies from the same clock', () => {
    const { requests, format, notes } = readMeasurementsCsv(`${HEADER}\n${rows(25).join('\n')}\n`, 'm.csv');
    expect(format).toBe('csv');
    expect(notes).toEqual([]);
    expect(requests).toHaveLength(25);
    expect(requests[0]).toEqual({
      arrivalS: 0,
      inputTokens: 100,
      outputTokens: 10,
      ttftS: expect.closeTo(0.05, 6),
      e2eS: expect.closeTo(0.23, 6),
    });
    expect(requests[24]?.arrivalS).toBeCloseTo(12, 9);
  });

  it('finds the columns by name in any order and case, ignores extra (quoted) columns, comments and blank lines', () => {
    const text = [
      '# exported from my load generator',
      'request_id,Last_Token_Time,first_token_time,"prompt, as text",output_tokens,input_tokens,arrival_time',
      ...rows(20).map((row, index) => {
        const [arrival, input, output, first, last] = row.split(',');
        return `${index},${last},${first},"say ""hi"", please",${output},${input},${arrival}`;
      }),
      '',
    ].join('\n');
    const { requests } = readMeasurementsCsv(text, 'm.csv');
    expect(requests).toHaveLength(20);
    expect(requests[3]).toMatchObject({ inputTokens: 103, outputTokens: 13 });
  });

  it('sorts requests by arrival time', () => {
    const lines = rows(20);
    const { requests } = readMeasurementsCsv(`${HEADER}\n${[...lines].reverse().join('\n')}\n`, 'm.csv');
    expect(requests.map((request) => request.inputTokens)).toEqual(lines.map((_, index) => 100 + index));
  });

  it('a missing column is a typed error naming the header line and the column', () => {
    const error = errorOf(`# comment\n${HEADER.replace(',first_token_time', '')}\n${rows(20).join('\n')}\n`);
    expect(error.code).toBe('INVALID_CONFIG');
    expect(error.issues[0]).toMatchObject({ code: 'missing_field', path: 'measurements' });
    expect(error.line).toBe(2);
    expect(error.message).toMatch(
      /^runs\/measured\.csv:2: missing column first_token_time: the header needs arrival_time,/,
    );
  });

  it('a non-numeric cell is a typed error naming its line and column', () => {
    const lines = rows(30);
    lines[6] = lines[6]?.replace(/,[^,]*$/, ',soon') as string;
    const error = errorOf(`${HEADER}\n${lines.join('\n')}\n`);
    expect(error.line).toBe(8);
    expect(error.message).toBe('runs/measured.csv:8: last_token_time "soon" is not a finite number.');
    expect(error.issues[0]?.code).toBe('file_malformed');
  });

  it('last_token_time before first_token_time, or first before arrival, is a typed error naming the line', () => {
    const late = rows(30);
    late[11] = '100,50,5,100.2,100.1';
    expect(errorOf(`${HEADER}\n${late.join('\n')}\n`).message).toBe(
      'runs/measured.csv:13: last_token_time 100.1 is earlier than first_token_time 100.2; both must be on the same clock, in seconds.',
    );
    const early = rows(30);
    early[0] = '100,50,5,99,101';
    expect(errorOf(`${HEADER}\n${early.join('\n')}\n`).message).toMatch(
      /^runs\/measured\.csv:2: first_token_time 99 is earlier than arrival_time 100/,
    );
  });

  it('token counts must be positive whole numbers; a short line says what is missing', () => {
    const fractional = rows(30);
    fractional[2] = '100,12.5,5,100.1,100.2';
    expect(errorOf(`${HEADER}\n${fractional.join('\n')}\n`).message).toBe(
      'runs/measured.csv:4: input_tokens must be a positive whole number of tokens, got 12.5.',
    );
    const short = rows(30);
    short[4] = '100,12,5';
    expect(errorOf(`${HEADER}\n${short.join('\n')}\n`).message).toBe(
      'runs/measured.csv:6: first_token_time is missing (the line has 3 cells, the header 5).',
    );
  });

  it('needs at least 20 requests, and a header', () => {
    expect(errorOf(`${HEADER}\n${rows(19).join('\n')}\n`).message).toMatch(
      /^runs\/measured\.csv: only 19 requests; a calibration needs at least 20/,
    );
    expect(errorOf('\n# nothing\n').message).toMatch(/^runs\/measured\.csv:1: the file is empty/);
  });

  it('readMeasurements picks the format from the name or the first character', () => {
    expect(readMeasurements(`${HEADER}\n${rows(20).join('\n')}\n`, 'm.txt').format).toBe('csv');
    expect(() => readMeasurements('{"nothing": 1}', 'result.txt')).toThrow(/result\.txt: has no per-request/);
  });
});
