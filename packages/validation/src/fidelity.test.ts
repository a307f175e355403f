import { readPublishedCases, runCases, summarize, type ValidationCase } from '@sim/validation';
import { describe, expect, it } from 'vitest';

/**
 * The fast subset of `pnpm validate`, run in CI so fidelity cannot regress silently. Batch-1 and
 * static rows are closed forms over the perf model (all rows, well under a second); in-flight rows
 * run full simulations, so every 6th row is used.
 */
const { cases } = readPublishedCases();
const subset = cases.filter(
  (item, index) => item.dataset !== 'TensorRT-LLM in-flight throughput' || index % 6 === 0,
);
const summaries = new Map(summarize(runCases(subset)).map((summary) => [summary.dataset, summary]));
const summaryOf = (dataset: ValidationCase['dataset']) => {
  const summary = summaries.get(dataset);
  if (summary === undefined) throw new Error(`no rows for ${dataset}`);
  return summary;
};

describe('fidelity against published measurements', () => {
  it('reads every table, with rows held out of every fitted table', () => {
    const datasets = new Set(cases.map((item) => item.dataset));
    expect(datasets.size).toBe(6);
    for (const dataset of [
      'gpt-fast batch-1 decode',
      'TensorRT-LLM batch-1 TTFT',
      'TensorRT-LLM static throughput',
    ] as const) {
      const rows = cases.filter((item) => item.dataset === dataset);
      expect(rows.some((item) => item.heldOut)).toBe(true);
      expect(rows.some((item) => !item.heldOut)).toBe(true);
    }
  });

  it('batch-1 decode speed (gpt-fast): median error ≤ 15% over all rows and ≤ 10% on held-out models', () => {
    const summary = summaryOf('gpt-fast batch-1 decode');
    expect(summary.all.rows).toBeGreaterThanOrEqual(30);
    expect(summary.all.median).toBeLessThanOrEqual(15);
    expect(summary.heldOut.median).toBeLessThanOrEqual(10);
  });

  it('batch-1 time to first token (TensorRT-LLM): median error ≤ 15% over all rows and on held-out models', () => {
    const summary = summaryOf('TensorRT-LLM batch-1 TTFT');
    expect(summary.all.rows).toBeGreaterThanOrEqual(50);
    expect(summary.all.median).toBeLessThanOrEqual(15);
    expect(summary.heldOut.median).toBeLessThanOrEqual(15);
  });

  it('static-batching throughput (TensorRT-LLM): median error ≤ 10% over all rows', () => {
    const summary = summaryOf('TensorRT-LLM static throughput');
    expect(summary.all.rows).toBeGreaterThanOrEqual(100);
    expect(summary.all.median).toBeLessThanOrEqual(10);
  });

  it('in-flight throughput (TensorRT-LLM v0.14, every 6th row; never fitted): median error ≤ 10%', () => {
    const summary = summaryOf('TensorRT-LLM in-flight throughput');
    expect(summary.all.rows).toBeGreaterThanOrEqual(30);
    expect(summary.heldOut.median).toBeLessThanOrEqual(10);
  });
});
