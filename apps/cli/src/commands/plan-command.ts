import { writeFileSync } from 'node:fs';
import {
  type CandidateEvaluation,
  describeCandidate,
  enumerateCandidates,
  evaluateCandidate,
  type PlanRequest,
  type PlanResult,
  rankCandidates,
  resolveConfig,
} from '@sim/engine';
import Table from 'cli-table3';
import type { Command } from 'commander';
import { buildConfig, type ConfigFlags } from '../build-config';
import { startCountBar } from '../count-bar';
import { renderReport } from '../html-report';
import { InputError, positiveNumber } from '../input-error';
import type { Io } from '../io';
import { applyOverride } from '../set-override';
import { mapOnWorkers } from '../worker-pool';
import { withConfigOptions } from './run-command';

interface PlanFlags extends ConfigFlags {
  rate: string;
  trace?: string;
  sloTtftP99: string;
  sloTpotP99: string;
  gpus: string;
  maxGpus: string;
  requests: string;
  top: string;
  json?: boolean;
  report?: string;
  workers?: string;
}

const ms = (seconds: number) => (Number.isFinite(seconds) ? (seconds * 1000).toFixed(0) : '-');
const money = (value: number, digits = 2) => (Number.isFinite(value) ? `$${value.toFixed(digits)}` : '-');

function planTable(result: PlanResult, top: number): string {
  const table = new Table({
    head: [
      '#',
      'deployment (per replica)',
      'replicas',
      'GPUs',
      '$/hour',
      '$/M out tok',
      'max req/s per replica',
      'P99 TTFT ms',
      'P99 TPOT ms',
      'Pareto',
    ],
    style: { head: [], border: [] },
  });
  result.rows.slice(0, top).forEach((row, index) => {
    table.push([
      index + 1,
      describeCandidate(row.evaluation.candidate),
      row.evaluation.replicas,
      row.totalGpus,
      money(row.costPerHour),
      money(row.costPerMillionOutputTokens, 3),
      row.evaluation.maxRatePerReplica.toFixed(2),
      ms(row.evaluation.ttftP99AtTargetS),
      ms(row.evaluation.tpotP99AtTargetS),
      row.pareto ? '*' : '',
    ]);
  });
  return table.toString();
}

function infeasibleMessage(request: PlanRequest, result: PlanResult): string {
  const lines = [
    `No configuration meets these SLOs (P99 TTFT ≤ ${request.ttftP99S} s, P99 TPOT ≤ ${request.tpotP99S} s) at ${request.targetRate} req/s within ${request.maxGpus} GPUs.`,
  ];
  const overBudget = [...result.overBudget].sort(
    (a, b) => a.replicas * a.candidate.gpusPerReplica - b.replicas * b.candidate.gpusPerReplica,
  )[0];
  if (overBudget !== undefined)
    lines.push(
      `Closest: ${describeCandidate(overBudget.candidate)} meets the SLOs at ${overBudget.maxRatePerReplica.toFixed(2)} req/s per replica but needs ${overBudget.replicas} replicas = ${overBudget.replicas * overBudget.candidate.gpusPerReplica} GPUs. Raise --max-gpus or lower --rate.`,
    );
  else if (result.closest !== undefined) {
    const closest = result.closest;
    lines.push(
      `Closest: ${describeCandidate(closest.candidate)}: even at low load its P99 TTFT is ${ms(closest.bestTtftP99S)} ms and P99 TPOT ${ms(closest.bestTpotP99S)} ms (${closest.bestViolation.toFixed(2)}× the SLO). Relax the SLOs, or allow faster GPUs (--gpus) or more TP (--max-gpus).`,
    );
  }
  return `${lines.join('\n')}\n`;
}

/** `llm-sim plan`: the cheapest deployments that meet P99 TTFT/TPOT SLOs at a target load. */
export function addPlanCommand(program: Command, io: Io): void {
  withConfigOptions(
    program
      .command('plan')
      .description(
        'Find the cheapest deployments (GPU × TP × PP × batch cap × scheduler, replicas) meeting P99 latency SLOs at a target load.',
      )
      .option(
        '-c, --config <file>',
        'base config: model, workload lengths, engine profile (deployment fields are searched)',
      ),
  )
    .requiredOption('--rate <req/s>', 'target arrival rate over all replicas')
    .requiredOption('--slo-ttft-p99 <s>', 'P99 time-to-first-token SLO, seconds')
    .requiredOption('--slo-tpot-p99 <s>', 'P99 time-per-output-token SLO, seconds')
    .option('--trace <file>', 'take request lengths from this trace (CSV of input/output tokens)')
    .option('--gpus <list>', 'GPU presets to consider', 'A100-80GB,H100-80GB,H200-141GB')
    .option('--max-gpus <n>', 'most GPUs the deployment may use', '64')
    .option('--requests <n>', 'requests per simulation in the rate search', '400')
    .option('--top <n>', 'rows to print', '15')
    .option('--json', 'print the ranked deployments as JSON')
    .option('--report <file>', 'write an HTML report with the cost vs latency frontier')
    .option('--workers <n>', 'worker threads (default: one per CPU)')
    .option('--debug', 'print stack traces')
    .addHelpText(
      'after',
      `
Examples:
  llm-sim plan --model llama-3.1-70b --rate 20 --trace ../shared/traces/sharegpt_8k_filtered_stats_llama2_tokenizer.csv --slo-ttft-p99 2 --slo-tpot-p99 0.1
  llm-sim plan --model llama-3.1-8b --rate 50 --slo-ttft-p99 0.5 --slo-tpot-p99 0.05 --gpus L40S,H100 --max-gpus 16`,
    )
    .action(async (flags: PlanFlags) => {
      const started = Date.now();
      const base = buildConfig(flags) as Record<string, unknown>;
      if (flags.trace !== undefined) {
        applyOverride(base, 'workloadSpec.lengthDistribution.type=empirical');
        applyOverride(base, `workloadSpec.lengthDistribution.file=${JSON.stringify(flags.trace)}`);
      }
      resolveConfig(base); // bad base config: exit 2 before searching
      const request: PlanRequest = {
        base,
        targetRate: positiveNumber(flags.rate, '--rate'),
        ttftP99S: positiveNumber(flags.sloTtftP99, '--slo-ttft-p99'),
        tpotP99S: positiveNumber(flags.sloTpotP99, '--slo-tpot-p99'),
        gpus: flags.gpus
          .split(',')
          .map((gpu) => gpu.trim())
          .filter(Boolean),
        maxGpus: Math.floor(positiveNumber(flags.maxGpus, '--max-gpus')),
        requestsPerRun: Math.floor(positiveNumber(flags.requests, '--requests')),
      };
      const { candidates, pruned } = enumerateCandidates(request);
      const unknown = pruned.find((item) => item.reason.startsWith('unknown GPU'));
      if (unknown !== undefined)
        throw new InputError(`--gpus: ${unknown.reason} (see llm-sim presets gpus).`);
      const bar = startCountBar(io, candidates.length, 'plan: candidates');
      const workers =
        flags.workers === undefined ? undefined : Math.floor(positiveNumber(flags.workers, '--workers'));
      const evaluations = await mapOnWorkers(
        'plan-worker',
        candidates.map((candidate) => ({ request, candidate })),
        (task) => evaluateCandidate(task.request, task.candidate),
        { ...(workers === undefined ? {} : { workers }), onDone: (done) => bar?.update(done) },
      );
      bar?.stop();
      const result = rankCandidates(request, evaluations);
      const simulations = evaluations.reduce(
        (sum, evaluation: CandidateEvaluation) => sum + evaluation.simulations,
        0,
      );
      const seconds = (Date.now() - started) / 1000;
      if (flags.json) {
        io.stdout(
          `${JSON.stringify(
            {
              targetRate: request.targetRate,
              slo: { ttftP99S: request.ttftP99S, tpotP99S: request.tpotP99S },
              candidates: candidates.length,
              pruned: pruned.length,
              simulations,
              rows: result.rows.map((row) => ({
                deployment: describeCandidate(row.evaluation.candidate),
                ...row.evaluation.candidate,
                replicas: row.evaluation.replicas,
                totalGpus: row.totalGpus,
                costPerHour: Number.isFinite(row.costPerHour) ? row.costPerHour : null,
                costPerMillionOutputTokens: Number.isFinite(row.costPerMillionOutputTokens)
                  ? row.costPerMillionOutputTokens
                  : null,
                maxRatePerReplica: row.evaluation.maxRatePerReplica,
                ttftP99AtTargetS: row.evaluation.ttftP99AtTargetS,
                tpotP99AtTargetS: row.evaluation.tpotP99AtTargetS,
                pareto: row.pareto,
              })),
              infeasible: result.rows.length === 0 ? infeasibleMessage(request, result).trim() : null,
            },
            null,
            2,
          )}\n`,
        );
      } else if (result.rows.length === 0) {
        io.stdout(infeasibleMessage(request, result));
      } else {
        io.stdout(`${planTable(result, Math.floor(positiveNumber(flags.top, '--top')))}\n`);
        const frontier = result.rows.filter((row) => row.pareto);
        io.stdout(
          `Pareto frontier (cost vs P99 TTFT): ${frontier
            .map(
              (row) =>
                `${describeCandidate(row.evaluation.candidate)} ×${row.evaluation.replicas} (${money(row.costPerHour)}/h, ${ms(row.evaluation.ttftP99AtTargetS)} ms)`,
            )
            .join(' → ')}\n`,
        );
      }
      io.stderr(
        `${candidates.length} candidates simulated (${pruned.length} pruned before simulating: weights do not fit, TP does not divide the heads, or too many GPUs), ${result.rows.length} feasible, ${simulations} simulations, ${seconds.toFixed(1)} s\n`,
      );
      if (flags.report !== undefined) {
        writeFileSync(
          flags.report,
          renderReport({
            title: `llm-sim plan: ${resolveConfig(base).modelSpec.name} at ${request.targetRate} req/s (P99 TTFT ≤ ${request.ttftP99S} s, TPOT ≤ ${request.tpotP99S} s)`,
            runs: [],
            plan: result.rows.map((row) => ({
              label: `${describeCandidate(row.evaluation.candidate)} ×${row.evaluation.replicas}`,
              costPerHour: row.costPerHour,
              gpus: row.totalGpus,
              ttftP99S: row.evaluation.ttftP99AtTargetS,
              tpotP99S: row.evaluation.tpotP99AtTargetS,
              pareto: row.pareto,
            })),
          }),
        );
        io.stderr(`wrote report: ${flags.report}\n`);
      }
    });
}
