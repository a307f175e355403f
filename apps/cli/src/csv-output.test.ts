import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { captureCli } from './capture-cli';
import { csvCell } from './csv';

const directory = mkdtempSync(join(tmpdir(), 'llm-sim-csv-'));

/** Splits a CSV line of this test's files (no quoted commas in numeric columns). */
const cells = (line: string) => line.split(',');

describe('CSV outputs hold plain numbers', () => {
  it('csvCell: numbers unquoted (6 significant digits), non-finite empty, text quoted only when needed', () => {
    expect(csvCell(1394.0234567)).toBe('1394.02');
    expect(csvCell(0.000123456789)).toBe('0.000123457');
    expect(csvCell(Number.NaN)).toBe('');
    expect(csvCell('A100-80GB')).toBe('A100-80GB');
    expect(csvCell('a, "b"')).toBe('"a, ""b"""');
  });

  it('sweep --csv: every metric cell parses as a number, matching the JSON statistics', async () => {
    const csv = join(directory, 'sweep.csv');
    const base = [
      'sweep',
      '--set',
      'simulationDurationS=10',
      '--vary',
      'rate=1,40',
      '--vary',
      'gpu=A100-80GB,H100',
    ];
    expect((await captureCli(...base, '--csv', csv)).code).toBe(0);
    const points = JSON.parse((await captureCli(...base, '--json')).stdout);
    const [header, ...rows] = readFileSync(csv, 'utf8').trim().split('\n').map(cells);
    expect(header).toEqual([
      'rate',
      'gpu',
      'completed_requests',
      'output_tokens_per_s',
      'requests_per_s',
      'ttft_p50_ms',
      'ttft_p95_ms',
      'tpot_p95_ms',
      'e2e_p95_ms',
      'gpu_utilization_pct',
      'kv_peak_pct',
      'overloaded',
      'warnings',
      'error',
    ]);
    expect(rows).toHaveLength(4);
    for (const [index, row] of rows.entries()) {
      const statistics = points[index].statistics;
      for (const value of row.slice(2, 11)) expect(value, row.join(',')).toMatch(/^-?\d+(\.\d+)?(e-?\d+)?$/);
      expect(Number(row[0])).toBe(points[index].values.rate);
      expect(Number(row[3])).toBeCloseTo(statistics.throughputTokensPerSec, 1);
      expect(Number(row[6])).toBeCloseTo(statistics.firstTokenLatency.p95 * 1000, 1);
      expect(Number(row[9])).toBeCloseTo(statistics.gpuUtilization * 100, 2);
      expect(row[11]).toBe(String(statistics.warnings.some((w: string) => /overload/i.test(w))));
      expect(Number(row[12])).toBe(statistics.warnings.length);
    }
  });

  it('compare --csv: metric, a, b, b_over_a as numbers', async () => {
    const csv = join(directory, 'compare.csv');
    const config = join(directory, 'a.json');
    writeFileSync(config, JSON.stringify({ simulationDurationS: 10 }));
    const { code, stderr } = await captureCli(
      'compare',
      config,
      config,
      '--set',
      'workloadSpec.arrivalRate=3',
      '--csv',
      csv,
    );
    expect(code, stderr).toBe(0);
    const [header, ...rows] = readFileSync(csv, 'utf8').trim().split('\n');
    expect(header).toBe('metric,a,b,b_over_a');
    expect(rows.map((row) => row.split(',')[0])).toContain('output throughput (tok/s)');
    for (const row of rows) {
      const [, a, b, ratio] = row.split(',');
      expect(Number(a), row).toBe(Number(b));
      expect(Number(ratio), row).toBe(1);
    }
  });
});
