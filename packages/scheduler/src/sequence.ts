/**
 * Lifecycle of a request inside one replica's scheduler: `finished` when its last token was
 * produced, `aborted` when `BatchingPolicy.abort` removed it before that (a client timeout).
 */
export type SequenceStatus = 'waiting' | 'prefilling' | 'decoding' | 'swapped' | 'finished' | 'aborted';

/**
 * One request as the scheduler sees it. The engine creates it; the scheduler mutates its
 * progress fields. Token counts are in tokens, times in seconds.
 */
export class Sequence {
  /** Unique id (arrival order across the simulation). */
  readonly id: number;
  /** Arrival time at the replica. */
  readonly arrivalTime: number;
  /** Prompt length. */
  readonly inputTokens: number;
  /** Tokens to generate. */
  readonly outputTokens: number;
  status: SequenceStatus = 'waiting';
  /** Tokens generated so far. */
  generated = 0;
  /** Length of the current prefill (the prompt, or prompt + generated tokens after a recompute preemption). */
  prefillLength = 0;
  /** Tokens of the current prefill already processed. */
  prefilled = 0;
  /** KV blocks held on the GPU. */
  blocks = 0;
  /** While decoding: KV length right after iteration `decodeBaseIteration`. */
  kvLengthBase = 0;
  /** While decoding: the iteration that produced the state in `kvLengthBase`. */
  decodeBaseIteration = 0;
  /** While decoding: the iteration at which the last token is produced. */
  finishIteration = 0;
  /** While swapped: KV length held in host memory (or, with `kvTransferred`, arriving from another instance). */
  swappedKvLength = 0;
  /** Its KV cache came from another instance (disaggregated prefill): its swap-in moves nothing over the host link. */
  kvTransferred = false;
  /** Times this sequence was preempted. */
  preemptions = 0;
  /** First time it was scheduled (NaN until then). */
  firstScheduledTime = Number.NaN;
  /** Time of the first generated token (NaN until then). */
  firstTokenTime = Number.NaN;
  /** Bumped whenever the sequence enters or leaves a decode pool (invalidates stale heap entries). */
  decodeEpoch = 0;
  /** Admission order within the scheduler (for FCFS and preemption order); set on admission. */
  admissionOrder = 0;
  /** Scheduler bookkeeping: the sequence's slot in its `WaitingQueue`'s heap, −1 when not queued. */
  waitingSlot = -1;
  /**
   * Whether the request counts in latency statistics (false for requests that arrive during the
   * warm-up). Set by the engine; policies only count it (see `SchedulerEvents.onDecodeStep`).
   */
  measured = true;
  /**
   * Shared-prefix group of the prompt (`workloadSpec.prefixSharing`): requests of one group have
   * identical first `sharedPrefixTokens` tokens; −1 when the prompt shares nothing by construction.
   * Set by the engine before `enqueue`; the prefix cache keys blocks on it.
   */
  prefixGroup = -1;
  /** Leading prompt tokens identical across `prefixGroup` (0 when `prefixGroup` is −1). */
  sharedPrefixTokens = 0;
  /**
   * Identity of the whole prompt when it repeats across requests (`prefixSharing.promptsPerGroup`):
   * sequences with the same `promptKey` ≥ 0 have identical prompts (and the same `prefixGroup`);
   * −1 when the prompt beyond the shared prefix is the sequence's own.
   */
  promptKey = -1;
  /**
   * The prompt's hash ids from a trace (Mooncake's `hash_ids`, renumbered 0, 1, … in order of first
   * appearance): id k names the prompt's tokens [k·hashBlockTokens, (k + 1)·hashBlockTokens) and
   * everything before them, so sequences whose id k is the same share those leading tokens. When set,
   * the prefix cache keys the blocks they cover by them (see `hashRunStart`) instead of `prefixGroup`
   * and `promptKey`; undefined otherwise.
   */
  hashIds: Int32Array | undefined = undefined;
  /** Prompt tokens each of `hashIds` names (0 without hash ids). */
  hashBlockTokens = 0;
  /**
   * The token stream `promptKey` names continues with this sequence's generated tokens: a session's
   * next turn resends them. When it finishes, its full blocks of generated tokens stay cached under
   * `promptKey` (as vLLM V1 caches every full block of a finished request), for that turn to hit.
   */
  outputCached = false;
  /**
   * Prompt tokens an earlier turn of its session sent or generated (what the replica that served
   * that turn may still hold); 0 for a first turn or a request outside a session.
   */
  sessionContextTokens = 0;
  /** Prompt tokens served from the prefix cache at the sequence's first admission (not recomputed). */
  cachedPromptTokens = 0;
  /**
   * Of `cachedPromptTokens`, those loaded from host memory (`schedulerSpec.kvOffload`: blocks the
   * GPU had evicted) rather than found on the GPU.
   */
  hostPromptTokens = 0;
  /**
   * Of the KV blocks the sequence holds, the leading ones held through the prefix cache
   * (reference-counted, possibly shared); the rest are private. 0 without prefix caching.
   */
  cachedBlocks = 0;
  /** Engine bookkeeping for inter-token gaps: time of a token the engine knows this sequence produced. */
  tokenTime = Number.NaN;
  /** Engine bookkeeping for inter-token gaps: which group of sequences `tokenTime` belongs to. */
  tokenGroup = -1;

  constructor(id: number, arrivalTime: number, inputTokens: number, outputTokens: number) {
    this.id = id;
    this.arrivalTime = arrivalTime;
    this.inputTokens = inputTokens;
    this.outputTokens = outputTokens;
    this.prefillLength = inputTokens;
  }

  /** KV length (tokens cached on the GPU) after iteration `iteration`, while decoding. */
  kvLengthAt(iteration: number): number {
    return this.kvLengthBase + (iteration - this.decodeBaseIteration);
  }
}

/** Blocks needed to hold `tokens` tokens. */
export function blocksFor(tokens: number, blockSize: number): number {
  return Math.ceil(tokens / blockSize);
}
