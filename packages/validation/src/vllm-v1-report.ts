import type { EngineProfile } from '@sim/perf-model';
import { percent, quantile, summarizeErrors } from './validation-report';
import { isOverloaded, predictStage, type StagePrediction, type VllmV1Stage } from './vllm-v1-runs';

/** The compared quantities of a vLLM V1 stage, in report order. */
const VLLM_V1_METRIC_NAMES = ['ttft', 'e2e', 'decode', 'throughput'] as const;

export type VllmV1Metric = (typeof VLLM_V1_METRIC_NAMES)[number];

/** The compared quantities of a vLLM V1 stage and their held-out targets (median |error|, %). */
export const VLLM_V1_METRICS = {
  ttft: { label: 'TTFT median', target: 20 },
  e2e: { label: 'E2E latency median', target: 10 },
  decode: { label: 'decode time (E2E − TTFT) median', target: 10 },
  throughput: { label: 'output throughput (overloaded runs)', target: 10 },
} as const satisfies Record<VllmV1Metric, { readonly label: string; readonly target: number }>;

/** One stage's prediction against its measurement; signed errors in %, absent where not compared. */
export interface VllmV1Result {
  readonly stage: VllmV1Stage;
  readonly predicted: StagePrediction;
  /** Signed error per compared metric: latencies for stages that were not overloaded, throughput for overloaded ones. */
  readonly errors: Partial<Record<VllmV1Metric, number>>;
}

const signedError = (predicted: number, measured: number) => (predicted / measured - 1) * 100;

/** Replays every stage through the engine and compares it with its measurement. */
export function runVllmV1(stages: readonly VllmV1Stage[], engine?: EngineProfile): VllmV1Result[] {
  return stages.map((stage) => {
    const predicted = predictStage(stage, engine);
    const errors: Partial<Record<VllmV1Metric, number>> = isOverloaded(stage)
      ? { throughput: signedError(predicted.outputTokensPerSec, stage.outputTokensPerSec) }
      : {
          ttft: signedError(predicted.ttftMedianS, stage.ttftS.median),
          e2e: signedError(predicted.e2eMedianS, stage.e2eS.median),
          decode: signedError(predicted.decodeMedianS, stage.e2eS.median - stage.ttftS.median),
        };
    return { stage, predicted, errors };
  });
}

/** Median and p90 of |error| and the median signed error of one metric over some results. */
export interface VllmV1Summary {
  readonly split: VllmV1Stage['split'];
  readonly metric: VllmV1Metric;
  readonly rows: number;
  readonly median: number;
  readonly p90: number;
  readonly bias: number;
  readonly target: number;
}

/** Per split and metric: median and p90 |error|, signed bias, and the held-out target. */
export function summarizeVllmV1(results: readonly VllmV1Result[]): VllmV1Summary[] {
  const summaries: VllmV1Summary[] = [];
  for (const split of ['train', 'held-out'] as const) {
    for (const metric of VLLM_V1_METRIC_NAMES) {
      const errors = results
        .filter((result) => result.stage.split === split)
        .map((result) => result.errors[metric])
        .filter((value): value is number => value !== undefined);
      summaries.push({
        split,
        metric,
        ...summarizeErrors(errors.map(Math.abs)),
        bias: quantile(
          [...errors].sort((a, b) => a - b),
          0.5,
        ),
        target: VLLM_V1_METRICS[metric].target,
      });
    }
  }
  return summaries;
}

const signed = (value: number | undefined) =>
  value === undefined ? '–' : `${value >= 0 ? '+' : ''}${value.toFixed(1)}%`;

/** The markdown section of docs/validation.md for the vLLM V1 runs. */
export function renderVllmV1Markdown(results: readonly VllmV1Result[]): string[] {
  const lines = [
    '## vLLM V1 on H100 (the default `vllm` profile), end to end',
    '',
    'The 12 inference-perf runs of vLLM V1 on H100 SXM (`packages/validation/data/vllm-v1-h100/`,',
    'copied from the calibration data with a `split` label per run). Each stage is replayed through the',
    'full engine with nothing but the model, GPU, TP, the limits vLLM was launched with and the',
    "workload: constant-rate arrivals, the shared system prompts and each user's repeated question",
    '(prefixSharing with promptsPerGroup), the measured mean prompt length, output lengths with the',
    'measured mean and median. Training runs: Llama-2-7B TP1 and Llama-2-70B TP4 (`pnpm --filter',
    '@sim/validation fit-vllm-v1` reads only these, and fits only their stages that were not',
    'overloaded). Held out: Mixtral-8x7B TP2, a whole model the fit never read. Overloaded stages',
    '(requests failed at the client) are replayed whole with the 300 s client timeout, which did not',
    'abort requests on the server, and compared on the throughput of successful requests only, as the',
    'load generator counts it.',
    '',
    '| split | metric | stages | median |error| | p90 |error| | bias (median signed) | target (held-out median) |',
    '| --- | --- | --- | --- | --- | --- | --- |',
  ];
  for (const summary of summarizeVllmV1(results)) {
    if (summary.rows === 0) continue;
    const target =
      summary.split === 'held-out'
        ? `≤ ${summary.target}%: ${summary.median <= summary.target ? 'met' : '**missed**'}`
        : '–';
    lines.push(
      `| ${summary.split} | ${VLLM_V1_METRICS[summary.metric].label} | ${summary.rows} | ${percent(summary.median)} | ${percent(summary.p90)} | ${signed(summary.bias)} | ${target} |`,
    );
  }
  lines.push(
    '',
    '| stage | split | rate (req/s) | TTFT measured / predicted (ms) | error | E2E measured / predicted (s) | error | decode error | throughput measured / predicted (tok/s) | error |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
  );
  for (const { stage, predicted, errors } of results) {
    lines.push(
      `| ${stage.id.replace(/^\d+-\d+-/, '')} | ${stage.split} | ${stage.rate} | ${(stage.ttftS.median * 1e3).toFixed(1)} / ${(predicted.ttftMedianS * 1e3).toFixed(1)} | ${signed(errors.ttft)} | ${stage.e2eS.median.toFixed(2)} / ${predicted.e2eMedianS.toFixed(2)} | ${signed(errors.e2e)} | ${signed(errors.decode)} | ${stage.outputTokensPerSec.toFixed(0)} / ${predicted.outputTokensPerSec.toFixed(0)} | ${signed(errors.throughput)} |`,
    );
  }
  lines.push('');
  return lines;
}
