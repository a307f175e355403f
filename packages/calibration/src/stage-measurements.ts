/** Percentiles of one measured quantity in a stage summary (seconds or tokens); `median` is required, the rest optional. */
export interface MeasuredDistribution {
  readonly mean?: number;
  readonly median: number;
  readonly p90?: number;
  readonly p99?: number;
}

/**
 * One measured load stage, summarized the way load generators report them (inference-perf's
 * per-stage lifecycle metrics): constant-rate arrivals for a duration, the launch limits of the
 * server and the workload's shared system prompts, and the measured distributions. Seconds and
 * tokens.
 */
export interface MeasuredStage {
  /** Where it came from: the experiment id and stage number, e.g. `run-1#2`. */
  readonly id: string;
  /** Arrival rate, requests/s (evenly spaced: inference-perf's constant load). */
  readonly rate: number;
  /** Stage length, seconds. */
  readonly durationS: number;
  /** Requests that completed. */
  readonly successes: number;
  /** Requests that errored or timed out at the client (> 0 marks the stage overloaded). */
  readonly failures: number;
  /** Time to first token of the successful requests, seconds. */
  readonly ttftS: MeasuredDistribution;
  /** Request latency (arrival to last token) of the successful requests, seconds. */
  readonly e2eS: MeasuredDistribution;
  /** Prompt tokens (its mean is what the replay sends; the other statistics are optional). */
  readonly promptLen: Partial<MeasuredDistribution> & { readonly mean: number };
  /** Output tokens (mean and median: see the replay's lengths). */
  readonly outputLen: MeasuredDistribution & { readonly mean: number };
  /** Output tokens/s of the successful requests over the load generator's window. */
  readonly outputTokensPerSec: number;
  /** Server limit on running sequences (vLLM max_num_seqs), when the run states it. */
  readonly maxNumSeqs?: number;
  /** Server token budget per iteration (vLLM max_num_batched_tokens), when stated. */
  readonly maxNumBatchedTokens?: number;
  /** Server context limit (vLLM max_model_len), when stated. */
  readonly maxModelLen?: number;
  /** Shared system prompts: how many, their length in tokens, and users per prompt (each repeating one question). */
  readonly groups?: number;
  readonly prefixLength?: number;
  readonly usersPerGroup?: number;
}

/** A stage-summary measurement file, read: one experiment's stages. */
export interface StageMeasurements {
  /** The file name, as given. */
  readonly file: string;
  readonly format: 'stage-summaries';
  /** The experiment's id. */
  readonly experiment: string;
  /** The model the experiment names (e.g. a Hugging Face id), when it names one. */
  readonly model?: string;
  /** Tensor-parallel size the experiment names, when it does. */
  readonly tensorParallelSize?: number;
  readonly stages: readonly MeasuredStage[];
  /** What was assumed or left out while reading. */
  readonly notes: readonly string[];
}

/** Whether a stage was overloaded (requests failed at the client): compared on throughput, not latency. */
export function isOverloaded(stage: Pick<MeasuredStage, 'failures'>): boolean {
  return stage.failures > 0;
}
