import { readFileSync } from 'node:fs';
import { FP8_GEMM_EFFICIENCY_RATIO } from '@sim/perf-model';
import { compareH200Gemms, fitFp8GemmRatio, H200_GEMM_DATA, readH200Gemms } from '@sim/validation';
import { describe, expect, it } from 'vitest';

describe('H200 GEMMs measured in this workplace', () => {
  it('labels every row: products of 1,024 rows and more are training data, the rest held out', () => {
    const rows = readH200Gemms();
    expect(rows.length).toBe(112);
    for (const row of rows) expect(row.split).toBe(row.m >= 1024 ? 'train' : 'held-out');
  });

  it('FP8_GEMM_EFFICIENCY_RATIO is the fit of the training rows, and deleting the held-out rows leaves it unchanged', () => {
    const fitted = fitFp8GemmRatio(readH200Gemms('train'));
    expect(fitted).toBeCloseTo(FP8_GEMM_EFFICIENCY_RATIO, 2);
    const data = JSON.parse(readFileSync(H200_GEMM_DATA, 'utf8')) as { rows: Array<{ split: string }> };
    const withoutHeldOut = JSON.stringify({
      ...data,
      rows: data.rows.filter((row) => row.split === 'train'),
    });
    expect(fitFp8GemmRatio(readH200Gemms('train', withoutHeldOut))).toBe(fitted);
    // Fitted on every row, the ratio would differ: the held-out rows are not silently part of it.
    expect(fitFp8GemmRatio(readH200Gemms())).not.toBe(fitted);
  });

  it('every product gets a positive time; the large (training) products are within 10% at the median, per format', () => {
    const comparisons = compareH200Gemms(readH200Gemms());
    for (const item of comparisons) expect(item.predictedSeconds).toBeGreaterThan(0);
    for (const dtype of ['bf16', 'fp8'] as const) {
      const errors = comparisons
        .filter((item) => item.gemm.m >= 1024 && item.gemm.dtype === dtype)
        .map((item) => Math.abs(item.signedErrorPercent))
        .sort((a, b) => a - b);
      expect(errors.length).toBe(24);
      expect(((errors[11] ?? 0) + (errors[12] ?? 0)) / 2).toBeLessThanOrEqual(10);
    }
  });
});
