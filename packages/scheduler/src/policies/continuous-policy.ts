import { BlockManager } from '../block-manager';
import { DecodePool } from '../decode-pool';
import { PrefixCache } from '../prefix-cache';
import type {
  BatchingPolicy,
  IterationPlan,
  SchedulerEvents,
  SchedulerOptions,
  SteadyDecodeWindow,
} from '../scheduler';
import { emptyPlan, resetPlan } from '../scheduler';
import { blocksFor, type Sequence } from '../sequence';
import { QUEUE_KEYS, type QueueKey, WaitingQueue } from '../waiting-queue';
import { SteadyDecodeRun } from './steady-decode';

/**
 * Iteration-level (continuous) batching with a paged KV cache, as in Orca and vLLM:
 * - every iteration, finished sequences leave and waiting ones may join (with
 *   `tokenLevelScheduling: false`, joins happen only after a sequence finishes or when idle);
 * - KV blocks are allocated for the whole prompt on admission and one block at a time as a
 *   sequence grows; when blocks run out the latest-admitted sequence is preempted (recompute: its
 *   blocks are freed and it re-prefills prompt + generated tokens; swap: its blocks go to host
 *   memory and come back before new admissions);
 * - without chunked prefill an iteration is prefill-only or decode-only, prefills first (vLLM v0);
 *   with chunked prefill (Sarathi-Serve) decodes go first and the remaining token budget is filled
 *   with prompt chunks of at most `prefillChunkSize` tokens;
 * - with `enablePrefixCaching` the blocks live in a `PrefixCache`: an admitted sequence's leading
 *   cached blocks are referenced instead of allocated and its prefill starts after them, and
 *   sequences release their blocks to the cache instead of discarding them; with `offloadBlocks`
 *   (`schedulerSpec.kvOffload`) evicted shared blocks are kept in host memory and a hit on them
 *   loads them (`plan.offloadLoadBlocks`).
 */
export class ContinuousPolicy implements BatchingPolicy {
  readonly name = 'continuous';
  readonly blocks: BlockManager;
  /** The same object as `blocks` when prefix caching is on. */
  private readonly cache: PrefixCache | undefined;
  private readonly options: SchedulerOptions;
  private readonly waiting: WaitingQueue;
  private readonly pool: DecodePool;
  private readonly swapped: Sequence[] = [];
  private readonly prefilling: Sequence[] = [];
  private readonly plan_: IterationPlan = emptyPlan();
  /** Sequences whose chunk is in the current plan, parallel to plan.prefillChunks. */
  private readonly planned: Sequence[] = [];
  private readonly pendingPreemptions: Sequence[] = [];
  /** Sequences swapped back in by the current plan (reported in `complete`). */
  private readonly pendingSwapIns: Sequence[] = [];
  private planDecodes = false;
  private finishedLastIteration = false;
  /** The decode pool's next finish iteration, cached for steadyDecodeWindow; -1 when unknown. */
  private nextFinish = -1;
  private readonly steady = new SteadyDecodeRun();
  private admissions = 0;

  constructor(options: SchedulerOptions, queueKey: QueueKey = QUEUE_KEYS[options.queueOrder]) {
    this.options = options;
    this.cache =
      options.enablePrefixCaching === true
        ? new PrefixCache(options.totalBlocks, options.kvBlockSize, options.offloadBlocks ?? 0)
        : undefined;
    this.blocks = this.cache ?? new BlockManager(options.totalBlocks, options.kvBlockSize);
    this.waiting = new WaitingQueue(queueKey);
    this.pool = new DecodePool(options.kvBlockSize);
  }

  get waitingCount(): number {
    return this.waiting.size;
  }

  get runningCount(): number {
    return this.pool.size + this.prefilling.length + this.swapped.length;
  }

  /** Decode steps completed (the clock of decoding sequences' `kvLengthAt`). */
  get decodeStep(): number {
    return this.pool.currentStep;
  }

  enqueue(sequence: Sequence): void {
    sequence.status = 'waiting';
    this.waiting.push(sequence);
  }

  enqueueTransferred(sequence: Sequence): void {
    sequence.status = 'swapped';
    sequence.kvTransferred = true;
    this.swapped.push(sequence);
  }

  nextWakeTime(): number {
    return Number.POSITIVE_INFINITY;
  }

  /** Reused buffer for the sequences that finish in an iteration. */
  private readonly finishedScratch: Sequence[] = [];

  plan(now: number): IterationPlan | undefined {
    this.nextFinish = -1;
    const plan = resetPlan(this.plan_);
    if (this.planned.length !== 0) this.planned.length = 0;
    const { options, blocks, pool } = this;
    const blockSize = options.kvBlockSize;

    // Swapped sequences come back before anything new is admitted.
    for (let sequence = this.swapped[0]; sequence !== undefined; sequence = this.swapped[0]) {
      const needed = blocksFor(sequence.swappedKvLength, blockSize) + 1;
      if (!blocks.canAllocate(needed + pool.blocksNeededAt(pool.currentStep + 1))) break;
      this.swapped.shift();
      this.pendingSwapIns.push(sequence);
      const held = blocksFor(sequence.swappedKvLength, blockSize);
      blocks.allocate(held);
      // A transferred KV cache is already on this GPU's side of the link; a swapped one crosses the host link.
      if (sequence.kvTransferred) sequence.kvTransferred = false;
      else plan.swapBlocks += held;
      pool.add(
        sequence,
        pool.currentStep,
        sequence.swappedKvLength,
        pool.currentStep + (sequence.outputTokens - sequence.generated),
      );
    }

    const mayAdmit = options.tokenLevelScheduling || this.finishedLastIteration || this.runningCount === 0;
    let budget = options.maxNumBatchedTokens;
    if (options.chunkedPrefill) {
      this.planDecodes = pool.size > 0;
      if (this.planDecodes) {
        this.reserveDecodeBlocks();
        budget -= pool.size;
      }
      for (const sequence of this.prefilling) {
        if (budget <= 0) break;
        budget -= this.addChunk(
          sequence,
          Math.min(sequence.prefillLength - sequence.prefilled, options.prefillChunkSize, budget),
        );
      }
      if (mayAdmit && this.swapped.length === 0) {
        for (;;) {
          const sequence = budget > 0 ? this.admit(now) : undefined;
          if (sequence === undefined) break;
          budget -= this.addChunk(
            sequence,
            Math.min(sequence.prefillLength - sequence.prefilled, options.prefillChunkSize, budget),
          );
        }
      }
    } else {
      // vLLM v0: a prefill-only iteration whenever a prompt can be admitted; decodes otherwise.
      if (mayAdmit && this.swapped.length === 0) {
        // A prompt that does not fit the rest of the budget waits (the first always runs).
        for (;;) {
          const sequence = this.admit(now, this.planned.length > 0 ? budget : Number.POSITIVE_INFINITY);
          if (sequence === undefined) break;
          budget -= this.addChunk(sequence, sequence.prefillLength - sequence.prefilled);
        }
      }
      this.planDecodes = this.planned.length === 0 && pool.size > 0;
      if (this.planDecodes) this.reserveDecodeBlocks();
    }

    if (this.planDecodes) {
      plan.decodeSequences = pool.size;
      plan.decodeContextTokens = pool.kvTokens + pool.size;
    }
    let sampled = plan.decodeSequences;
    for (let index = 0; index < this.planned.length; index++) {
      const sequence = this.planned[index];
      const chunk = plan.prefillChunks[index];
      if (sequence !== undefined && sequence.prefilled + (chunk ?? 0) === sequence.prefillLength) sampled++;
    }
    plan.sampledSequences = sampled;
    if (plan.prefillChunks.length === 0 && plan.decodeSequences === 0 && plan.swapBlocks === 0)
      return undefined;
    return plan;
  }

  /** Makes room for this iteration's decode growth, preempting the latest-admitted sequences if needed. */
  private reserveDecodeBlocks(): void {
    const { pool, blocks } = this;
    for (;;) {
      const needed = pool.blocksNeededAt(pool.currentStep + 1);
      if (blocks.canAllocate(needed)) {
        blocks.allocate(needed);
        return;
      }
      const victim = pool.latest();
      if (victim === undefined) return;
      this.preempt(victim);
    }
  }

  private preempt(victim: Sequence): void {
    const { pool, blocks } = this;
    victim.generated = victim.outputTokens - (victim.finishIteration - pool.currentStep);
    const kvLength = victim.kvLengthAt(pool.currentStep);
    const held = blocksFor(kvLength, this.options.kvBlockSize);
    pool.remove(victim, pool.currentStep);
    if (this.cache === undefined) blocks.free(held);
    else this.cache.release(victim, kvLength, this.options.preemptionMode !== 'swap');
    victim.preemptions++;
    this.pendingPreemptions.push(victim);
    if (this.options.preemptionMode === 'swap') {
      victim.status = 'swapped';
      victim.swappedKvLength = kvLength;
      this.plan_.swapBlocks += held;
      this.swapped.push(victim);
    } else {
      victim.status = 'waiting';
      victim.prefillLength = victim.inputTokens + victim.generated;
      victim.prefilled = 0;
      victim.blocks = 0;
      this.waiting.push(victim, true);
    }
  }

  /**
   * Admits the head of the queue if the batch and the KV cache have room and its prefill (what the
   * prefix cache does not hold) is at most `maxTokens`; returns it (now the last prefilling sequence).
   */
  private admit(now: number, maxTokens = Number.POSITIVE_INFINITY): Sequence | undefined {
    const head = this.waiting.peek();
    if (head === undefined || this.runningCount >= this.options.maxBatchSize) return undefined;
    const needed = blocksFor(head.prefillLength, this.options.kvBlockSize);
    const reserve = this.planDecodes ? 0 : this.pool.size > 0 ? 1 : 0;
    if (this.cache !== undefined) {
      if (!this.admitCached(this.cache, head, needed, reserve, maxTokens)) return undefined;
    } else {
      if (head.prefillLength > maxTokens || !this.blocks.canAllocate(needed + reserve)) return undefined;
      this.waiting.pop();
      this.blocks.allocate(needed);
    }
    head.blocks = needed;
    head.status = 'prefilling';
    head.admissionOrder = this.admissions++;
    if (Number.isNaN(head.firstScheduledTime)) head.firstScheduledTime = now;
    this.prefilling.push(head);
    return head;
  }

  /**
   * `admit` with the prefix cache: the head's leading cached blocks are referenced (those nobody
   * holds leave the free queue, so they take capacity), those in host memory loaded onto new blocks
   * (counted in the plan), the rest allocated, and its prefill starts after them all (at least its
   * last token is computed).
   */
  private admitCached(
    cache: PrefixCache,
    head: Sequence,
    needed: number,
    reserve: number,
    maxTokens: number,
  ): boolean {
    const hit = cache.match(head);
    const hitTokens = hit * this.options.kvBlockSize;
    if (head.prefillLength - hitTokens > maxTokens) return false;
    const loads = cache.matchedHostBlocks;
    if (!cache.canAllocate(needed - hit + cache.matchedEvictableBlocks + loads + reserve)) return false;
    this.waiting.pop();
    cache.acquireMatched(head);
    cache.allocate(needed - hit);
    head.prefilled = hitTokens;
    if (head.preemptions === 0) {
      head.cachedPromptTokens = hitTokens;
      head.hostPromptTokens = loads * this.options.kvBlockSize;
    }
    this.plan_.offloadLoadBlocks += loads;
    return true;
  }

  private addChunk(sequence: Sequence, tokens: number): number {
    if (tokens <= 0) return 0;
    this.plan_.prefillChunks.push(tokens);
    this.plan_.prefillContexts.push(sequence.prefilled);
    this.planned.push(sequence);
    // The shared-prefix blocks this chunk fills are cached now, as vLLM V1 does when it schedules them.
    if (this.cache !== undefined) this.cache.registerPrompt(sequence, sequence.prefilled + tokens);
    return tokens;
  }

  steadyDecodeWindow(): SteadyDecodeWindow | undefined {
    const { pool } = this;
    if (
      pool.size === 0 ||
      this.waiting.size !== 0 ||
      this.prefilling.length !== 0 ||
      this.swapped.length !== 0 ||
      this.pendingPreemptions.length !== 0
    )
      return undefined;
    if (this.nextFinish < 0) this.nextFinish = pool.nextFinishIteration();
    return this.steady.offer(pool, this.blocks, this.nextFinish);
  }

  steadyDecodeBlocks(iterations: number): number {
    return this.steady.fillBlocks(this.pool, this.blocks, iterations);
  }

  advanceSteadyDecode(iterations: number): void {
    if (iterations <= 0) return;
    const { pool, blocks } = this;
    // As many plan() + complete() rounds: reserve each step's growth, then advance the decode clock.
    blocks.allocate(this.steady.usedBlocksAfter(iterations, blocks) - blocks.usedBlocks);
    pool.advance(iterations);
    this.planDecodes = false;
    this.finishedLastIteration = false;
  }

  /**
   * Aborts a sequence between iterations (see `BatchingPolicy.abort`), releasing exactly what it
   * holds, as a finish or a preemption would: a waiting sequence holds no blocks (a recompute
   * victim's own blocks already sit in the prefix cache as evictable); a prefilling one holds its
   * whole prefill's blocks (allocated on admission); a decoding one the blocks of its KV length
   * after the last completed step; a swapped one none on the GPU. With prefix caching the blocks are
   * released as at a finish (shared blocks lose a reference, private ones become free).
   */
  abort(sequence: Sequence): boolean {
    const { pool, blocks } = this;
    switch (sequence.status) {
      case 'waiting':
        if (!this.waiting.remove(sequence)) return false;
        break;
      case 'prefilling': {
        const index = this.prefilling.indexOf(sequence);
        if (index < 0) return false;
        this.prefilling.splice(index, 1);
        if (this.cache === undefined) blocks.free(sequence.blocks);
        else this.cache.release(sequence, sequence.prefillLength, false);
        this.finishedLastIteration = true;
        break;
      }
      case 'decoding': {
        const step = pool.currentStep;
        const kvLength = sequence.kvLengthAt(step);
        sequence.generated = sequence.outputTokens - (sequence.finishIteration - step);
        pool.remove(sequence, step);
        if (this.cache === undefined) blocks.free(blocksFor(kvLength, this.options.kvBlockSize));
        else this.cache.release(sequence, kvLength, false);
        // The pool's next finish may have been this sequence's.
        this.nextFinish = -1;
        this.finishedLastIteration = true;
        break;
      }
      case 'swapped': {
        const index = this.swapped.indexOf(sequence);
        if (index < 0) return false;
        this.swapped.splice(index, 1);
        this.finishedLastIteration = true;
        break;
      }
      default:
        return false;
    }
    sequence.blocks = 0;
    sequence.status = 'aborted';
    return true;
  }

  complete(endTime: number, events: SchedulerEvents): void {
    this.nextFinish = -1;
    const { pool, blocks, plan_: plan } = this;
    for (const victim of this.pendingPreemptions) events.onPreempt(victim, endTime);
    if (this.pendingPreemptions.length !== 0) this.pendingPreemptions.length = 0;
    if (this.pendingSwapIns.length !== 0) {
      for (const sequence of this.pendingSwapIns) events.onSwapIn?.(sequence, endTime);
      this.pendingSwapIns.length = 0;
    }
    let finished = false;
    if (this.planDecodes) {
      events.onDecodeStep?.(endTime, pool.size, pool.measuredSize);
      pool.step();
      const done = this.finishedScratch;
      if (done.length !== 0) done.length = 0;
      pool.popFinished(pool.currentStep, done);
      for (const sequence of done) {
        if (this.cache === undefined)
          blocks.free(blocksFor(sequence.kvLengthAt(pool.currentStep), this.options.kvBlockSize));
        else this.cache.releaseFinished(sequence, sequence.kvLengthAt(pool.currentStep));
        sequence.generated = sequence.outputTokens;
        events.onFinish(sequence, endTime);
        finished = true;
      }
    }
    for (let index = 0; index < this.planned.length; index++) {
      const sequence = this.planned[index];
      if (sequence === undefined) continue;
      sequence.prefilled += plan.prefillChunks[index] ?? 0;
      if (sequence.prefilled < sequence.prefillLength) continue;
      this.prefilling.splice(this.prefilling.indexOf(sequence), 1);
      sequence.generated++;
      if (Number.isNaN(sequence.firstTokenTime)) {
        sequence.firstTokenTime = endTime;
        events.onFirstToken(sequence, endTime);
      } else {
        events.onRecomputed?.(sequence, endTime);
      }
      const remaining = sequence.outputTokens - sequence.generated;
      if (remaining <= 0) {
        if (this.cache === undefined) blocks.free(sequence.blocks);
        else this.cache.releaseFinished(sequence, sequence.prefillLength);
        sequence.status = 'finished';
        events.onFinish(sequence, endTime);
        finished = true;
      } else {
        pool.add(sequence, pool.currentStep, sequence.prefillLength, pool.currentStep + remaining);
      }
    }
    this.planDecodes = false;
    this.finishedLastIteration = finished;
  }
}
