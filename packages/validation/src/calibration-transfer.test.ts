import { calibrationTransfer, medianAbsolutePercent, type TransferGroup } from '@sim/validation';
import { beforeAll, describe, expect, it } from 'vitest';

describe('calibrating on one real run (stage summaries) improves the others on that GPU', () => {
  let transfer: ReturnType<typeof calibrationTransfer>;
  beforeAll(() => {
    // A TP 4 training run: it identifies every fitted parameter, the all-reduce latency included.
    transfer = calibrationTransfer('20260217-202857-llama-2-70b-tp4-general');
  }, 120_000);

  it('fits the run itself', () => {
    const own = transfer.rows.filter((row) => row.group === 'fitted run');
    expect(own).toHaveLength(2);
    expect(transfer.fit.after.rmsLogError).toBeLessThan(0.1 * transfer.fit.before.rmsLogError);
    expect(medianAbsolutePercent(own, 'calibrated', 'ttft')).toBeLessThan(5);
    expect(medianAbsolutePercent(own, 'calibrated', 'e2e')).toBeLessThan(10);
  });

  const groups: readonly TransferGroup[] = ['same model', 'other training model', 'held-out model'];
  for (const group of groups)
    it(`lowers the median |error| of TTFT and E2E on the ${group}'s stages`, () => {
      const rows = transfer.rows.filter((row) => row.group === group);
      expect(rows.length).toBeGreaterThan(0);
      for (const metric of ['ttft', 'e2e'] as const) {
        const before = medianAbsolutePercent(rows, 'base', metric);
        const after = medianAbsolutePercent(rows, 'calibrated', metric);
        console.log(`${group} ${metric}: median |error| ${before.toFixed(1)}% -> ${after.toFixed(1)}%`);
        expect(after, `${group} ${metric}`).toBeLessThan(0.6 * before);
      }
    });

  it('never calibrates on a held-out run', () => {
    expect(() => calibrationTransfer('20260218-130541-mixtral-8x7b-v0-1-tp2-general')).toThrow(/held out/);
  });
});
