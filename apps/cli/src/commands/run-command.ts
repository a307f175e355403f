import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { buildConfig, type ConfigFlags, collect } from '../build-config';
import { formatSummary } from '../format-summary';
import { renderReport, reportRunOf } from '../html-report';
import type { Io } from '../io';
import { requestsToCsv } from '../request-csv';
import { runWithProgress } from '../run-with-progress';

interface RunFlags extends ConfigFlags {
  json?: boolean;
  csv?: string;
  trace?: string;
  report?: string;
}

/** Adds the options every config-building command shares. */
export function withConfigOptions(command: Command): Command {
  return command
    .option(
      '-s, --set <path=value>',
      'override a field, e.g. workloadSpec.arrivalRate=5 (repeatable)',
      collect,
      [],
    )
    .option('--model <name>', 'model preset (e.g. llama-3.1-8b)')
    .option('--gpu <name>', 'GPU preset (e.g. H100)')
    .option('--tp <n>', 'tensor-parallel degree (also sets GPUs per node)');
}

/** `llm-sim run`: one simulation, a readable summary (or JSON), optional CSV, Chrome trace and HTML report. */
export function addRunCommand(program: Command, io: Io): void {
  withConfigOptions(
    program
      .command('run')
      .description(
        'Run one simulation (default: llama-7b on one A100-80GB, 512 in / 128 out, 2 req/s Poisson, 60 s).',
      )
      .option('-c, --config <file>', 'config file (YAML or JSON, camelCase or snake_case keys)'),
  )
    .option('--json', 'print exactly the computeStatistics() object as JSON, nothing else')
    .option('--csv <file>', 'write one CSV row per completed request')
    .option(
      '--trace <file>',
      'write a Chrome trace (chrome://tracing, Perfetto): one span per iteration per stage',
    )
    .option('--report <file>', 'write a self-contained HTML report with charts')
    .option('--debug', 'print stack traces')
    .addHelpText(
      'after',
      `
Examples:
  llm-sim run
  llm-sim run --model llama-3.1-8b --gpu H100 --tp 2
  llm-sim run --set workload_spec.arrival_rate=5 --json
  llm-sim run --config deployment.yaml --report report.html --csv requests.csv`,
    )
    .action(async (flags: RunFlags) => {
      const config = buildConfig(flags);
      const metrics = await runWithProgress(
        config,
        {
          recordRequests: flags.csv !== undefined || flags.report !== undefined,
          chromeTrace: flags.trace !== undefined,
        },
        io,
      );
      const statistics = metrics.computeStatistics();
      if (flags.csv !== undefined) writeFileSync(flags.csv, requestsToCsv(metrics.requestRecords()));
      if (flags.trace !== undefined) writeFileSync(flags.trace, JSON.stringify(metrics.chromeTrace()));
      if (flags.report !== undefined) {
        const label = `${metrics.config.modelSpec.name} on ${metrics.config.clusterSpec.gpuSpec.name}`;
        writeFileSync(
          flags.report,
          renderReport({
            title: `llm-sim report: ${label}`,
            runs: [reportRunOf(label, metrics, statistics)],
          }),
        );
      }
      io.stdout(
        flags.json
          ? `${JSON.stringify(statistics, null, 2)}\n`
          : `${formatSummary(metrics.config, statistics)}\n`,
      );
      // The summary shows warnings; with --json, stdout is only data, so they go to stderr too.
      if (flags.json) for (const warning of statistics.warnings) io.stderr(`warning: ${warning}\n`);
      for (const [flag, file] of [
        ['csv', flags.csv],
        ['trace', flags.trace],
        ['report', flags.report],
      ] as const)
        if (file !== undefined) io.stderr(`wrote ${flag}: ${file}\n`);
    });
}
