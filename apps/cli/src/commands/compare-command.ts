import { writeFileSync } from 'node:fs';
import {
  ConfigError,
  type ResolvedConfig,
  resolveConfig,
  SimError,
  type SimulationMetrics,
  type SimulationStatistics,
  type SimulatorConfig,
} from '@sim/engine';
import Table from 'cli-table3';
import type { Command } from 'commander';
import { buildConfig, collect } from '../build-config';
import { CommandFailure } from '../command-failure';
import { csvDocument } from '../csv';
import { renderReport, reportRunOf } from '../html-report';
import { requestLimit } from '../input-error';
import { type Io, writeWarnings } from '../io';
import { loadLimitedNote } from '../load-limit';
import { checkOutputFiles, csvKind, HTML_REPORT, type OutputFile } from '../output-file';
import { runWithProgress } from '../run-with-progress';
import { statisticsJson } from '../statistics-json';
import { withWorkloadOptions } from './run-command';

interface CompareFlags {
  set: string[];
  rate?: string;
  trace?: string;
  json?: boolean;
  csv?: string;
  report?: string;
  maxRequests?: string;
}

const ROWS: readonly [string, (statistics: SimulationStatistics) => number, 'higher' | 'lower'][] = [
  ['output throughput (tok/s)', (s) => s.throughputTokensPerSec, 'higher'],
  ['requests/s', (s) => s.requestsPerSec, 'higher'],
  ['TTFT p50 (ms)', (s) => s.firstTokenLatency.p50 * 1000, 'lower'],
  ['TTFT p95 (ms)', (s) => s.firstTokenLatency.p95 * 1000, 'lower'],
  ['TPOT p50 (ms)', (s) => s.timePerOutputToken.p50 * 1000, 'lower'],
  ['TPOT p95 (ms)', (s) => s.timePerOutputToken.p95 * 1000, 'lower'],
  ['E2E p95 (ms)', (s) => s.endToEndLatency.p95 * 1000, 'lower'],
  ['GPU utilization (%)', (s) => s.gpuUtilization * 100, 'higher'],
  ['KV cache peak (%)', (s) => s.kvCacheUtilization.peak * 100, 'lower'],
  ['completed requests', (s) => s.completedRequests, 'higher'],
];

const CSV_HEADER = ['metric', 'a', 'b', 'b_over_a'];

/** The file `compare --csv` writes (recognised by its header, so a rerun may overwrite it). */
export const COMPARE_CSV = csvKind('compare CSV', (header) => header === CSV_HEADER.join(','));

const format = (value: number) =>
  Number.isFinite(value) ? (Math.abs(value) >= 100 ? value.toFixed(0) : value.toFixed(2)) : '-';

/** One side of the comparison: its run, or why it could not run (e.g. out of memory). */
type Side =
  | {
      readonly ok: true;
      readonly label: string;
      readonly config: ResolvedConfig;
      readonly metrics: SimulationMetrics;
      readonly statistics: SimulationStatistics;
    }
  | { readonly ok: false; readonly label: string; readonly code: string; readonly message: string };

/** `llm-sim compare A B`: two runs side by side with B/A ratios (the quick-start's "Speedup"). */
export function addCompareCommand(program: Command, io: Io): void {
  withWorkloadOptions(
    program
      .command('compare <a> <b>')
      .description('Run two configs and show them side by side with ratios (B / A).')
      .option('-s, --set <path=value>', 'override a field in both configs (repeatable)', collect, []),
  )
    .option(
      '--json',
      'print { a, b, ratios, loadLimitedNote } as JSON (a and b: statistics + resolvedConfig)',
    )
    .option('--csv <file>', 'write the metrics as CSV: metric, a, b, b_over_a (plain numbers)')
    .option('--report <file>', 'write an HTML report with both runs')
    .option(
      '--max-requests <n>',
      'refuse runs expected to simulate more requests than this (default 10,000,000; "Infinity" for no limit)',
    )
    .option('--debug', 'print stack traces')
    .addHelpText(
      'after',
      `
--rate, --trace and --set apply to both configs. Each run's warnings go to stderr, prefixed by A or
B; the exit code is 1 when neither config can run.

Examples (from the repository root):
  llm-sim compare examples/configs/basic.yaml examples/configs/tp4.yaml
  llm-sim compare examples/configs/basic.yaml examples/configs/tp4.yaml --rate 20 --csv compare.csv`,
    )
    .action(async (a: string, b: string, flags: CompareFlags) => {
      const outputs: OutputFile[] = [
        ...(flags.csv === undefined ? [] : [{ flag: '--csv', file: flags.csv, kind: COMPARE_CSV }]),
        ...(flags.report === undefined ? [] : [{ flag: '--report', file: flags.report, kind: HTML_REPORT }]),
      ];
      checkOutputFiles(outputs, [
        { what: 'config A', file: a },
        { what: 'config B', file: b },
        ...(flags.trace === undefined ? [] : [{ what: 'request trace', file: flags.trace }]),
      ]);
      let traceNote: string | undefined;
      const build = (file: string) =>
        buildConfig(
          {
            config: file,
            set: flags.set,
            ...(flags.rate === undefined ? {} : { rate: flags.rate }),
            ...(flags.trace === undefined ? {} : { trace: flags.trace }),
          },
          {
            onNote: (note) => {
              traceNote = note;
            },
          },
        );
      const configs = [build(a), build(b)] as const;
      if (traceNote !== undefined) io.stderr(`${traceNote}\n`);
      for (const config of configs) resolveConfig(config); // bad input in either: exit 2 before running
      const runSide = async (name: 'A' | 'B', file: string, config: SimulatorConfig): Promise<Side> => {
        const label = `${name}: ${file}`;
        try {
          const metrics = await runWithProgress(
            config,
            { recordRequests: flags.report !== undefined, ...requestLimit(flags.maxRequests) },
            io,
            name,
          );
          return {
            ok: true,
            label,
            config: metrics.config,
            metrics,
            statistics: metrics.computeStatistics(),
          };
        } catch (error) {
          // Bad input (e.g. a run over --max-requests) is exit 2; a side that cannot run (out of memory) shows as "-".
          if (!(error instanceof SimError) || error instanceof ConfigError) throw error;
          return { ok: false, label, code: error.code, message: error.message };
        }
      };
      const first = await runSide('A', a, configs[0]);
      const second = await runSide('B', b, configs[1]);
      const sides = [first, second];
      const metricOf = (side: Side, value: (statistics: SimulationStatistics) => number) =>
        side.ok ? value(side.statistics) : Number.NaN;
      const ratios = new Map(
        ROWS.map(([name, value]) => [name, metricOf(second, value) / metricOf(first, value)]),
      );
      const ran = sides.flatMap((side) => (side.ok ? [side] : []));
      const note = ran.length === 2 ? loadLimitedNote(ran) : undefined;
      if (flags.json) {
        const json = (side: Side) =>
          side.ok
            ? statisticsJson(side.statistics, side.config)
            : { error: { code: side.code, message: side.message } };
        io.stdout(
          `${JSON.stringify(
            {
              a: json(first),
              b: json(second),
              // JSON has no NaN: a ratio that cannot be computed is null.
              ratios: Object.fromEntries(
                [...ratios].map(([name, ratio]) => [name, Number.isFinite(ratio) ? ratio : null]),
              ),
              loadLimitedNote: note ?? null,
            },
            null,
            2,
          )}\n`,
        );
      } else {
        const table = new Table({
          head: ['metric', first.label, second.label, 'B / A'],
          style: { head: [], border: [] },
        });
        for (const [name, value] of ROWS) {
          const ratio = ratios.get(name) ?? Number.NaN;
          table.push([
            name,
            format(metricOf(first, value)),
            format(metricOf(second, value)),
            Number.isFinite(ratio) ? `${ratio >= 0.1 ? ratio.toFixed(2) : ratio.toPrecision(2)}x` : '-',
          ]);
        }
        io.stdout(`${table.toString()}\n`);
        const speedup = ratios.get('output throughput (tok/s)') ?? Number.NaN;
        io.stdout(
          `Speedup (output throughput B / A): ${Number.isFinite(speedup) ? `${speedup.toFixed(2)}x` : '-'}\n`,
        );
        if (note !== undefined) io.stdout(`${note}\n`);
      }
      for (const side of sides) {
        if (side.ok) writeWarnings(io, side.statistics.warnings, `${side.label}: `);
        else io.stderr(`${side.label}: error (${side.code}): ${side.message}\n`);
      }
      if (flags.csv !== undefined) {
        writeFileSync(
          flags.csv,
          csvDocument(
            CSV_HEADER,
            ROWS.map(([name, value]) => [
              name,
              metricOf(first, value),
              metricOf(second, value),
              ratios.get(name),
            ]),
          ),
        );
        io.stderr(`wrote csv: ${flags.csv}\n`);
      }
      if (flags.report !== undefined) {
        writeFileSync(
          flags.report,
          renderReport({
            title: `llm-sim comparison: ${a} vs ${b}`,
            runs: ran.map((side) => reportRunOf(side.label, side.metrics, side.statistics)),
          }),
        );
        io.stderr(`wrote report: ${flags.report}\n`);
      }
      if (ran.length === 0) throw new CommandFailure('neither config could run (see above).');
    });
}
