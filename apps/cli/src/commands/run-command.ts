import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { buildConfig, type ConfigFlags, collect } from '../build-config';
import { formatSummary } from '../format-summary';
import { renderReport, reportRunOf } from '../html-report';
import { requestLimit } from '../input-error';
import { type Io, writeWarnings } from '../io';
import {
  CHROME_TRACE,
  CHROME_TRACE_MARK,
  checkOutputFiles,
  HTML_REPORT,
  type OutputFile,
} from '../output-file';
import { REQUEST_CSV, requestsToCsv } from '../request-csv';
import { runWithProgress } from '../run-with-progress';
import { statisticsJson } from '../statistics-json';

interface RunFlags extends ConfigFlags {
  json?: boolean;
  csv?: string;
  chromeTrace?: string;
  report?: string;
  maxRequests?: string;
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

/** Adds `--replicas`, `--router` and `--expert-parallel` (run, sweep; the planner searches replicas itself). */
export function withReplicaOptions(command: Command): Command {
  return command
    .option(
      '--replicas <n>',
      'data-parallel replicas behind a router (GPUs per node become TP × PP × replicas)',
    )
    .option(
      '--router <name>',
      'replica router: round-robin, least-outstanding, least-kv, power-of-two, prefix-affinity, scored',
    )
    .option(
      '--expert-parallel',
      "spread an MoE model's experts whole over all replicas × TP GPUs (all-to-all dispatch), as vLLM's --enable-expert-parallel",
    );
}

/** Adds `--rate` and `--trace`, the workload shortcuts of run, sweep and compare. */
export function withWorkloadOptions(command: Command): Command {
  return command
    .option('--rate <req/s>', 'arrival rate (workloadSpec.arrivalRate)')
    .option(
      '--trace <file>',
      'request trace, CSV or JSON Lines (arrival time, input tokens, output tokens; optional session_id, hash_ids): replayed when it has arrival times (and no --rate), else its lengths are used',
    );
}

/** Inputs a command reads, for the output-file checks. */
export function configInputs(flags: ConfigFlags): { what: string; file: string }[] {
  return [
    ...(flags.config === undefined ? [] : [{ what: 'config file', file: flags.config }]),
    ...(flags.trace === undefined ? [] : [{ what: 'request trace', file: flags.trace }]),
  ];
}

/** `llm-sim run`: one simulation, a readable summary (or JSON), optional CSV, Chrome trace and HTML report. */
export function addRunCommand(program: Command, io: Io): void {
  withReplicaOptions(
    withWorkloadOptions(
      withConfigOptions(
        program
          .command('run')
          .description(
            'Run one simulation (default: llama-7b on one A100-80GB, 512 in / 128 out, 2 req/s Poisson, 60 s).',
          )
          .option('-c, --config <file>', 'config file (YAML or JSON, camelCase or snake_case keys)'),
      ),
    ),
  )
    .option(
      '--json',
      'print computeStatistics() plus the resolved config (key resolvedConfig) as JSON, nothing else',
    )
    .option('--csv <file>', 'write one CSV row per completed request')
    .option(
      '--chrome-trace <file>',
      'write a Chrome trace (chrome://tracing, Perfetto): one span per iteration per stage',
    )
    .option('--report <file>', 'write a self-contained HTML report with charts')
    .option(
      '--max-requests <n>',
      'refuse runs expected to simulate more requests than this (default 10,000,000; "Infinity" for no limit)',
    )
    .option('--debug', 'print stack traces')
    .addHelpText(
      'after',
      `
Examples:
  llm-sim run
  llm-sim run --model llama-3.1-8b --gpu H100 --tp 2 --rate 10
  llm-sim run --config examples/configs/multi-turn-chat.yaml --router round-robin   # vs prefix-affinity
  llm-sim run --set workload_spec.arrival_rate=5 --json
  llm-sim run --config examples/configs/basic.yaml --report report.html --csv requests.csv --chrome-trace trace.json
  llm-sim run --trace data/traces/splitwise_code.csv --model llama-3.1-8b --gpu H100`,
    )
    .action(async (flags: RunFlags) => {
      const outputs: OutputFile[] = [
        ...(flags.csv === undefined ? [] : [{ flag: '--csv', file: flags.csv, kind: REQUEST_CSV }]),
        ...(flags.chromeTrace === undefined
          ? []
          : [{ flag: '--chrome-trace', file: flags.chromeTrace, kind: CHROME_TRACE }]),
        ...(flags.report === undefined ? [] : [{ flag: '--report', file: flags.report, kind: HTML_REPORT }]),
      ];
      checkOutputFiles(outputs, configInputs(flags));
      const config = buildConfig(flags, { onNote: (note) => io.stderr(`${note}\n`) });
      const metrics = await runWithProgress(
        config,
        {
          recordRequests: flags.csv !== undefined || flags.report !== undefined,
          chromeTrace: flags.chromeTrace !== undefined,
          ...requestLimit(flags.maxRequests),
        },
        io,
      );
      const statistics = metrics.computeStatistics();
      if (flags.csv !== undefined) writeFileSync(flags.csv, requestsToCsv(metrics.requestRecords()));
      if (flags.chromeTrace !== undefined)
        writeFileSync(
          flags.chromeTrace,
          JSON.stringify({ otherData: CHROME_TRACE_MARK, ...metrics.chromeTrace() }),
        );
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
          ? `${JSON.stringify(statisticsJson(statistics, metrics.config), null, 2)}\n`
          : `${formatSummary(metrics.config, statistics, { includeWarnings: false })}\n`,
      );
      writeWarnings(io, statistics.warnings);
      for (const { flag, file } of outputs) io.stderr(`wrote ${flag.slice(2)}: ${file}\n`);
    });
}
