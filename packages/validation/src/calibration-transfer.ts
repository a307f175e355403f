import { calibrateFromStages, replayStage, type StageCalibrationResult } from '@sim/calibration';
import type { EngineProfile } from '@sim/perf-model';
import { percent, summarizeErrors } from './validation-report';
import { isOverloaded, readVllmV1Stages, stageDeployment, type VllmV1Stage } from './vllm-v1-runs';

/** Where a compared stage stands relative to the run a calibration was fitted on. */
export type TransferGroup = 'fitted run' | 'same model' | 'other training model' | 'held-out model';

/** The groups in report order. */
export const TRANSFER_GROUPS: readonly TransferGroup[] = [
  'fitted run',
  'same model',
  'other training model',
  'held-out model',
];

/** One stage's signed errors (predicted / measured − 1) of the median TTFT and e2e latency. */
export interface StageErrors {
  readonly ttft: number;
  readonly e2e: number;
}

/** A compared stage: its errors with the base profile, the calibrated one, and the default `vllm` profile. */
export interface TransferRow {
  readonly stage: VllmV1Stage;
  readonly group: TransferGroup;
  readonly base: StageErrors;
  readonly calibrated: StageErrors;
  readonly fittedDefault: StageErrors;
}

/** A calibration on one run and how it carries over to the others. */
export interface CalibrationTransfer {
  /** The experiment calibrated on (a training run). */
  readonly experiment: string;
  readonly fit: StageCalibrationResult;
  readonly rows: readonly TransferRow[];
}

function errorsOf(
  stage: VllmV1Stage,
  engineProfile?: EngineProfile,
  profile: 'vllm' | 'vllm-v0' = 'vllm-v0',
): StageErrors {
  const predicted = replayStage(
    stageDeployment(stage, profile),
    stage,
    engineProfile === undefined ? {} : { engineProfile },
  );
  return {
    ttft: predicted.ttftMedianS / stage.ttftS.median - 1,
    e2e: predicted.e2eMedianS / stage.e2eS.median - 1,
  };
}

/**
 * What `llm-sim calibrate` does with one real run: calibrates the `vllm-v0` profile (Vidur's
 * kernel and CPU numbers, run with the V1 scheduler the runs used: chunked prefill, prefix caching)
 * on one training run's stage summaries, then replays every stage of all 12 runs that was not
 * overloaded with the base and the calibrated profile (and the default `vllm` profile, fitted on
 * all training runs, for reference). Only training runs may be calibrated on: the held-out model
 * is compared, never fitted.
 */
export function calibrationTransfer(experiment: string, maxEvaluations = 300): CalibrationTransfer {
  const all = readVllmV1Stages();
  const own = all.filter((stage) => stage.id.startsWith(`${experiment}#`));
  const first = own[0];
  if (first === undefined) throw new Error(`no vLLM V1 run ${experiment}`);
  if (first.split !== 'train') throw new Error(`${experiment} is held out: calibrate only on training runs`);
  const fit = calibrateFromStages(
    {
      file: 'stage-metrics.json',
      format: 'stage-summaries',
      experiment,
      model: first.model,
      tensorParallelSize: first.tensorParallelSize,
      stages: own,
      notes: [],
    },
    stageDeployment(first, 'vllm-v0'),
    { maxEvaluations },
  );
  const rows = all
    .filter((stage) => !isOverloaded(stage))
    .map(
      (stage): TransferRow => ({
        stage,
        group: stage.id.startsWith(`${experiment}#`)
          ? 'fitted run'
          : stage.split === 'held-out'
            ? 'held-out model'
            : stage.model === first.model
              ? 'same model'
              : 'other training model',
        base: errorsOf(stage),
        calibrated: errorsOf(stage, fit.engineProfile),
        fittedDefault: errorsOf(stage, undefined, 'vllm'),
      }),
    );
  return { experiment, fit, rows };
}

/** Median |error| of a metric over rows, in percent. */
export function medianAbsolutePercent(
  rows: readonly TransferRow[],
  profile: 'base' | 'calibrated' | 'fittedDefault',
  metric: keyof StageErrors,
): number {
  return summarizeErrors(rows.map((row) => Math.abs(row[profile][metric]) * 100)).median;
}

/** The markdown section of docs/validation.md: calibrating on one run, checked on the others. */
export function renderCalibrationTransferMarkdown(transfers: readonly CalibrationTransfer[]): string[] {
  const lines = [
    '## Calibrating on one real run (`llm-sim calibrate` with stage summaries)',
    '',
    'What a user with one benchmark run gets: `calibrateFromStages` (the `calibrate` command given',
    'inference-perf stage summaries) fits the `vllm-v0` profile (Vidur kernel and CPU profiles, run with',
    "the V1 scheduler the runs used) to one training run's median TTFT and E2E per stage, then every",
    'stage of the 12 runs that was not overloaded is replayed with the base and the calibrated profile.',
    'Median |error| per group, base → calibrated. "Same model": the other workloads of the model',
    'calibrated on; "other training model": the other training model (7B ↔ 70B, TP1 ↔ TP4);',
    '"held-out model": Mixtral-8x7B TP2, never fitted by anything. Every run here is also training',
    'data of the default `vllm` profile (its errors are in the last column, for reference), so only',
    'the held-out column is out of sample for both.',
    '',
    '| calibrated on | fitted | fitted run: TTFT / E2E | same model: TTFT / E2E | other training model: TTFT / E2E | held-out model: TTFT / E2E | default `vllm` on the held-out model |',
    '| --- | --- | --- | --- | --- | --- | --- |',
  ];
  for (const { experiment, fit, rows } of transfers) {
    const parameters = fit.fitted
      .map(
        (name) =>
          `${name.replace(/Scale$|Us$|Iterations$/, '')} ${Number(fit.engineProfile[name].toPrecision(3))}`,
      )
      .join(', ');
    const cells = TRANSFER_GROUPS.map((group) => {
      const members = rows.filter((row) => row.group === group);
      if (members.length === 0) return '–';
      const pair = (metric: keyof StageErrors) =>
        `${percent(medianAbsolutePercent(members, 'base', metric))} → ${percent(medianAbsolutePercent(members, 'calibrated', metric))}`;
      return `${pair('ttft')} / ${pair('e2e')}`;
    });
    const heldOut = rows.filter((row) => row.group === 'held-out model');
    lines.push(
      `| ${experiment.replace(/^\d+-\d+-/, '')} | ${parameters} | ${cells.join(' | ')} | ${percent(medianAbsolutePercent(heldOut, 'fittedDefault', 'ttft'))} / ${percent(medianAbsolutePercent(heldOut, 'fittedDefault', 'e2e'))} |`,
    );
  }
  lines.push(
    '',
    'Reading it: a calibration carries over to the other workloads of the same deployment, and from a',
    'tensor-parallel run to other models and TP degrees on the GPU. A TP 1 run cannot identify the',
    "all-reduce latency (collectiveLatencyScale keeps the base's value), so calibrated on one, the TTFT",
    'of TP 2 and TP 4 deployments does not improve: calibrate on a run with the TP you will deploy.',
    'The fitted scales stand in for what the `vllm-v0` profile lacks (CUDA graphs, FlashAttention 3 on',
    'Hopper), so they are large; `calibrate` keeps parameters the medians leave free near the base',
    '(a weak prior) and fits admissionDelayIterations, which the stage medians pin.',
    '',
  );
  return lines;
}
