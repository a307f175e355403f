import { writeFileSync } from 'node:fs';
import {
  type Candidate,
  type CandidateEvaluation,
  candidatePricePerHour,
  describeCandidate,
  enumerateCandidates,
  evaluateCandidate,
  findGpuPreset,
  type PlanRequest,
  type PlanResult,
  type ResolvedConfig,
  rankCandidates,
  resolveConfig,
} from '@sim/engine';
import { DTYPE_BYTES } from '@sim/specs';
import Table from 'cli-table3';
import type { Command } from 'commander';
import { buildConfig, type ConfigFlags } from '../build-config';
import { startCountBar } from '../count-bar';
import { renderReport } from '../html-report';
import { InputError, positiveInteger, positiveNumber } from '../input-error';
import type { Io } from '../io';
import { checkOutputFiles, HTML_REPORT } from '../output-file';
import { mapOnWorkers } from '../worker-pool';
import { configInputs, withConfigOptions } from './run-command';

interface PlanFlags extends ConfigFlags {
  rate: string;
  sloTtftP99: string;
  sloTpotP99?: string;
  gpus: string;
  maxGpus: string;
  requests: string;
  top: string;
  json?: boolean;
  report?: string;
  workers?: string;
  disaggregated?: boolean;
}

const ms = (seconds: number) => (Number.isFinite(seconds) ? (seconds * 1000).toFixed(0) : '-');
const money = (value: number, digits = 2) => (Number.isFinite(value) ? `$${value.toFixed(digits)}` : '-');
const maxRate = (evaluation: CandidateEvaluation) =>
  `${evaluation.maxRateIsLowerBound ? '≥ ' : ''}${evaluation.maxRatePerReplica.toFixed(2)}`;

/** "P99 TTFT ≤ 2 s, P99 TPOT ≤ 0.1 s" (TPOT only when given). */
function sloText(request: PlanRequest): string {
  return `P99 TTFT ≤ ${request.ttftP99S} s${request.tpotP99S === undefined ? '' : `, P99 TPOT ≤ ${request.tpotP99S} s`}`;
}

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
      maxRate(row.evaluation),
      ms(row.evaluation.ttftP99AtTargetS),
      ms(row.evaluation.tpotP99AtTargetS),
      row.pareto ? '*' : '',
    ]);
  });
  return table.toString();
}

/** "H200-141GB TP8 PP1 (8 GPUs, $31.92/hour)". */
function describeLayout(candidate: Candidate): string {
  const price = candidatePricePerHour(candidate);
  const cost = Number.isFinite(price) ? `, ${money(price)}/hour` : '';
  return `${candidate.gpu} TP${candidate.tensorParallelSize} PP${candidate.pipelineParallelSize} (${candidate.gpusPerReplica} GPUs${cost})`;
}

/**
 * Where disaggregation wins or loses: the cheapest feasible disaggregated group against the
 * cheapest co-located deployment, at the SLOs.
 */
export function disaggregationVerdict(result: PlanResult): string {
  const cheapest = (split: boolean) =>
    result.rows.find((row) => (row.evaluation.candidate.disaggregation !== undefined) === split);
  const apart = cheapest(true);
  const together = cheapest(false);
  if (apart === undefined)
    return together === undefined
      ? 'Disaggregated vs co-located: neither meets the SLOs.'
      : 'Disaggregated vs co-located: no disaggregated group meets the SLOs within the GPU budget; co-located does.';
  if (together === undefined)
    return `Disaggregated vs co-located: only disaggregation meets the SLOs (${describeCandidate(apart.evaluation.candidate)} ×${apart.evaluation.replicas}, ${money(apart.costPerHour)}/h).`;
  const ratio = apart.costPerHour / together.costPerHour;
  const verdict = !Number.isFinite(ratio)
    ? `${apart.totalGpus} GPUs against ${together.totalGpus}`
    : ratio < 1
      ? `disaggregation wins: ${((1 - ratio) * 100).toFixed(0)}% cheaper`
      : ratio > 1
        ? `disaggregation loses: ${((ratio - 1) * 100).toFixed(0)}% dearer`
        : 'a tie on cost';
  return `Disaggregated vs co-located at these SLOs: ${verdict} (${describeCandidate(apart.evaluation.candidate)} ×${apart.evaluation.replicas}, ${money(apart.costPerHour)}/h, against ${describeCandidate(together.evaluation.candidate)} ×${together.evaluation.replicas}, ${money(together.costPerHour)}/h).`;
}

/** When no candidate holds the model's weights: say so, and name the smallest deployment that would. */
function nothingFitsMessage(
  request: PlanRequest,
  config: ResolvedConfig,
  smallest: Candidate | undefined,
): string {
  const lines = [
    `Nothing fits in memory: ${config.modelSpec.name}'s weights (${((config.modelSpec.nParams * DTYPE_BYTES[config.modelSpec.weightDtype]) / 1e9).toFixed(0)} GB in ${config.modelSpec.weightDtype}) do not fit on any candidate (${request.gpus.join(', ')}, TP ${(request.tensorParallelSizes ?? [1, 2, 4, 8]).join('/')}, PP ${(request.pipelineParallelSizes ?? [1, 2]).join('/')}, at most ${request.maxGpus} GPUs).`,
  ];
  if (smallest === undefined)
    lines.push('No GPU preset holds them with up to TP 8 × PP 16 either: use a smaller or quantized model.');
  else {
    const requested = request.gpus.some((gpu) => findGpuPreset(gpu)?.name === smallest.gpu);
    const fixes = [
      ...(smallest.gpusPerReplica > request.maxGpus ? [`--max-gpus ${smallest.gpusPerReplica}`] : []),
      ...(requested ? [] : [`--gpus ${smallest.gpu}`]),
    ];
    lines.push(
      `The smallest deployment that holds them: ${describeLayout(smallest)}.${fixes.length > 0 ? ` Rerun with ${fixes.join(' ')}.` : ''}`,
    );
  }
  return `${lines.join('\n')}\n`;
}

function infeasibleMessage(request: PlanRequest, result: PlanResult): string {
  const lines = [
    `No configuration meets these SLOs (${sloText(request)}) at ${request.targetRate} req/s within ${request.maxGpus} GPUs.`,
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

/** `llm-sim plan`: the cheapest deployments that meet P99 TTFT (and TPOT) SLOs at a target load. */
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
    .option('--slo-tpot-p99 <s>', 'P99 time-per-output-token SLO, seconds (default: none)')
    .option(
      '--trace <file>',
      'request trace CSV: its request lengths are used (the search sets the arrival rate)',
    )
    .option('--gpus <list>', 'GPU presets to consider', 'A100-80GB,H100-80GB,H200-141GB')
    .option('--max-gpus <n>', 'most GPUs the deployment may use', '64')
    .option('--requests <n>', 'requests per simulation in the rate search', '400')
    .option('--top <n>', 'rows to print', '15')
    .option(
      '--disaggregated',
      'also search disaggregated prefill/decode groups (GPU per pool, TP, prefill:decode splits) and say where they win',
    )
    .option(
      '--expert-parallel',
      'for an MoE model, also search expert-parallel groups of 2, 4 and 8 replicas (experts spread over each group)',
    )
    .option('--json', 'print the ranked deployments as JSON')
    .option('--report <file>', 'write an HTML report with the cost vs latency frontier')
    .option('--workers <n>', 'worker threads (default: one per CPU)')
    .option('--debug', 'print stack traces')
    .addHelpText(
      'after',
      `
"max req/s per replica" is the highest rate one replica sustains within the SLOs (searched above
the target too; "≥" when it met them even at 64× the target). With a speculativeSpec in the
config every layout is tried with it (+spec) and without (no-spec); with --expert-parallel an
expert-parallel group (EPn: n GPUs) is the unit replicated.

Examples:
  llm-sim plan --model llama-3.1-70b --rate 20 --trace data/traces/sharegpt_8k_filtered_stats_llama2_tokenizer.csv --slo-ttft-p99 2 --slo-tpot-p99 0.1
  llm-sim plan --model llama-3.1-8b --rate 50 --slo-ttft-p99 0.5 --slo-tpot-p99 0.05 --gpus L40S,H100 --max-gpus 16
  llm-sim plan --model llama-3.1-8b --rate 10 --slo-ttft-p99 1
  llm-sim plan --model llama-3.1-8b --rate 12 --set workloadSpec.avgInputLength=4000 --slo-ttft-p99 2 --slo-tpot-p99 0.012 --gpus H100 --disaggregated`,
    )
    .action(async (flags: PlanFlags) => {
      const started = Date.now();
      if (flags.report !== undefined)
        checkOutputFiles([{ flag: '--report', file: flags.report, kind: HTML_REPORT }], configInputs(flags));
      // Here --expert-parallel widens the search; it does not set the base config's expertParallel.
      const { expertParallel: searchExpertParallel, ...configFlags } = flags;
      const base = buildConfig(configFlags, {
        traceLengthsOnly: 'plan searches the arrival rate',
        onNote: (note) => io.stderr(`${note}\n`),
      });
      const resolvedBase = resolveConfig(base); // bad base config: exit 2 before searching
      const request: PlanRequest = {
        base,
        targetRate: positiveNumber(flags.rate, '--rate'),
        ttftP99S: positiveNumber(flags.sloTtftP99, '--slo-ttft-p99'),
        ...(flags.sloTpotP99 === undefined
          ? {}
          : { tpotP99S: positiveNumber(flags.sloTpotP99, '--slo-tpot-p99') }),
        gpus: flags.gpus
          .split(',')
          .map((gpu) => gpu.trim())
          .filter(Boolean),
        maxGpus: positiveInteger(flags.maxGpus, '--max-gpus'),
        requestsPerRun: positiveInteger(flags.requests, '--requests'),
        ...(flags.disaggregated === true ? { disaggregated: true } : {}),
        ...(searchExpertParallel === true ? { expertParallel: true } : {}),
      };
      const top = positiveInteger(flags.top, '--top');
      const workers = flags.workers === undefined ? undefined : positiveInteger(flags.workers, '--workers');
      const { candidates, pruned, smallestFitting } = enumerateCandidates(request);
      const unknown = pruned.find((item) => item.reason.startsWith('unknown GPU'));
      if (unknown !== undefined)
        throw new InputError(`--gpus: ${unknown.reason} (see llm-sim presets gpus).`);
      const bar = startCountBar(io, candidates.length, 'plan: candidates');
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
      const answer =
        candidates.length === 0
          ? nothingFitsMessage(request, resolvedBase, smallestFitting)
          : result.rows.length === 0
            ? infeasibleMessage(request, result)
            : undefined;
      if (flags.json) {
        io.stdout(
          `${JSON.stringify(
            {
              targetRate: request.targetRate,
              slo: { ttftP99S: request.ttftP99S, tpotP99S: request.tpotP99S ?? null },
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
                maxRateIsLowerBound: row.evaluation.maxRateIsLowerBound,
                ttftP99AtTargetS: row.evaluation.ttftP99AtTargetS,
                tpotP99AtTargetS: row.evaluation.tpotP99AtTargetS,
                pareto: row.pareto,
              })),
              infeasible: answer === undefined ? null : answer.trim(),
              smallestFitting:
                smallestFitting === undefined
                  ? null
                  : { deployment: describeLayout(smallestFitting), ...smallestFitting },
              resolvedConfig: resolvedBase,
            },
            null,
            2,
          )}\n`,
        );
      } else if (answer !== undefined) {
        io.stdout(answer);
      } else {
        io.stdout(`${planTable(result, top)}\n`);
        const frontier = result.rows.filter((row) => row.pareto);
        io.stdout(
          `Pareto frontier (cost vs P99 TTFT): ${frontier
            .map(
              (row) =>
                `${describeCandidate(row.evaluation.candidate)} ×${row.evaluation.replicas} (${money(row.costPerHour)}/h, ${ms(row.evaluation.ttftP99AtTargetS)} ms)`,
            )
            .join(' → ')}\n`,
        );
        if (request.disaggregated === true) io.stdout(`${disaggregationVerdict(result)}\n`);
      }
      io.stderr(
        `${candidates.length} candidates simulated (${pruned.length} pruned before simulating: weights do not fit, TP does not divide the heads, or too many GPUs), ${result.rows.length} feasible, ${simulations} simulations, ${seconds.toFixed(1)} s\n`,
      );
      if (flags.report !== undefined) {
        writeFileSync(
          flags.report,
          renderReport({
            title: `llm-sim plan: ${resolvedBase.modelSpec.name} at ${request.targetRate} req/s (${sloText(request)})`,
            runs: [],
            plan: result.rows.map((row) => ({
              label: `${describeCandidate(row.evaluation.candidate)} ×${row.evaluation.replicas}`,
              costPerHour: row.costPerHour,
              gpus: row.totalGpus,
              ttftP99S: row.evaluation.ttftP99AtTargetS,
              tpotP99S: row.evaluation.tpotP99AtTargetS,
              pareto: row.pareto,
            })),
            settings: [
              {
                label: 'plan request',
                value: {
                  targetRate: request.targetRate,
                  slo: { ttftP99S: request.ttftP99S, tpotP99S: request.tpotP99S ?? null },
                  gpus: request.gpus,
                  maxGpus: request.maxGpus,
                  requestsPerRun: request.requestsPerRun,
                  candidates: candidates.length,
                  pruned: pruned.length,
                  simulations,
                },
              },
              {
                label: 'base configuration (resolved; the deployment fields are searched)',
                value: resolvedBase,
              },
            ],
          }),
        );
        io.stderr(`wrote report: ${flags.report}\n`);
      }
    });
}
