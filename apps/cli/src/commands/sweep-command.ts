import { writeFileSync } from 'node:fs';
import { ConfigError, resolveConfig, type SimulationStatistics } from '@sim/engine';
import Table from 'cli-table3';
import type { Command } from 'commander';
import { buildConfig, type ConfigFlags, collect } from '../build-config';
import { startCountBar } from '../count-bar';
import { renderReport } from '../html-report';
import { positiveNumber } from '../input-error';
import type { Io } from '../io';
import { expandSweep, parseVariation, runSweep } from '../sweep';
import type { PointOutcome } from '../sweep-point';
import { withConfigOptions } from './run-command';

interface SweepFlags extends ConfigFlags {
  vary: string[];
  json?: boolean;
  csv?: string;
  report?: string;
  workers?: string;
}

const ms = (seconds: number) => (Number.isFinite(seconds) ? (seconds * 1000).toFixed(1) : '-');

/** Columns of a sweep row after the varied parameters: [header, value]. */
const METRIC_COLUMNS: readonly [string, (statistics: SimulationStatistics) => string][] = [
  ['completed', (s) => String(s.completedRequests)],
  ['out tok/s', (s) => s.throughputTokensPerSec.toFixed(1)],
  ['req/s', (s) => s.requestsPerSec.toFixed(2)],
  ['TTFT p50 ms', (s) => ms(s.firstTokenLatency.p50)],
  ['TTFT p95 ms', (s) => ms(s.firstTokenLatency.p95)],
  ['TPOT p95 ms', (s) => ms(s.timePerOutputToken.p95)],
  ['E2E p95 ms', (s) => ms(s.endToEndLatency.p95)],
  ['GPU util', (s) => `${(s.gpuUtilization * 100).toFixed(0)}%`],
  ['KV peak', (s) => `${(s.kvCacheUtilization.peak * 100).toFixed(0)}%`],
];

function row(values: readonly unknown[], outcome: PointOutcome): string[] {
  const cells = values.map(String);
  if (outcome.ok) return [...cells, ...METRIC_COLUMNS.map(([, format]) => format(outcome.statistics))];
  return [
    ...cells,
    `${outcome.code}: ${outcome.message.split('\n')[0]}`,
    ...METRIC_COLUMNS.slice(1).map(() => ''),
  ];
}

const csvCell = (text: string) => (/[",\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text);

/** `llm-sim sweep`: the cartesian product of `--vary` values, run in parallel, one row per point. */
export function addSweepCommand(program: Command, io: Io): void {
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
  )
    .option('--json', 'print the points and their statistics as JSON')
    .option('--csv <file>', 'write the table as CSV')
    .option('--report <file>', 'write an HTML report with metric-vs-parameter charts')
    .option('--workers <n>', 'worker threads (default: one per CPU)')
    .option('--debug', 'print stack traces')
    .addHelpText(
      'after',
      `
Examples (the quick-start's use cases):
  llm-sim sweep --vary rate=1,5,10,20                                   # load sweep
  llm-sim sweep --vary gpu=A100-80GB,H100-80GB,A100-40GB                # GPU selection
  llm-sim sweep --vary batch-size=1,2,4,8,16,32                         # batch size
  llm-sim sweep --model llama-2-70b --vary tp=2,4,8 --set clusterSpec.gpuSpec.name=H100  # TP scaling
  llm-sim sweep --vary workloadSpec.avgInputLength=128,512,2048 --vary workloadSpec.avgOutputLength=32,128`,
    )
    .action(async (flags: SweepFlags) => {
      const variations = flags.vary.map(parseVariation);
      const base = buildConfig(flags);
      resolveConfig(base); // bad base config: exit 2 before spawning workers
      const points = expandSweep(base, variations);
      const names = variations.map((variation) => variation.name);
      // A value no config accepts (rate=abc, tp=3 for 32 heads) is bad input: say so before running.
      for (const point of points) {
        try {
          resolveConfig(point.config);
        } catch (error) {
          if (!(error instanceof ConfigError)) throw error;
          const where = names.map((name, index) => `${name}=${String(point.values[index])}`).join(', ');
          throw new ConfigError(
            error.issues.map((issue) => ({ ...issue, message: `${issue.message} (sweep point ${where})` })),
          );
        }
      }
      const bar = startCountBar(io, points.length, 'sweep: points');
      const workers =
        flags.workers === undefined ? undefined : Math.floor(positiveNumber(flags.workers, '--workers'));
      const outcomes = await runSweep(
        points.map((point) => point.config),
        { ...(workers === undefined ? {} : { workers }), onPointDone: (done) => bar?.update(done) },
      );
      bar?.stop();
      if (flags.json) {
        io.stdout(
          `${JSON.stringify(
            points.map((point, index) => ({
              values: Object.fromEntries(names.map((name, position) => [name, point.values[position]])),
              ...(outcomes[index] as PointOutcome),
            })),
            null,
            2,
          )}\n`,
        );
      } else {
        const table = new Table({
          head: [...names, ...METRIC_COLUMNS.map(([header]) => header)],
          style: { head: [], border: [] },
        });
        for (const [index, point] of points.entries())
          table.push(row(point.values, outcomes[index] as PointOutcome));
        io.stdout(`${table.toString()}\n`);
      }
      if (flags.csv !== undefined) {
        const lines = [[...names, ...METRIC_COLUMNS.map(([header]) => header)].map(csvCell).join(',')];
        for (const [index, point] of points.entries())
          lines.push(
            row(point.values, outcomes[index] as PointOutcome)
              .map(csvCell)
              .join(','),
          );
        writeFileSync(flags.csv, `${lines.join('\n')}\n`);
        io.stderr(`wrote csv: ${flags.csv}\n`);
      }
      if (flags.report !== undefined) {
        const ok = points.flatMap((point, index) => {
          const outcome = outcomes[index] as PointOutcome;
          return outcome.ok ? [{ values: point.values, statistics: outcome.statistics }] : [];
        });
        writeFileSync(
          flags.report,
          renderReport({
            title: `llm-sim sweep over ${names.join(' × ')}`,
            runs: [],
            sweep: { parameters: names, points: ok },
          }),
        );
        io.stderr(`wrote report: ${flags.report}\n`);
      }
      const failed = outcomes.filter((outcome) => !outcome.ok).length;
      if (failed > 0) io.stderr(`${failed} of ${points.length} points could not run (see the table).\n`);
    });
}
