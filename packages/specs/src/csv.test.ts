import { parseCsvRecords, splitCsvLine } from '@sim/specs';
import { describe, expect, it } from 'vitest';

describe('splitCsvLine', () => {
  it('splits on commas and keeps empty and untrimmed cells', () => {
    expect(splitCsvLine('a,b, c,,')).toEqual(['a', 'b', ' c', '', '']);
    expect(splitCsvLine('')).toEqual(['']);
  });

  it('keeps commas inside quoted cells and reads a doubled quote as one quote', () => {
    expect(splitCsvLine('"llama, 7b",1,"say ""hi""",x')).toEqual(['llama, 7b', '1', 'say "hi"', 'x']);
  });
});

describe('parseCsvRecords', () => {
  it('keys rows by the header, skipping blank and # lines; a missing cell is empty', () => {
    const text = '# source: a note\nname,value\r\n\n"a,b",1\n# another note\nc\n';
    expect(parseCsvRecords(text)).toEqual([
      { name: 'a,b', value: '1' },
      { name: 'c', value: '' },
    ]);
  });

  it('gives no records for text with no header', () => {
    expect(parseCsvRecords('# only a comment\n\n')).toEqual([]);
  });
});
