import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LLMInferenceSimulator } from '@sim/engine';
import type { EngineProfile } from '@sim/perf-model';
import { camelizeKeys, type SimulatorConfig } from '@sim/specs';
import { isOverloaded, type MeasuredStage } from './stage-measurements';

/** How a measured stage is replayed. */
export interface StageReplayOptions {
  /** Simulated seconds of a stage that was not overloaded (its steady state comes within seconds; long stages are cut for speed). Default 240. */
  readonly replaySeconds?: number;
  /** Requests arriving in the first seconds (empty prefix cache, empty batch) are left out of the statistics. Default 20. */
  readonly warmupS?: number;
  /**
   * The load generator's request timeout, seconds, for overloaded stages (default 300: the vLLM V1
   * runs' slowest successful requests took 297–298 s, and their throughput is the successful
   * tokens over the stage plus 300 s).
   */
  readonly clientTimeoutS?: number;
}

/** Defaults of {@link StageReplayOptions}. */
export const STAGE_REPLAY_DEFAULTS: Required<StageReplayOptions> = {
  replaySeconds: 240,
  warmupS: 20,
  clientTimeoutS: 300,
};

/** Each stage's lengths file, once written (a fit replays every stage hundreds of times). */
const lengthsFiles = new Map<string, string>();

/**
 * Request lengths matching a stage's measured prompt mean and output mean and median: prompts of
 * the mean length; outputs at the median length except a share q = 2 (1 − mean / median) spread
 * evenly over [1, median] (requests that stopped early: the 7B runs' outputs average 194 tokens
 * against a median of 247), which keeps both the median and the mean. Written once as a CSV of
 * 1,000 (input, output) rows for the `empirical` length distribution, in the system's temporary
 * folder (Node only); returns its path.
 */
export function stageLengthsFile(stage: Pick<MeasuredStage, 'promptLen' | 'outputLen'>): string {
  const input = Math.round(stage.promptLen.mean);
  const median = Math.round(stage.outputLen.median);
  const early = Math.min(1, Math.max(0, 2 * (1 - stage.outputLen.mean / median)));
  const key = `${input}-${median}-${early.toFixed(6)}`;
  const known = lengthsFiles.get(key);
  if (known !== undefined) return known;
  const rows = ['input_tokens,output_tokens'];
  const count = 1000;
  for (let index = 0; index < count; index++) {
    const u = (index + 0.5) / count;
    const output = u < early ? 1 + Math.floor((u / early) * (median - 1)) : median;
    rows.push(`${input},${output}`);
  }
  const folder = join(tmpdir(), 'llm-sim-vllm-v1-lengths');
  mkdirSync(folder, { recursive: true });
  const file = join(folder, `${key}.csv`);
  if (!existsSync(file)) writeFileSync(file, `${rows.join('\n')}\n`);
  lengthsFiles.set(key, file);
  return file;
}

/**
 * The config that replays a measured stage on `deployment` (model, GPU, parallelism, scheduler,
 * engine profile; its workload, duration and warm-up are replaced): the server's limits as the
 * stage states them (max_num_seqs → maxBatchSize, max_num_batched_tokens, max_model_len →
 * maxContextLength), constant-rate arrivals at the stage's rate, prompts of the measured mean
 * length, outputs with its mean and median ({@link stageLengthsFile}), and the shared system
 * prompts with each user's repeated question (inference-perf's shared_prefix generator builds a
 * fixed prompt per user and cycles through them). A stage that was not overloaded is replayed for
 * `replaySeconds`; an overloaded one whole and drained, with the client's timeout (the clients gave
 * up without the server aborting: the successful requests are the early ones).
 */
export function stageReplayConfig(
  deployment: SimulatorConfig,
  stage: MeasuredStage,
  options: StageReplayOptions = {},
): SimulatorConfig {
  const { replaySeconds, warmupS, clientTimeoutS } = { ...STAGE_REPLAY_DEFAULTS, ...options };
  const {
    workloadSpec: _workload,
    simulationDurationS: _duration,
    warmupS: _warmup,
    drain: _drain,
    ...base
  } = camelizeKeys(deployment);
  const overloaded = isOverloaded(stage);
  return {
    ...base,
    ...(stage.maxModelLen === undefined || base.modelSpec === undefined
      ? {}
      : { modelSpec: { ...base.modelSpec, maxContextLength: stage.maxModelLen } }),
    schedulerSpec: {
      ...base.schedulerSpec,
      ...(stage.maxNumSeqs === undefined ? {} : { maxBatchSize: stage.maxNumSeqs }),
      ...(stage.maxNumBatchedTokens === undefined ? {} : { maxNumBatchedTokens: stage.maxNumBatchedTokens }),
    },
    workloadSpec: {
      arrivalProcess: 'deterministic',
      arrivalRate: stage.rate,
      lengthDistribution: { type: 'empirical', file: stageLengthsFile(stage) },
      ...(overloaded ? { requestTimeoutS: clientTimeoutS, abortOnTimeout: false } : {}),
      ...(stage.groups === undefined || stage.prefixLength === undefined
        ? {}
        : {
            prefixSharing: {
              groups: stage.groups,
              prefixLength: stage.prefixLength,
              ...(stage.usersPerGroup === undefined ? {} : { promptsPerGroup: stage.usersPerGroup }),
            },
          }),
    },
    ...(overloaded
      ? { simulationDurationS: stage.durationS, drain: true }
      : { simulationDurationS: Math.min(stage.durationS, replaySeconds) }),
    warmupS,
    seed: base.seed ?? 42,
  };
}

/** What a replay predicts for a stage, in the measured units (seconds, requests/s, tokens/s). */
export interface StagePrediction {
  readonly ttftMedianS: number;
  readonly e2eMedianS: number;
  /** Median e2e − median TTFT: the decode time of the median request. */
  readonly decodeMedianS: number;
  readonly requestsPerSec: number;
  /** Output tokens/s as the load generator counts them (see {@link replayStage}). */
  readonly outputTokensPerSec: number;
}

/**
 * Replays a measured stage through the full engine ({@link stageReplayConfig}), optionally with an
 * engine profile in place of the config's (while fitting). Throughput is what the load generator
 * counts: output tokens of successful requests, over its own window for an overloaded stage (the
 * stage plus the client timeout), not over the simulated duration, which runs on while the server
 * finishes the requests it did not abort.
 */
export function replayStage(
  deployment: SimulatorConfig,
  stage: MeasuredStage,
  options: StageReplayOptions & { readonly engineProfile?: EngineProfile } = {},
): StagePrediction {
  const { engineProfile, ...replay } = options;
  const config = stageReplayConfig(deployment, stage, replay);
  const statistics = new LLMInferenceSimulator(config)
    .run(engineProfile === undefined ? {} : { engineProfile })
    .computeStatistics();
  const clientTimeoutS = replay.clientTimeoutS ?? STAGE_REPLAY_DEFAULTS.clientTimeoutS;
  return {
    ttftMedianS: statistics.firstTokenLatency.p50,
    e2eMedianS: statistics.endToEndLatency.p50,
    decodeMedianS: statistics.endToEndLatency.p50 - statistics.firstTokenLatency.p50,
    requestsPerSec: statistics.requestsPerSec,
    outputTokensPerSec: isOverloaded(stage)
      ? ((statistics.completedOutputTokensPerSec ?? 0) * statistics.simulatedDurationS) /
        (stage.durationS + clientTimeoutS)
      : statistics.throughputTokensPerSec,
  };
}
