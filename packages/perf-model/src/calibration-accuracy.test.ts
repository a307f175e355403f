import { CALIBRATION_PROFILES, type CalibrationProfile } from '@sim/perf-model';
import { describe, expect, it } from 'vitest';
import {
  medianAbsolutePercentError,
  peaksOf,
  predictAttentionRow,
  predictCollectiveRow,
  predictOperatorRow,
} from '../scripts/calibrate';
import {
  PROFILED_FAMILIES,
  type ProfiledFamily,
  readAttentionRows,
  readCollectiveRows,
  readOperatorRows,
} from '../scripts/vidur-data';

describe('per-operator accuracy against the measured kernel times (committed profiles)', () => {
  for (const family of Object.keys(PROFILED_FAMILIES) as ProfiledFamily[]) {
    const profile = CALIBRATION_PROFILES[family] as CalibrationProfile;
    const peaks = peaksOf(PROFILED_FAMILIES[family].referenceGpu);
    const rows = readOperatorRows(family);
    const errorOf = (subset: typeof rows) =>
      medianAbsolutePercentError(
        subset.map((row) => [predictOperatorRow(row, profile, peaks), row.seconds] as const),
      );

    it(`${family}: median absolute error over every operator row is at most 10%`, () => {
      expect(rows.length).toBeGreaterThan(10_000);
      expect(errorOf(rows)).toBeLessThanOrEqual(10);
    });

    it(`${family}: held-out model (${PROFILED_FAMILIES[family].heldOutModel}) median absolute error is at most 10%`, () => {
      const heldOut = rows.filter((row) => row.heldOut);
      expect(heldOut.length).toBeGreaterThan(1000);
      expect(errorOf(heldOut)).toBeLessThanOrEqual(10);
    });
  }

  it('attention kernels (A100): held-out rows', () => {
    const rows = readAttentionRows().filter((row) => row.heldOut);
    const profile = CALIBRATION_PROFILES.a100 as CalibrationProfile;
    const error = medianAbsolutePercentError(
      rows.map(
        (row) => [predictAttentionRow(row, profile.attention, peaksOf('A100-80GB')), row.seconds] as const,
      ),
    );
    expect(rows.length).toBeGreaterThan(2000);
    expect(error).toBeLessThanOrEqual(10);
  });

  it('NCCL all-reduce within a DGX node (A100, H100): held-out rows within 25%', () => {
    for (const [topology, family, bandwidth] of [
      ['a100_dgx', 'a100', 300],
      ['h100_dgx', 'h100', 450],
    ] as const) {
      const profile = CALIBRATION_PROFILES[family] as CalibrationProfile;
      const rows = readCollectiveRows(topology, 'all_reduce').filter(
        (row) => row.heldOut && row.devicesPerNode === row.participants,
      );
      const error = medianAbsolutePercentError(
        rows.map(
          (row) =>
            [
              predictCollectiveRow(
                row,
                profile.communication.allReduceIntraNode,
                profile.communication.allReduceInterNode,
                bandwidth,
                25,
              ),
              row.seconds,
            ] as const,
        ),
      );
      expect(error, topology).toBeLessThanOrEqual(25);
    }
  });
});
