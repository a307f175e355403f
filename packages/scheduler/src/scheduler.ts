import type { BatchShape, ResolvedSchedulerSpec } from '@sim/specs';
import type { BlockManager } from './block-manager';
import type { Sequence } from './sequence';

/** Everything a policy needs to know, fixed for the run. */
export interface SchedulerOptions extends ResolvedSchedulerSpec {
  /** KV blocks available to this scheduler (from @sim/perf-model's memory plan). */
  readonly totalBlocks: number;
  /**
   * Blocks of host memory this scheduler keeps evicted prefix-cache blocks in
   * (`schedulerSpec.kvOffload`, sized by the engine from the memory plan: see @sim/perf-model's
   * `offloadCapacityBlocks`). Used with `enablePrefixCaching` only; absent or 0: evicted blocks are
   * forgotten.
   */
  readonly offloadBlocks?: number;
}

/**
 * The next iteration a policy wants to run: the batch's shape for the cost model, plus the KV
 * blocks moved to or from host memory (swap preemption, offloaded prefix hits), which the engine
 * turns into time.
 * Policies reuse one plan object; read it before calling `complete`.
 */
export interface IterationPlan extends BatchShape {
  prefillChunks: number[];
  prefillContexts: number[];
  decodeSequences: number;
  decodeContextTokens: number;
  sampledSequences: number;
  /** KV blocks swapped out or in during this iteration. */
  swapBlocks: number;
  /**
   * KV blocks loaded from host memory for prefix hits on offloaded blocks (`schedulerSpec.kvOffload`)
   * before this iteration's forward pass. Writes to host memory are not counted (they overlap compute).
   */
  offloadLoadBlocks: number;
}

/** What happened to sequences when an iteration completed (the engine's metrics listen here). */
export interface SchedulerEvents {
  /** A sequence produced its first token. */
  onFirstToken(sequence: Sequence, time: number): void;
  /** A sequence produced its last token and left. */
  onFinish(sequence: Sequence, time: number): void;
  /** A sequence was evicted (recompute or swap). Fired first in `complete`, for victims chosen while planning. */
  onPreempt(sequence: Sequence, time: number): void;
  /**
   * A swapped-out sequence came back into this iteration's decode batch (fired right after the
   * preemptions, before `onDecodeStep`; `time` is the iteration's end). It produces no token now.
   */
  onSwapIn?(sequence: Sequence, time: number): void;
  /** A recompute-preempted sequence's prefill finished and produced its next token at `time` (where a first token would be reported). */
  onRecomputed?(sequence: Sequence, time: number): void;
  /**
   * `sequences` decoding sequences each produced one token at `time` (`measuredSequences` of them
   * have `measured` set). Fired once per iteration that decodes, after preemptions and swap-ins and
   * before finishes and first tokens. Padded slots of static batches are not counted.
   */
  onDecodeStep?(time: number, sequences: number, measuredSequences: number): void;
}

/**
 * A batching policy: given its waiting queue, running set and KV blocks, decides each iteration.
 * Deterministic: the same calls in the same order give the same plans.
 */
export interface BatchingPolicy {
  readonly name: string;
  readonly blocks: BlockManager;
  /** Sequences waiting to be admitted (including recompute-preempted ones). */
  readonly waitingCount: number;
  /** Sequences admitted and not finished (prefilling, decoding or swapped). */
  readonly runningCount: number;
  /** Adds an arrived sequence to the waiting queue. */
  enqueue(sequence: Sequence, now: number): void;
  /**
   * Takes over a sequence whose KV cache (`swappedKvLength` tokens: its prompt and the tokens it
   * generated elsewhere, `generated` of them) arrives from another instance (disaggregated
   * prefill): admitted like a swap-in, before new requests, when its blocks fit, and decoded from
   * there; the transfer's time was spent before this call. Optional: only policies that keep KV
   * blocks across iterations (continuous batching) implement it.
   */
  enqueueTransferred?(sequence: Sequence): void;
  /** Plans the next iteration at time `now`; undefined when there is nothing to run yet. */
  plan(now: number): IterationPlan | undefined;
  /** When idle, the time at which a batching timeout will make `plan` return a batch (Infinity if none). */
  nextWakeTime(): number;
  /** Applies the planned iteration, which ended at `endTime`, reporting first tokens, finishes and preemptions. */
  complete(endTime: number, events: SchedulerEvents): void;
  /**
   * Removes a sequence that is waiting, prefilling, decoding or swapped (its client gave up),
   * freeing its KV blocks — to the prefix cache when caching is on, as a finish would — and
   * returns true, leaving it `aborted`; returns false (changing nothing) if it already finished.
   * Called only between iterations (never while an iteration that includes it is in flight). Its
   * tokens so far stay generated; no event is reported. Optional: policies whose batches run to
   * completion (static, dynamic) do not abort.
   */
  abort?(sequence: Sequence): boolean;
  /**
   * Optional fast path for steady decoding. When nothing is waiting, prefilling or swapped, every
   * coming iteration is decode-only over the same sequences until one of them finishes or the KV
   * growth no longer fits, and `plan` + `complete` would only reserve blocks and advance the decode
   * clock. This returns the sequences, their context and how many iterations come before the next
   * finish (undefined when not steady); nothing changes until `advanceSteadyDecode`. The returned
   * object is reused by the next call.
   */
  steadyDecodeWindow?(): SteadyDecodeWindow | undefined;
  /**
   * Fills the window's `usedBlocks` for its first iterations, at most `iterations`, stopping where
   * the KV growth would not fit; returns how many fit.
   */
  steadyDecodeBlocks?(iterations: number): number;
  /** Applies `iterations` (≤ what steadyDecodeBlocks allowed) steady decode iterations at once: exactly what as many plan/complete rounds would do. */
  advanceSteadyDecode?(iterations: number): void;
}

/** Runs of steady decode iterations (see `BatchingPolicy.steadyDecodeWindow`). */
export interface SteadyDecodeWindow {
  /** Decoding sequences (the same in every iteration of the window). */
  sequences: number;
  /** Of those, the ones whose `measured` flag is set. */
  measuredSequences: number;
  /** Their total context in the first iteration of the window; it grows by `sequences` per iteration. */
  contextTokens: number;
  /** Steady iterations before the next finish. */
  iterations: number;
  /** KV blocks in use during iteration i (after its growth is reserved), as filled by steadyDecodeBlocks. */
  usedBlocks: Int32Array;
  /** The policy's KV blocks. */
  totalBlocks: number;
}

/** Creates a fresh, empty plan object. */
export function emptyPlan(): IterationPlan {
  return {
    prefillChunks: [],
    prefillContexts: [],
    decodeSequences: 0,
    decodeContextTokens: 0,
    sampledSequences: 0,
    swapBlocks: 0,
    offloadLoadBlocks: 0,
  };
}

/** Clears a plan for reuse. */
export function resetPlan(plan: IterationPlan): IterationPlan {
  // Setting .length is slow in V8 even on an empty array; decode-only iterations have none to clear.
  if (plan.prefillChunks.length !== 0) {
    plan.prefillChunks.length = 0;
    plan.prefillContexts.length = 0;
  }
  plan.decodeSequences = 0;
  plan.decodeContextTokens = 0;
  plan.sampledSequences = 0;
  plan.swapBlocks = 0;
  plan.offloadLoadBlocks = 0;
  return plan;
}
