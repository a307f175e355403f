import type { ConfigInput } from './config-input';
import type { BUILT_IN_ARRIVAL_PROCESSES } from './name-registry';
/**
 * How requests arrive:
 * - `poisson`: exponential inter-arrival gaps with mean 1 / arrivalRate.
 * - `deterministic`: exactly 1 / arrivalRate apart.
 * - `gamma`: gamma-distributed gaps with mean 1 / arrivalRate and coefficient of variation `burstinessCv` (> 1 is burstier than Poisson).
 * - `trace`: the timestamps of `traceFile` (scaled by `traceTimeScale`).
 * - `closed-loop`: `concurrency` clients, each sending its next request when its last one finishes (plus `thinkTimeS`).
 */
/** How requests arrive: a built-in process, or a name registered with @sim/engine's registerArrivalProcess. */
export type ArrivalProcess = (typeof BUILT_IN_ARRIVAL_PROCESSES)[number] | (string & {});

/**
 * How input and output lengths are drawn (each with its own mean, avgInputLength / avgOutputLength):
 * - `fixed`: every request exactly the averages.
 * - `uniform`: uniform on [avg·(1 − spread), avg·(1 + spread)].
 * - `normal`: normal with standard deviation cv·avg, truncated below at 1.
 * - `lognormal`: lognormal with the given mean and coefficient of variation cv (long tail).
 * - `zipf`: P(length = l) ∝ l^−exponent on 1..L, L chosen so that the mean is the average.
 * - `empirical`: (input, output) pairs drawn at random from a CSV (`file`, or the workload's traceFile).
 */
export type LengthDistribution =
  | { readonly type: 'fixed' }
  | { readonly type: 'uniform'; readonly spread: number }
  | { readonly type: 'normal'; readonly cv: number }
  | { readonly type: 'lognormal'; readonly cv: number }
  | { readonly type: 'zipf'; readonly exponent: number }
  | { readonly type: 'empirical'; readonly file: string };

/** Length distribution as the user writes it: a name (defaults for its parameters) or an object with some parameters. */
export type LengthDistributionInput =
  | LengthDistribution['type']
  | { readonly type: 'fixed' }
  | { readonly type: 'uniform'; readonly spread?: number }
  | { readonly type: 'normal'; readonly cv?: number }
  | { readonly type: 'lognormal'; readonly cv?: number }
  | { readonly type: 'zipf'; readonly exponent?: number }
  | { readonly type: 'empirical'; readonly file?: string };

/**
 * Shared prompt prefixes (system prompts shared by groups of users): each request starts with one
 * of `groups` prefixes of `prefixLength` tokens, chosen uniformly at random; the rest of its prompt
 * is its own. The prefix counts in the request's input length (a request shorter than the prefix
 * is all prefix).
 */
export interface PrefixSharing {
  /** Number of distinct shared prefixes. */
  readonly groups: number;
  /** Tokens in each shared prefix. */
  readonly prefixLength: number;
  /**
   * When set, each group has this many complete prompts (its prefix plus one user's question) that
   * requests reuse: a request picks one of its group's prompts uniformly, and every request of that
   * prompt has the same input tokens (the prompt's length is drawn once). This is inference-perf's
   * `shared_prefix` workload (num_users_per_system_prompt users per system prompt, each repeating
   * its question). Default: every request's question is its own.
   */
  readonly promptsPerGroup?: number;
}

/** Turns (requests) per session: a fixed number, uniform integers in [min, max], or geometric with a mean (≥ 1). */
export type TurnCount =
  | { readonly type: 'fixed'; readonly value: number }
  | { readonly type: 'uniform'; readonly min: number; readonly max: number }
  | { readonly type: 'geometric'; readonly mean: number };

/** A pause in seconds: fixed, uniform in [min, max], or exponential with a mean. */
export type ThinkTime =
  | { readonly type: 'fixed'; readonly value: number }
  | { readonly type: 'uniform'; readonly min: number; readonly max: number }
  | { readonly type: 'exponential'; readonly mean: number };

/**
 * Multi-turn conversations (chat and agentic workloads). The open-loop arrivals (`arrivalRate`,
 * `arrivalProcess`, `stages`) start sessions. A session's first turn is a request as any other;
 * its turn k + 1 is sent `thinkTimeS` after turn k's last token and sends the whole conversation so
 * far (every earlier prompt and answer) plus a new question whose length, like the answer's, is
 * drawn from the workload's length distribution (`avgInputLength`, `avgOutputLength`). With
 * `prefixSharing` (groups only) every turn of a session starts with its group's shared prefix. A
 * session ends after its turns, or at a turn that fails (rejected, timed out); no turn is sent
 * after `simulationDurationS` or once `numRequests` requests (turns) were sent. With prefix caching
 * a follow-up turn can hit the blocks its previous turn left cached (prompt and answer) on the
 * replica that served it.
 */
export interface Sessions {
  /** Turns (requests) per session, drawn once per session. */
  readonly turnsPerSession: TurnCount;
  /** Seconds between a turn's last token and the session's next question, drawn per turn. */
  readonly thinkTimeS: ThinkTime;
}

/** {@link Sessions} as written: a plain number means `{ type: 'fixed', value }`. */
export interface SessionsInput {
  turnsPerSession: number | TurnCount;
  thinkTimeS: number | ThinkTime;
}

/** One load stage: requests arrive at `rate` per second for `durationS` seconds. */
export interface LoadStage {
  /** Arrival rate during the stage, in requests per second. */
  readonly rate: number;
  /** Length of the stage, in seconds. */
  readonly durationS: number;
}

/** The traffic offered to the deployment, fully resolved. */
export interface ResolvedWorkloadSpec {
  /** Mean prompt length, in tokens. Default 512. */
  readonly avgInputLength: number;
  /** Mean number of generated tokens per request. Default 128. */
  readonly avgOutputLength: number;
  /** Mean arrival rate, in requests per second (open-loop processes). Default 2. */
  readonly arrivalRate: number;
  /** Arrival process. Default `poisson`. */
  readonly arrivalProcess: ArrivalProcess;
  /** Gamma arrivals: coefficient of variation of the inter-arrival gaps (1 = Poisson). Default 2. */
  readonly burstinessCv: number;
  /** Closed-loop arrivals: number of concurrent clients. Default 8. */
  readonly concurrency: number;
  /** Closed-loop arrivals: pause between a response and the client's next request, in seconds. Default 0. */
  readonly thinkTimeS: number;
  /** Distribution of input/output lengths. Default `fixed`. */
  readonly lengthDistribution: LengthDistribution;
  /** Stop generating arrivals after this many requests (in addition to the duration limit). */
  readonly numRequests?: number;
  /**
   * Trace of requests, CSV or JSON Lines: arrival time in seconds (optional column), input tokens,
   * output tokens; optionally `session_id` and `hash_ids` (Mooncake's chained prompt-block hashes).
   * See `parseTrace`.
   */
  readonly traceFile?: string;
  /** Multiply the trace's arrival times by this factor (0.5 replays twice as fast). Default 1. */
  readonly traceTimeScale: number;
  /**
   * Prompt tokens each of a trace's `hash_ids` names, in tokens (Mooncake's traces: 512). A replay
   * with prefix caching keys each KV block by the id covering its last token, so requests share
   * exactly the blocks their common leading ids cover. Default 512; present whenever `traceFile` is.
   */
  readonly traceHashBlockTokens?: number;
  /**
   * Client timeout, in seconds: a request not finished this long after it was sent is abandoned by
   * its client, aborted by the server (its KV blocks freed, its tokens so far wasted) and counted in
   * `statistics.timedOutRequests`, as benchmark clients (inference-perf, vLLM bench) and real users
   * do. Default none: clients wait forever.
   */
  readonly requestTimeoutS?: number;
  /**
   * With requestTimeoutS: whether the server aborts a timed-out request (true: vLLM aborts a
   * request whose client disconnects, freeing its KV blocks) or keeps computing it to the end,
   * wasting that work (false: a client that gives up without closing its connection — what the
   * overloaded inference-perf runs of the vLLM V1 calibration data show). Either way the request
   * counts as timed out. Default true.
   */
  readonly abortOnTimeout: boolean;
  /** Shared prompt prefixes (see {@link PrefixSharing}). Default none: every prompt is its own. */
  readonly prefixSharing?: PrefixSharing;
  /**
   * Back-to-back load stages (as load generators such as inference-perf run them): stage i's
   * requests arrive at its `rate` (with `arrivalProcess` `poisson` or `deterministic`) from the end
   * of stage i − 1 for its `durationS`. Statistics are reported per stage as well as overall
   * (`statistics.stages`). With stages, `arrivalRate` is not used and simulationDurationS defaults
   * to the stages' total. Default none.
   */
  readonly stages?: readonly LoadStage[];
  /** Multi-turn sessions (see {@link Sessions}). Default none: every request stands alone. */
  readonly sessions?: Sessions;
}

/** The workload as the user writes it; every field has a default. */
export type WorkloadSpec = ConfigInput<Omit<ResolvedWorkloadSpec, 'lengthDistribution' | 'sessions'>> & {
  lengthDistribution?: LengthDistributionInput;
  /** Multi-turn sessions; plain numbers are fixed values (see {@link Sessions}). */
  sessions?: SessionsInput;
  /**
   * Static batching: requests per batch. The original quick-start's spelling of
   * `schedulerSpec.staticBatchSize` (a scheduler setting, where it resolves to); giving both with
   * different values is an error.
   */
  batchSize?: number;
};
