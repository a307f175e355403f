import { writeFileSync } from 'node:fs';
import { loadConfigFile, type SimulationStatistics, type SimulatorConfig } from '@sim/engine';
import Table from 'cli-table3';
import type { Command } from 'commander';
import { collect } from '../build-config';
import { renderReport, reportRunOf } from '../html-report';
import type { Io } from '../io';
import { runWithProgress } from '../run-with-progress';
import { applyOverride } from '../set-override';

interface CompareFlags {
  set: string[];
  json?: boolean;
  report?: string;
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

const format = (value: number) =>
  Number.isFinite(value) ? (Math.abs(value) >= 100 ? value.toFixed(0) : value.toFixed(2)) : '-';

/** `llm-sim compare A B`: two runs side by side with B/A ratios (the quick-start's "Speedup"). */
export function addCompareCommand(program: Command, io: Io): void {
  program
    .command('compare <a> <b>')
    .description('Run two configs and show them side by side with ratios (B / A).')
    .option('-s, --set <path=value>', 'override a field in both configs (repeatable)', collect, [])
    .option('--json', 'print { a, b, ratios } as JSON')
    .option('--report <file>', 'write an HTML report with both runs')
    .option('--debug', 'print stack traces')
    .addHelpText('after', '\nExample:\n  llm-sim compare examples/configs/tp1.yaml examples/configs/tp4.yaml')
    .action(async (a: string, b: string, flags: CompareFlags) => {
      const load = (file: string) => {
        const config = loadConfigFile(file) as Record<string, unknown>;
        for (const assignment of flags.set) applyOverride(config, assignment);
        return config as SimulatorConfig;
      };
      const configs = [load(a), load(b)] as const;
      const runs = [];
      for (const [index, config] of configs.entries())
        runs.push(
          await runWithProgress(
            config,
            { recordRequests: flags.report !== undefined },
            io,
            index === 0 ? 'A' : 'B',
          ),
        );
      const [first, second] = runs.map((metrics) => metrics.computeStatistics()) as [
        SimulationStatistics,
        SimulationStatistics,
      ];
      const ratios = Object.fromEntries(ROWS.map(([name, value]) => [name, value(second) / value(first)]));
      if (flags.json) io.stdout(`${JSON.stringify({ a: first, b: second, ratios }, null, 2)}\n`);
      else {
        const table = new Table({
          head: ['metric', `A: ${a}`, `B: ${b}`, 'B / A'],
          style: { head: [], border: [] },
        });
        for (const [name, value] of ROWS) {
          const ratio = value(second) / value(first);
          table.push([
            name,
            format(value(first)),
            format(value(second)),
            Number.isFinite(ratio) ? `${ratio >= 0.1 ? ratio.toFixed(2) : ratio.toPrecision(2)}x` : '-',
          ]);
        }
        io.stdout(`${table.toString()}\n`);
        io.stdout(
          `Speedup (output throughput B / A): ${(second.throughputTokensPerSec / first.throughputTokensPerSec).toFixed(2)}x\n`,
        );
      }
      if (flags.report !== undefined) {
        writeFileSync(
          flags.report,
          renderReport({
            title: `llm-sim comparison: ${a} vs ${b}`,
            runs: runs.map((metrics, index) =>
              reportRunOf(index === 0 ? `A: ${a}` : `B: ${b}`, metrics, index === 0 ? first : second),
            ),
          }),
        );
        io.stderr(`wrote report: ${flags.report}\n`);
      }
    });
}
