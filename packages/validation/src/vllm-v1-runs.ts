import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  isOverloaded,
  type MeasuredStage,
  replayStage,
  STAGE_REPLAY_DEFAULTS,
  type StagePrediction,
  stageReplayConfig,
} from '@sim/calibration';
import type { EngineProfile } from '@sim/perf-model';
import type { EngineProfileName, SimulatorConfig } from '@sim/specs';

export type { StagePrediction };

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
export interface VllmV1Stage extends MeasuredStage {
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

/** The numbers of a raw stage (inference-perf's summary, as the committed file holds it). */
const STAGE_NUMBERS = [
  'rate',
  'durationS',
  'successes',
  'failures',
  'outputTokensPerSec',
  'requestsPerSec',
] as const;
const STAGE_DISTRIBUTIONS = ['ttftS', 'e2eS', 'promptLen', 'outputLen'] as const;
const EXPERIMENT_NUMBERS = [
  'tensorParallelSize',
  'maxNumSeqs',
  'maxNumBatchedTokens',
  'maxModelLen',
] as const;
const WORKLOAD_NUMBERS = [
  'num_unique_system_prompts',
  'num_users_per_system_prompt',
  'system_prompt_len',
] as const;

type RawStage = Record<(typeof STAGE_NUMBERS)[number], number> &
  Record<(typeof STAGE_DISTRIBUTIONS)[number], MeasuredDistribution>;

type RawExperiment = Record<(typeof EXPERIMENT_NUMBERS)[number], number> & {
  readonly experiment: string;
  readonly model: string;
  /** `train` or `held-out` (checked when read). */
  readonly split: string;
  readonly workload: Record<(typeof WORKLOAD_NUMBERS)[number], number>;
  readonly stages: readonly RawStage[];
};

const isRecord = (value: unknown): value is JsonObject => typeof value === 'object' && value !== null;

type JsonObject = Readonly<Record<string, unknown>>;

/** Whether the object's `keys` are numbers. */
function hasNumbers<K extends string>(
  value: JsonObject,
  keys: readonly K[],
): value is JsonObject & Record<K, number> {
  return keys.every((key) => typeof value[key] === 'number');
}

const isDistribution = (value: unknown): value is MeasuredDistribution =>
  isRecord(value) && hasNumbers(value, ['mean', 'median', 'p90', 'p99']);

function isRawStage(value: unknown): value is RawStage {
  return (
    isRecord(value) &&
    hasNumbers(value, STAGE_NUMBERS) &&
    STAGE_DISTRIBUTIONS.every((key) => isDistribution(value[key]))
  );
}

function isRawExperiment(value: unknown): value is RawExperiment {
  return (
    isRecord(value) &&
    hasNumbers(value, EXPERIMENT_NUMBERS) &&
    typeof value.experiment === 'string' &&
    typeof value.model === 'string' &&
    typeof value.split === 'string' &&
    isRecord(value.workload) &&
    hasNumbers(value.workload, WORKLOAD_NUMBERS) &&
    Array.isArray(value.stages) &&
    value.stages.every(isRawStage)
  );
}

/** The experiments of the committed runs file (its text). */
function readExperiments(text: string): readonly RawExperiment[] {
  const data: unknown = JSON.parse(text);
  const experiments = isRecord(data) ? data.experiments : undefined;
  if (!Array.isArray(experiments) || !experiments.every(isRawExperiment))
    throw new Error('vLLM V1 runs: expected { "experiments": [...] } of inference-perf stage summaries');
  return experiments;
}

/**
 * The stages of the 12 vLLM V1 runs on H100 (inference-perf, Feb 2026), optionally only one split.
 * Fitting code passes `'train'`: it never sees a held-out row. `text` replaces the committed file
 * (tests use it to prove that deleting held-out rows leaves a fit unchanged).
 */
export function readVllmV1Stages(split?: Split, text = readFileSync(VLLM_V1_DATA, 'utf8')): VllmV1Stage[] {
  const stages: VllmV1Stage[] = [];
  for (const experiment of readExperiments(text)) {
    const experimentSplit = experiment.split;
    if (experimentSplit !== 'train' && experimentSplit !== 'held-out')
      throw new Error(`${experiment.experiment}: split must be "train" or "held-out"`);
    if (split !== undefined && experimentSplit !== split) continue;
    const model = MODELS[experiment.model];
    if (model === undefined) throw new Error(`${experiment.experiment}: no preset for ${experiment.model}`);
    const profile = experiment.experiment.split('-').at(-1) ?? '';
    experiment.stages.forEach((stage, index) => {
      stages.push({
        id: `${experiment.experiment}#${index + 1}`,
        profile,
        split: experimentSplit,
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
export { isOverloaded };

/**
 * The load generator's request timeout: the overloaded runs' slowest successful requests took
 * 297–298 s end to end (p99), and their throughput is successful tokens over the stage plus 300 s.
 */
export const CLIENT_TIMEOUT_SECONDS = STAGE_REPLAY_DEFAULTS.clientTimeoutS;

/** Simulated seconds of a stage replay (the steady state is reached within seconds; long stages are cut for speed). */
export const REPLAY_SECONDS = STAGE_REPLAY_DEFAULTS.replaySeconds;
/** Requests arriving in the first seconds (empty prefix cache, empty batch) are left out of the statistics. */
export const REPLAY_WARMUP_SECONDS = STAGE_REPLAY_DEFAULTS.warmupS;

/**
 * The deployment of a stage with no more than a user knows: model, H100, TP and the default
 * `vllm` profile (`engineProfile` replaces it: the calibration-transfer check starts from
 * `vllm-v0`, with the V1 scheduler the runs used).
 */
export function stageDeployment(
  stage: VllmV1Stage,
  engineProfile: EngineProfileName = 'vllm',
): SimulatorConfig {
  return {
    modelSpec: { name: stage.model },
    clusterSpec: { gpuSpec: { name: 'H100-80GB' }, nGpusPerNode: stage.tensorParallelSize },
    parallelismSpec: { tensorParallelSize: stage.tensorParallelSize },
    engineProfile,
    ...(engineProfile === 'vllm'
      ? {}
      : { schedulerSpec: { chunkedPrefill: true, enablePrefixCaching: true } }),
    seed: 42,
  };
}

/**
 * The config that reproduces a stage with no more than a user knows: {@link stageDeployment}, the
 * engine's limits as launched (max_num_seqs, max_num_batched_tokens, max_model_len) and the
 * workload (@sim/calibration's stageReplayConfig: constant-rate arrivals, the measured mean prompt
 * length, the shared system prompts and each user's repeated question, output lengths with the
 * measured mean and median).
 */
export function stageConfig(stage: VllmV1Stage, replaySeconds = REPLAY_SECONDS): SimulatorConfig {
  return stageReplayConfig(stageDeployment(stage), stage, { replaySeconds });
}

/** Replays a stage through the full engine, optionally with a custom engine profile (while fitting). */
export function predictStage(
  stage: VllmV1Stage,
  engine?: EngineProfile,
  replaySeconds = REPLAY_SECONDS,
): StagePrediction {
  return replayStage(stageDeployment(stage), stage, {
    replaySeconds,
    ...(engine === undefined ? {} : { engineProfile: engine }),
  });
}
