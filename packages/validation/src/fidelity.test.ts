import {
  isOverloaded,
  readPublishedCases,
  readVllmV1Stages,
  runCases,
  runVllmV1,
  summarize,
  summarizeVllmV1,
  type ValidationCase,
  type VllmV1Metric,
} from '@sim/validation';
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
  it('reads every table; the fitted tables keep held-out rows (whole models the fits never read)', () => {
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

  // Held-out targets (docs/validation.md): median |error| ≤ 10% for decode time and throughput,
  // ≤ 20% for TTFT. Asserted for every held-out set that meets them; the sets that miss (gpt-fast's
  // one held-out row, Llama-3.1-405B int8 at TP8, 41%; Splitwise token time, 29%) are reported in
  // docs/validation.md, not asserted, and keep issue #13 open.
  it('held-out batch-1 TTFT (TensorRT-LLM: Mistral 7B, GPT-J 6B): median error ≤ 20%', () => {
    const summary = summaryOf('TensorRT-LLM batch-1 TTFT');
    expect(summary.heldOut.rows).toBeGreaterThanOrEqual(15);
    expect(summary.heldOut.median).toBeLessThanOrEqual(20);
  });

  it('held-out static-batching throughput (TensorRT-LLM: Mistral 7B, GPT-J 6B): median error ≤ 10%', () => {
    const summary = summaryOf('TensorRT-LLM static throughput');
    expect(summary.heldOut.rows).toBeGreaterThanOrEqual(30);
    expect(summary.heldOut.median).toBeLessThanOrEqual(10);
  });

  it('held-out Splitwise prompt time (an early vLLM; vllm-v0 profile): median error ≤ 20%', () => {
    const summary = summaryOf('Splitwise prompt time');
    expect(summary.heldOut.rows).toBeGreaterThanOrEqual(100);
    expect(summary.heldOut.median).toBeLessThanOrEqual(20);
  });

  it('training sets stay where the fits put them (regressions show here)', () => {
    expect(summaryOf('gpt-fast batch-1 decode').training.median).toBeLessThanOrEqual(5);
    expect(summaryOf('TensorRT-LLM static throughput').training.median).toBeLessThanOrEqual(10);
    expect(summaryOf('TensorRT-LLM batch-1 TTFT').training.median).toBeLessThanOrEqual(10);
    // The in-flight table chose the trtllm batching defaults (training since); every 6th row here.
    expect(summaryOf('TensorRT-LLM in-flight throughput').training.median).toBeLessThanOrEqual(12);
  });
});

describe('fidelity against the vLLM V1 runs on H100 (the default profile)', () => {
  const heldOut = readVllmV1Stages('held-out').filter((stage) => !isOverloaded(stage));
  const summaries = summarizeVllmV1(runVllmV1(heldOut)).filter((summary) => summary.split === 'held-out');
  const summary = (metric: VllmV1Metric) => summaries.find((item) => item.metric === metric);

  it('held-out Mixtral-8x7B TP2 (never read by the fit): TTFT ≤ 20%, E2E and decode time ≤ 10% median error', () => {
    expect(heldOut.length).toBeGreaterThanOrEqual(5);
    expect(summary('ttft')?.rows).toBe(heldOut.length);
    expect(summary('ttft')?.median).toBeLessThanOrEqual(20);
    expect(summary('e2e')?.median).toBeLessThanOrEqual(10);
    expect(summary('decode')?.median).toBeLessThanOrEqual(10);
  });
});
