import { writeFileSync } from 'node:fs';
import { ConfigError, type ResolvedConfig, resolveConfig, type SimulationStatistics } from '@sim/engine';
import Table from 'cli-table3';
import type { Command } from 'commander';
import { buildConfig, type ConfigFlags, collect } from '../build-config';
import { CommandFailure } from '../command-failure';
import { startCountBar } from '../count-bar';
import { csvDocument } from '../csv';
import { renderReport } from '../html-report';
import { positiveInteger } from '../input-error';
import { type Io, writeWarnings } from '../io';
import { assessLoad } from '../load-limit';
import { checkOutputFiles, csvKind, HTML_REPORT, type OutputFile } from '../output-file';
import { expandSweep, parseVariation, runSweep } from '../sweep';
import type { PointOutcome } from '../sweep-point';
import { configInputs, withConfigOptions, withReplicaOptions, withWorkloadOptions } from './run-command';

interface SweepFlags extends ConfigFlags {
  vary: string[];
  json?: boolean;
  csv?: string;
  report?: string;
  workers?: string;
}

const ms = (seconds: number) => (Number.isFinite(seconds) ? (seconds * 1000).toFixed(1) : '-');

/** Columns of a sweep row after the varied parameters: [table header, table text, CSV header, CSV number]. */
const METRIC_COLUMNS: readonly [
  string,
  (statistics: SimulationStatistics) => string,
  string,
  (statistics: SimulationStatistics) => number,
][] = [
  ['completed', (s) => String(s.completedRequests), 'completed_requests', (s) => s.completedRequests],
  [
    'out tok/s',
    (s) => s.throughputTokensPerSec.toFixed(1),
    'output_tokens_per_s',
    (s) => s.throughputTokensPerSec,
  ],
  ['req/s', (s) => s.requestsPerSec.toFixed(2), 'requests_per_s', (s) => s.requestsPerSec],
  ['TTFT p50 ms', (s) => ms(s.firstTokenLatency.p50), 'ttft_p50_ms', (s) => s.firstTokenLatency.p50 * 1000],
  ['TTFT p95 ms', (s) => ms(s.firstTokenLatency.p95), 'ttft_p95_ms', (s) => s.firstTokenLatency.p95 * 1000],
  ['TPOT p95 ms', (s) => ms(s.timePerOutputToken.p95), 'tpot_p95_ms', (s) => s.timePerOutputToken.p95 * 1000],
  ['E2E p95 ms', (s) => ms(s.endToEndLatency.p95), 'e2e_p95_ms', (s) => s.endToEndLatency.p95 * 1000],
  [
    'GPU util',
    (s) => `${(s.gpuUtilization * 100).toFixed(0)}%`,
    'gpu_utilization_pct',
    (s) => s.gpuUtilization * 100,
  ],
  [
    'KV peak',
    (s) => `${(s.kvCacheUtilization.peak * 100).toFixed(0)}%`,
    'kv_peak_pct',
    (s) => s.kvCacheUtilization.peak * 100,
  ],
];

/** CSV columns after the varied parameters and the metrics. */
const CSV_TRAILER = ['overloaded', 'warnings', 'error'] as const;
const CSV_METRIC_HEADER = [...METRIC_COLUMNS.map(([, , header]) => header), ...CSV_TRAILER].join(',');

/** The file `sweep --csv` writes (recognised by its metric columns, so a rerun may overwrite it). */
export const SWEEP_CSV = csvKind('sweep CSV', (header) => header.endsWith(CSV_METRIC_HEADER));

/** The table's notes cell: overload (with the rate served) and how many other warnings went to stderr. */
function notes(config: ResolvedConfig, statistics: SimulationStatistics): string {
  const load = assessLoad(config, statistics);
  const parts: string[] = [];
  if (load.overloaded)
    parts.push(
      `overloaded: ${load.servedRate.toFixed(2)}${load.offeredRate === undefined ? '' : ` of ${load.offeredRate}`} req/s served`,
    );
  const others = statistics.warnings.length - (load.overloaded ? 1 : 0);
  if (others > 0)
    parts.push(`${others} ${load.overloaded ? 'more ' : ''}warning${others > 1 ? 's' : ''} on stderr`);
  return parts.join('; ');
}

interface Point {
  readonly values: readonly unknown[];
  readonly config: ResolvedConfig;
  readonly outcome: PointOutcome;
}

function tableRow(point: Point): string[] {
  const cells = point.values.map(String);
  const { outcome } = point;
  if (outcome.ok)
    return [
      ...cells,
      ...METRIC_COLUMNS.map(([, format]) => format(outcome.statistics)),
      notes(point.config, outcome.statistics),
    ];
  return [
    ...cells,
    `${outcome.code}: ${errorSummary(outcome.message)}`,
    ...METRIC_COLUMNS.slice(1).map(() => ''),
    '',
  ];
}

function csvRow(point: Point): (string | number | boolean | undefined)[] {
  const values = point.values.map((value) =>
    typeof value === 'number' || typeof value === 'boolean' ? value : String(value),
  );
  const { outcome } = point;
  if (!outcome.ok)
    return [...values, ...METRIC_COLUMNS.map(() => undefined), undefined, undefined, outcome.message];
  return [
    ...values,
    ...METRIC_COLUMNS.map(([, , , value]) => value(outcome.statistics)),
    assessLoad(point.config, outcome.statistics).overloaded,
    outcome.statistics.warnings.length,
    undefined,
  ];
}

/** `llm-sim sweep`: the cartesian product of `--vary` values, run in parallel, one row per point. */
export function addSweepCommand(program: Command, io: Io): void {
  withReplicaOptions(
    withWorkloadOptions(
      withConfigOptions(
        program
          .command('sweep')
          .description('Run the cartesian product of --vary values in parallel; one table row per point.')
          .option('-c, --config <file>', 'base config file (default: the quick-start deployment)')
          .requiredOption(
            '--vary <path=v1,v2,...>',
            'a field and its values (repeatable); shortcuts: rate, tp (also GPUs per node), gpu, model, batch-size',
            collect,
            [],
          ),
      ),
    ),
  )
    .option('--json', 'print the points, their statistics and resolved configs as JSON')
    .option('--csv <file>', 'write the table as CSV (plain numbers)')
    .option('--report <file>', 'write an HTML report with metric-vs-parameter charts')
    .option('--workers <n>', 'worker threads (default: one per CPU)')
    .option('--debug', 'print stack traces')
    .addHelpText(
      'after',
      `
Each point's warnings go to stderr, prefixed by the point; the exit code is 1 when no point runs.

Examples (the quick-start's use cases):
  llm-sim sweep --vary rate=1,5,10,20                                   # load sweep
  llm-sim sweep --vary gpu=A100-80GB,H100-80GB,A100-40GB --rate 20      # GPU selection
  llm-sim sweep --vary batch-size=1,2,4,8,16,32                         # batch size
  llm-sim sweep --model llama-2-70b --vary tp=2,4,8 --set clusterSpec.gpuSpec.name=H100  # TP scaling
  llm-sim sweep --vary workloadSpec.avgInputLength=128,512,2048 --vary workloadSpec.avgOutputLength=32,128`,
    )
    .action(async (flags: SweepFlags) => {
      const outputs: OutputFile[] = [
        ...(flags.csv === undefined ? [] : [{ flag: '--csv', file: flags.csv, kind: SWEEP_CSV }]),
        ...(flags.report === undefined ? [] : [{ flag: '--report', file: flags.report, kind: HTML_REPORT }]),
      ];
      checkOutputFiles(outputs, configInputs(flags));
      const variations = flags.vary.map(parseVariation);
      const base = buildConfig(flags, { onNote: (note) => io.stderr(`${note}\n`) });
      const resolvedBase = resolveConfig(base); // bad base config: exit 2 before spawning workers
      const expanded = expandSweep(base, variations);
      const names = variations.map((variation) => variation.name);
      const where = (values: readonly unknown[]) =>
        names.map((name, index) => `${name}=${String(values[index])}`).join(', ');
      // A value no config accepts (rate=abc, tp=3 for 32 heads) is bad input: say so before running.
      const resolved = expanded.map((point) => {
        try {
          return resolveConfig(point.config);
        } catch (error) {
          if (!(error instanceof ConfigError)) throw error;
          throw new ConfigError(
            error.issues.map((issue) => ({
              ...issue,
              message: `${issue.message} (sweep point ${where(point.values)})`,
            })),
          );
        }
      });
      const bar = startCountBar(io, expanded.length, 'sweep: points');
      const workers = flags.workers === undefined ? undefined : positiveInteger(flags.workers, '--workers');
      const outcomes = await runSweep(
        expanded.map((point) => point.config),
        { ...(workers === undefined ? {} : { workers }), onPointDone: (done) => bar?.update(done) },
      );
      bar?.stop();
      const points: Point[] = expanded.map((point, index) => {
        const config = resolved[index];
        const outcome = outcomes[index];
        if (config === undefined || outcome === undefined) throw new Error('sweep: a point has no result');
        return { values: point.values, config, outcome };
      });
      if (flags.json) {
        io.stdout(
          `${JSON.stringify(
            points.map((point) => ({
              values: Object.fromEntries(names.map((name, position) => [name, point.values[position]])),
              ...point.outcome,
              resolvedConfig: point.config,
            })),
            null,
            2,
          )}\n`,
        );
      } else {
        const table = new Table({
          head: [...names, ...METRIC_COLUMNS.map(([header]) => header), 'notes'],
          style: { head: [], border: [] },
        });
        for (const point of points) table.push(tableRow(point));
        io.stdout(`${table.toString()}\n`);
      }
      for (const point of points) {
        if (point.outcome.ok)
          writeWarnings(io, point.outcome.statistics.warnings, `${where(point.values)}: `);
        else io.stderr(`${where(point.values)}: error (${point.outcome.code}): ${point.outcome.message}\n`);
      }
      if (flags.csv !== undefined) {
        writeFileSync(
          flags.csv,
          csvDocument([...names, ...CSV_METRIC_HEADER.split(',')], points.map(csvRow)),
        );
        io.stderr(`wrote csv: ${flags.csv}\n`);
      }
      if (flags.report !== undefined) {
        const ran = points.flatMap((point) =>
          point.outcome.ok ? [{ values: point.values, statistics: point.outcome.statistics }] : [],
        );
        writeFileSync(
          flags.report,
          renderReport({
            title: `llm-sim sweep over ${names.join(' × ')}`,
            runs: [],
            sweep: { parameters: names, points: ran },
            settings: [
              {
                label: 'varied parameters',
                value: Object.fromEntries(variations.map((variation) => [variation.name, variation.values])),
              },
              {
                label: 'base configuration (resolved; each point overrides the varied fields)',
                value: resolvedBase,
              },
            ],
          }),
        );
        io.stderr(`wrote report: ${flags.report}\n`);
      }
      const failed = points.filter((point) => !point.outcome.ok).length;
      if (failed === points.length) {
        // Every point refused as bad input (e.g. over the request limit) is bad input: exit 2.
        const badInput = points.every(
          (point) => !point.outcome.ok && point.outcome.code === 'INVALID_CONFIG',
        );
        throw new CommandFailure(
          `none of the ${points.length} sweep points could run (see above).`,
          badInput ? 2 : 1,
        );
      }
      if (failed > 0) io.stderr(`${failed} of ${points.length} points could not run (see the table).\n`);
    });
}

/** One line for a table cell: a ConfigError's problems (its first line only counts them), else the message's first line. */
function errorSummary(message: string): string {
  const lines = message.split('\n');
  const problems = lines.slice(1).map((line) => line.trim().replace(/^- /, ''));
  return problems.length > 0 && /^Invalid configuration/.test(lines[0] ?? '')
    ? problems.join('; ')
    : (lines[0] ?? '');
}
