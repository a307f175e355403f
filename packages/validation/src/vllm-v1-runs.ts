import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LLMInferenceSimulator } from '@sim/engine';
import type { EngineProfile } from '@sim/perf-model';
import type { SimulatorConfig } from '@sim/specs';

/** Whether a row may steer a fit (`train`) or only check one (`held-out`). */
export type Split = 'train' | 'held-out';

/** Percentiles of one measured quantity, as inference-perf reports them (seconds or tokens). */
export interface MeasuredDistribution {
  readonly mean: number;
  readonly median: number;
  readonly p90: number;
  readonly p99: number;
}

/** One constant-rate stage of a measured vLLM V1 run, with the deployment and workload that reproduce it. */
export interface VllmV1Stage {
  /** Experiment id and stage index, e.g. `20260217-155451-llama-2-7b-tp1-codegen#1`. */
  readonly id: string;
  /** Workload profile (general, codegen, roleplay, reasoning), from the experiment id. */
  readonly profile: string;
  readonly split: Split;
  /** Model preset. */
  readonly model: string;
  readonly tensorParallelSize: number;
  readonly maxNumSeqs: number;
  readonly maxNumBatchedTokens: number;
  readonly maxModelLen: number;
  /** Shared system prompts and their length, in tokens. */
  readonly groups: number;
  readonly prefixLength: number;
  /** Users per system prompt, each repeating its own question (inference-perf num_users_per_system_prompt). */
  readonly usersPerGroup: number;
  readonly rate: number;
  readonly durationS: number;
  readonly successes: number;
  readonly failures: number;
  readonly ttftS: MeasuredDistribution;
  readonly e2eS: MeasuredDistribution;
  readonly promptLen: MeasuredDistribution;
  readonly outputLen: MeasuredDistribution;
  readonly outputTokensPerSec: number;
  readonly requestsPerSec: number;
}

/** Path of the committed copy of the runs (see its `derivedFrom` and `splitRule`). */
export const VLLM_V1_DATA = fileURLToPath(
  new URL('../data/vllm-v1-h100/stage-metrics.json', import.meta.url),
);

const MODELS: Readonly<Record<string, string>> = {
  'meta-llama/Llama-2-7b-hf': 'llama-2-7b',
  'meta-llama/Llama-2-70b-hf': 'llama-2-70b',
  'mistralai/Mixtral-8x7B-v0.1': 'mixtral-8x7b',
};

interface RawExperiment {
  experiment: string;
  model: string;
  tensorParallelSize: number;
  maxNumSeqs: number;
  maxNumBatchedTokens: number;
  maxModelLen: number;
  split: Split;
  workload: {
    num_unique_system_prompts: number;
    num_users_per_system_prompt: number;
    system_prompt_len: number;
  };
  stages: {
    rate: number;
    durationS: number;
    successes: number;
    failures: number;
    ttftS: MeasuredDistribution;
    e2eS: MeasuredDistribution;
    promptLen: MeasuredDistribution;
    outputLen: MeasuredDistribution;
    outputTokensPerSec: number;
    requestsPerSec: number;
  }[];
}

/**
 * The stages of the 12 vLLM V1 runs on H100 (inference-perf, Feb 2026), optionally only one split.
 * Fitting code passes `'train'`: it never sees a held-out row. `text` replaces the committed file
 * (tests use it to prove that deleting held-out rows leaves a fit unchanged).
 */
export function readVllmV1Stages(split?: Split, text = readFileSync(VLLM_V1_DATA, 'utf8')): VllmV1Stage[] {
  const data = JSON.parse(text) as { experiments: RawExperiment[] };
  const stages: VllmV1Stage[] = [];
  for (const experiment of data.experiments) {
    if (experiment.split !== 'train' && experiment.split !== 'held-out')
      throw new Error(`${experiment.experiment}: split must be "train" or "held-out"`);
    if (split !== undefined && experiment.split !== split) continue;
    const model = MODELS[experiment.model];
    if (model === undefined) throw new Error(`${experiment.experiment}: no preset for ${experiment.model}`);
    const profile = experiment.experiment.split('-').at(-1) ?? '';
    experiment.stages.forEach((stage, index) => {
      stages.push({
        id: `${experiment.experiment}#${index + 1}`,
        profile,
        split: experiment.split,
        model,
        tensorParallelSize: experiment.tensorParallelSize,
        maxNumSeqs: experiment.maxNumSeqs,
        maxNumBatchedTokens: experiment.maxNumBatchedTokens,
        maxModelLen: experiment.maxModelLen,
        groups: experiment.workload.num_unique_system_prompts,
        prefixLength: experiment.workload.system_prompt_len,
        usersPerGroup: experiment.workload.num_users_per_system_prompt,
        ...stage,
      });
    });
  }
  return stages;
}

/** Whether a stage was overloaded (requests failed: the client timed out). Compared on throughput only. */
export function isOverloaded(stage: VllmV1Stage): boolean {
  return stage.failures > 0;
}

/**
 * The load generator's request timeout: the overloaded runs' slowest successful requests took
 * 297–298 s end to end (p99), and their throughput is successful tokens over the stage plus 300 s.
 */
export const CLIENT_TIMEOUT_SECONDS = 300;

/** Simulated seconds of a stage replay (the steady state is reached within seconds; long stages are cut for speed). */
export const REPLAY_SECONDS = 240;
/** Requests arriving in the first seconds (empty prefix cache, empty batch) are left out of the statistics. */
export const REPLAY_WARMUP_SECONDS = 20;

/**
 * Request lengths matching a stage's measured prompt mean and output mean and median: prompts of
 * the mean length; outputs at the median length except a share q = 2 (1 − mean / median) spread
 * evenly over [1, median] (requests that stopped early: the 7B runs' outputs average 194 tokens
 * against a median of 247), which keeps both the median and the mean. Written once as a CSV of
 * 1,000 (input, output) rows for the `empirical` length distribution; returns its path.
 */
export function stageLengthsFile(stage: VllmV1Stage): string {
  const known = lengthsFiles.get(stage.id);
  if (known !== undefined) return known;
  const input = Math.round(stage.promptLen.mean);
  const median = Math.round(stage.outputLen.median);
  const early = Math.min(1, Math.max(0, 2 * (1 - stage.outputLen.mean / median)));
  const rows = ['input_tokens,output_tokens'];
  const count = 1000;
  for (let index = 0; index < count; index++) {
    const u = (index + 0.5) / count;
    const output = u < early ? 1 + Math.floor((u / early) * (median - 1)) : median;
    rows.push(`${input},${output}`);
  }
  const folder = join(tmpdir(), 'llm-sim-vllm-v1-lengths');
  mkdirSync(folder, { recursive: true });
  const file = join(folder, `${input}-${median}-${early.toFixed(6)}.csv`);
  if (!existsSync(file)) writeFileSync(file, `${rows.join('\n')}\n`);
  lengthsFiles.set(stage.id, file);
  return file;
}

/** Each stage's lengths file, once written (a fit replays every stage hundreds of times). */
const lengthsFiles = new Map<string, string>();

/**
 * The config that reproduces a stage with no more than a user knows: model, GPU, TP, the engine's
 * limits as launched (max_num_seqs, max_num_batched_tokens, max_model_len) and the workload
 * (constant-rate arrivals, the measured mean prompt length, the shared system prompts and each
 * user's repeated question — inference-perf's shared_prefix generator builds a fixed prompt per
 * user and cycles through them — and output lengths with the measured mean and median, see
 * {@link stageLengthsFile}).
 */
export function stageConfig(stage: VllmV1Stage, replaySeconds = REPLAY_SECONDS): SimulatorConfig {
  return {
    modelSpec: { name: stage.model, maxContextLength: stage.maxModelLen },
    clusterSpec: { gpuSpec: { name: 'H100-80GB' }, nGpusPerNode: stage.tensorParallelSize },
    parallelismSpec: { tensorParallelSize: stage.tensorParallelSize },
    schedulerSpec: { maxBatchSize: stage.maxNumSeqs, maxNumBatchedTokens: stage.maxNumBatchedTokens },
    workloadSpec: {
      arrivalProcess: 'deterministic',
      arrivalRate: stage.rate,
      lengthDistribution: { type: 'empirical', file: stageLengthsFile(stage) },
      // The runs' clients gave up at the timeout without the server aborting: the successful requests
      // are the early ones (median TTFT 90–110 s), and the server kept computing the rest.
      ...(isOverloaded(stage) ? { requestTimeoutS: CLIENT_TIMEOUT_SECONDS, abortOnTimeout: false } : {}),
      prefixSharing: {
        groups: stage.groups,
        prefixLength: stage.prefixLength,
        promptsPerGroup: stage.usersPerGroup,
      },
    },
    // An overloaded stage is replayed whole, with the client's timeout, and drained: its throughput
    // (successful requests' output tokens over the stage plus the timeout) is what is compared.
    ...(isOverloaded(stage)
      ? { simulationDurationS: stage.durationS, drain: true }
      : { simulationDurationS: Math.min(stage.durationS, replaySeconds) }),
    warmupS: REPLAY_WARMUP_SECONDS,
    engineProfile: 'vllm',
    seed: 42,
  };
}

/** What a replay predicts for a stage, in the measured units (seconds, requests/s, tokens/s). */
export interface StagePrediction {
  readonly ttftMedianS: number;
  readonly e2eMedianS: number;
  /** Median e2e − median TTFT: the decode time of the median request. */
  readonly decodeMedianS: number;
  readonly requestsPerSec: number;
  readonly outputTokensPerSec: number;
}

/** Replays a stage through the full engine, optionally with a custom engine profile (while fitting). */
export function predictStage(
  stage: VllmV1Stage,
  engine?: EngineProfile,
  replaySeconds = REPLAY_SECONDS,
): StagePrediction {
  const config = stageConfig(stage, replaySeconds);
  const statistics = new LLMInferenceSimulator(config)
    .run(engine === undefined ? {} : { engineProfile: engine })
    .computeStatistics();
  return {
    ttftMedianS: statistics.firstTokenLatency.p50,
    e2eMedianS: statistics.endToEndLatency.p50,
    decodeMedianS: statistics.endToEndLatency.p50 - statistics.firstTokenLatency.p50,
    requestsPerSec: statistics.requestsPerSec,
    // What the load generator counts: output tokens of successful requests, over its own window for
    // an overloaded stage (the stage plus the client timeout: the measured throughputs are exactly
    // the successful tokens / 1,500 s), not over T, which runs on while the server finishes the
    // requests it did not abort.
    outputTokensPerSec: isOverloaded(stage)
      ? ((statistics.completedOutputTokensPerSec ?? 0) * statistics.simulatedDurationS) /
        (stage.durationS + CLIENT_TIMEOUT_SECONDS)
      : statistics.throughputTokensPerSec,
  };
}
