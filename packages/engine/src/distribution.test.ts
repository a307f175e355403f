import { Samples } from '@sim/engine';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

/** The definition: sort, then interpolate linearly between order statistics (numpy's default). */
function reference(values: number[]) {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) => {
    const rank = q * (sorted.length - 1);
    const low = Math.floor(rank);
    const high = Math.min(sorted.length - 1, low + 1);
    return (sorted[low] as number) + ((sorted[high] as number) - (sorted[low] as number)) * (rank - low);
  };
  const sum = sorted.reduce((total, value) => total + value, 0);
  return {
    mean: sum / sorted.length,
    min: sorted[0],
    max: sorted.at(-1),
    p50: at(0.5),
    p90: at(0.9),
    p95: at(0.95),
    p99: at(0.99),
  };
}

describe('Samples.summarize', () => {
  it('equals sorting and interpolating, for any sample (duplicates, ties, sorted or reversed input)', () => {
    const value = fc.oneof(fc.double({ min: 0, max: 1e4, noNaN: true }), fc.integer({ min: 0, max: 5 }));
    fc.assert(
      fc.property(
        fc.array(value, { minLength: 1, maxLength: 3000 }),
        fc.constantFrom('as-is', 'sorted', 'reversed'),
        (values, order) => {
          if (order === 'sorted') values.sort((a, b) => a - b);
          if (order === 'reversed') values.sort((a, b) => b - a);
          const samples = new Samples();
          for (const entry of values) samples.push(entry);
          const summary = samples.summarize();
          const expected = reference(values);
          for (const key of ['min', 'max', 'p50', 'p90', 'p95', 'p99'] as const)
            expect(summary[key]).toBe(expected[key]);
          expect(summary.mean).toBeCloseTo(expected.mean, 9);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('leaves the samples in insertion order', () => {
    const samples = new Samples();
    for (const entry of [3, 1, 2]) samples.push(entry);
    samples.summarize();
    expect([...samples.view()]).toEqual([3, 1, 2]);
  });
});
