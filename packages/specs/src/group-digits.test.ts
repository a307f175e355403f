import { groupDigits } from '@sim/specs';
import { describe, expect, it } from 'vitest';

describe('groupDigits', () => {
  it('writes integers as toLocaleString("en-US") does', () => {
    for (const value of [0, 7, 999, 1000, 4096, 119_216, 1_234_567, 10_000_000, 2 ** 40])
      expect(groupDigits(value)).toBe(value.toLocaleString('en-US'));
  });
});
