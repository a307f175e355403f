import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { expectedActiveExperts } from './expected-active-experts';

describe('expectedActiveExperts', () => {
  it('is k for one token, tends to E for many, and grows with the token count', () => {
    expect(expectedActiveExperts(8, 2, 1)).toBeCloseTo(2, 12);
    expect(expectedActiveExperts(8, 2, 2)).toBeCloseTo(8 * (1 - 0.75 ** 2), 12);
    expect(expectedActiveExperts(8, 2, 1000)).toBeCloseTo(8, 12);
    expect(expectedActiveExperts(8, 2, 0)).toBe(0);
    expect(expectedActiveExperts(1, 1, 37)).toBe(1);
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 256 }),
        fc.integer({ min: 1, max: 16 }),
        fc.integer({ min: 1, max: 10_000 }),
        (experts, topK, tokens) => {
          const k = Math.min(topK, experts);
          const active = expectedActiveExperts(experts, k, tokens);
          expect(active).toBeGreaterThanOrEqual(k - 1e-9);
          expect(active).toBeLessThanOrEqual(Math.min(experts, k * tokens) + 1e-9);
          expect(expectedActiveExperts(experts, k, tokens + 1)).toBeGreaterThanOrEqual(active);
        },
      ),
      { numRuns: 300, seed: 7 },
    );
  });
});
