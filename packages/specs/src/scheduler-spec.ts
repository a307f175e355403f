import type { ConfigInput } from './config-input';
import type { BUILT_IN_BATCHING_TYPES } from './name-registry';
/**
 * Batching policy:
 * - `static`: gather `staticBatchSize` requests (or wait `batchWaitTimeoutS`), run them to the last token together.
 * - `dynamic`: when idle, take what is queued (up to maxBatchSize) and run it to completion (Triton-style).
 * - `continuous`: iteration-level batching (Orca / vLLM): requests join and leave every iteration.
 * - any other name registered with @sim/scheduler's `registerPolicy` (configs are checked against
 *   the registered names; the `string & {}` keeps editors completing the built-ins).
 */
export type BatchingType = (typeof BUILT_IN_BATCHING_TYPES)[number] | (string & {});

/** What happens to a sequence evicted when the KV cache runs out: recompute its KV later, or swap it to host memory. */
export type PreemptionMode = 'recompute' | 'swap';

/** Order in which waiting requests are admitted. */
export type QueueOrder = 'fcfs' | 'shortest-input-first';

/**
 * KV offload to host memory (vLLM's CPU offloading connector / LMCache, SGLang's HiCache): prefix-
 * cache blocks the GPU evicts are kept in host (CPU) memory, least recently used first out, and a
 * later prefix hit on them loads them back over the host link instead of recomputing their prefill.
 * Needs `enablePrefixCaching` and continuous batching.
 */
export interface KvOffload {
  /**
   * Host memory per data-parallel replica set aside for offloaded KV blocks, in GB (10⁹ bytes):
   * it holds ⌊cpuMemoryGb · 10⁹ / bytes per block⌋ blocks, a block's bytes being its KV on every
   * GPU of the replica (kvBytesPerToken × kvBlockSize per GPU × TP × PP), split evenly between the
   * replica's pipeline virtual engines.
   */
  readonly cpuMemoryGb: number;
}

/** The serving scheduler's knobs, fully resolved. */
export interface ResolvedSchedulerSpec {
  /** Batching policy. Default `continuous`. */
  readonly batchingType: BatchingType;
  /** Most sequences in one batch (vLLM's max_num_seqs). Default 256. */
  readonly maxBatchSize: number;
  /**
   * Static batching: requests gathered into one batch before it starts (FasterTransformer-style),
   * capped at maxBatchSize. Default maxBatchSize. `workloadSpec.batchSize`, the original
   * quick-start's spelling, sets it too.
   */
  readonly staticBatchSize: number;
  /**
   * Continuous batching only: when true (default) requests are admitted at every iteration (every
   * token); when false only at request-level points (after a request finishes or when idle).
   */
  readonly tokenLevelScheduling: boolean;
  /** Most tokens (prefill + decode) processed in one iteration. Default 2048 with chunked prefill (vLLM V1's max_num_batched_tokens), else the model's context clamped to [2048, 8192], raised to the prompt length when lengths are fixed (a longer sampled prompt runs alone); with engineProfile `trtllm`, 8192 (or the fixed prompt length). */
  readonly maxNumBatchedTokens: number;
  /** Split long prompts into chunks that share iterations with decodes, decodes first (Sarathi-Serve, vLLM V1). Default true with engineProfile `vllm`, `sglang` and `trtllm` (its in-flight batching mixes context and generation); false with `vllm-v0`, `gpt-fast` and `ideal`. */
  readonly chunkedPrefill: boolean;
  /**
   * Automatic prefix caching (continuous batching): full KV blocks are kept after their request
   * leaves, keyed by a hash of every token up to the block's end (so a block matches only when the
   * whole prefix before it matches), shared by reference count between running requests, and
   * evicted least recently used when free blocks run out. A request's leading blocks found in the
   * cache skip their prefill (the last prompt token is always computed). Default true with
   * engineProfile `vllm` and `sglang` (RadixAttention), false otherwise.
   */
  readonly enablePrefixCaching: boolean;
  /** Most prefill tokens of one request per iteration when chunking, in tokens. Default maxNumBatchedTokens. */
  readonly prefillChunkSize: number;
  /** Tokens per KV-cache block (paged attention). Default 16. */
  readonly kvBlockSize: number;
  /**
   * Fraction (0, 1] of GPU memory, read by the engine profile's KV-cache sizing rule: vLLM (and the
   * other profiles) may use this fraction of the whole GPU for weights, activations and KV cache
   * (gpu_memory_utilization); `trtllm` gives this fraction of the memory still free after weights
   * and activations to the KV cache (kv_cache_free_gpu_mem_fraction). Default 0.9.
   */
  readonly gpuMemoryUtilization: number;
  /** What to do with a sequence evicted when KV blocks run out. Default `recompute`. */
  readonly preemptionMode: PreemptionMode;
  /** Static/dynamic batching: longest a request waits for a batch to fill, in seconds. Default 1 (static), 0 (dynamic). */
  readonly batchWaitTimeoutS: number;
  /** Admission order of the waiting queue. Default `fcfs`. */
  readonly queueOrder: QueueOrder;
  /**
   * KV offload to host memory (see {@link KvOffload}): evicted prefix-cache blocks are kept in
   * `cpuMemoryGb` GB of host memory and loaded back on a hit. Default none (evicted blocks are
   * forgotten).
   */
  readonly kvOffload?: KvOffload;
}

/** Scheduler settings as the user writes them; every field has a default. */
export type SchedulerSpec = ConfigInput<ResolvedSchedulerSpec>;
