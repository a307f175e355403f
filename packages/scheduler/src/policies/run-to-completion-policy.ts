import { BlockManager } from '../block-manager';
import type { BatchingPolicy, IterationPlan, SchedulerEvents, SchedulerOptions } from '../scheduler';
import { emptyPlan, resetPlan } from '../scheduler';
import { blocksFor, type Sequence } from '../sequence';
import { QUEUE_KEYS, type QueueKey, WaitingQueue } from '../waiting-queue';

/** How a run-to-completion batch forms and ends. */
export interface RunToCompletionMode {
  readonly name: 'static' | 'dynamic';
  /** Requests to gather before starting (static: staticBatchSize; dynamic: take what is there, up to maxBatchSize). */
  readonly target: (options: SchedulerOptions) => number;
  /** Static: start only once `target` are waiting (or the timeout passes). Dynamic: start with whatever is queued. */
  readonly waitForTarget: boolean;
  /** Whether finished sequences leave the batch (dynamic) or hold their slot to the end (static, padding). */
  readonly leaveEarly: boolean;
}

/** Static batching (FasterTransformer-style request-level batching). */
export const STATIC_MODE: RunToCompletionMode = {
  name: 'static',
  target: (options) => Math.min(options.staticBatchSize, options.maxBatchSize),
  waitForTarget: true,
  leaveEarly: false,
};

/** Dynamic batching (Triton-style): batch whatever is queued when the server is free. */
export const DYNAMIC_MODE: RunToCompletionMode = {
  name: 'dynamic',
  target: (options) => options.maxBatchSize,
  waitForTarget: false,
  leaveEarly: true,
};

/**
 * Request-level batching: a batch is formed, prefilled in one iteration, then decoded until its
 * longest request is done. Nobody joins a running batch. In static mode finished requests keep
 * their slot (they are padded) and every response returns when the batch ends; in dynamic mode
 * they leave as they finish. KV blocks for the whole request (input + output) are reserved at
 * formation, so these policies never preempt.
 */
export class RunToCompletionPolicy implements BatchingPolicy {
  readonly name: string;
  readonly blocks: BlockManager;
  private readonly options: SchedulerOptions;
  private readonly mode: RunToCompletionMode;
  private readonly waiting: WaitingQueue;
  private batch: Sequence[] = [];
  private prefillDone = false;
  /** Decode steps completed in the current batch. */
  private step = 0;
  /** Index into `batch` (sorted by output length) of the first sequence still generating. */
  private nextToFinish = 0;
  /** Sequences of `batch` from `nextToFinish` on whose `measured` flag is set. */
  private measuredGenerating = 0;
  private inputSum = 0;
  private readonly plan_: IterationPlan = emptyPlan();

  constructor(
    options: SchedulerOptions,
    mode: RunToCompletionMode,
    queueKey: QueueKey = QUEUE_KEYS[options.queueOrder],
  ) {
    this.options = options;
    this.mode = mode;
    this.name = mode.name;
    this.blocks = new BlockManager(options.totalBlocks, options.kvBlockSize);
    this.waiting = new WaitingQueue(queueKey);
  }

  get waitingCount(): number {
    return this.waiting.size;
  }

  get runningCount(): number {
    return this.mode.leaveEarly ? this.batch.length - this.nextToFinish : this.batch.length;
  }

  enqueue(sequence: Sequence): void {
    sequence.status = 'waiting';
    this.waiting.push(sequence);
  }

  nextWakeTime(): number {
    if (this.batch.length > 0 || this.waiting.size === 0) return Number.POSITIVE_INFINITY;
    return this.waiting.oldestArrival() + this.options.batchWaitTimeoutS;
  }

  plan(now: number): IterationPlan | undefined {
    const plan = resetPlan(this.plan_);
    if (this.batch.length === 0 && !this.form(now)) return undefined;
    if (!this.prefillDone) {
      for (const sequence of this.batch) {
        plan.prefillChunks.push(sequence.inputTokens);
        plan.prefillContexts.push(0);
      }
      plan.sampledSequences = this.batch.length;
      return plan;
    }
    const unfinished = this.batch.length - this.nextToFinish;
    const active = this.mode.leaveEarly ? unfinished : this.batch.length;
    plan.decodeSequences = active;
    // Padded slots run the model but produce no token anyone receives.
    plan.sampledSequences = unfinished;
    // Every active sequence holds its prompt plus the tokens fed so far (one per step), plus this step's.
    plan.decodeContextTokens = this.inputSum + active * (this.step + 1);
    return plan;
  }

  /** Forms a batch if the policy's rule allows it now. */
  private form(now: number): boolean {
    const target = this.mode.target(this.options);
    const waited = now - this.waiting.oldestArrival();
    const timedOut = waited >= this.options.batchWaitTimeoutS - 1e-12;
    if (this.waiting.size === 0) return false;
    if (
      this.waiting.size < target &&
      (this.mode.waitForTarget || this.options.batchWaitTimeoutS > 0) &&
      !timedOut
    )
      return false;
    while (this.batch.length < target) {
      const head = this.waiting.peek();
      if (head === undefined) break;
      const needed = blocksFor(head.inputTokens + head.outputTokens, this.options.kvBlockSize);
      if (!this.blocks.canAllocate(needed)) break;
      this.waiting.pop();
      this.blocks.allocate(needed);
      head.blocks = needed;
      head.status = 'prefilling';
      head.firstScheduledTime = now;
      this.batch.push(head);
    }
    if (this.batch.length === 0) return false;
    this.batch.sort((a, b) => a.outputTokens - b.outputTokens || a.id - b.id);
    this.prefillDone = false;
    this.step = 0;
    this.nextToFinish = 0;
    this.inputSum = 0;
    this.measuredGenerating = 0;
    for (const sequence of this.batch) {
      this.inputSum += sequence.inputTokens;
      if (sequence.measured) this.measuredGenerating++;
    }
    return true;
  }

  complete(endTime: number, events: SchedulerEvents): void {
    if (!this.prefillDone) {
      this.prefillDone = true;
      for (const sequence of this.batch) {
        sequence.generated = 1;
        sequence.firstTokenTime = endTime;
        sequence.status = 'decoding';
        events.onFirstToken(sequence, endTime);
      }
    } else {
      events.onDecodeStep?.(endTime, this.batch.length - this.nextToFinish, this.measuredGenerating);
      this.step++;
    }
    // Sequences with outputTokens ≤ step + 1 have produced their last token: in dynamic mode they
    // leave now; in static mode they stop generating (their slot is padded) and leave with the batch.
    for (;;) {
      const sequence = this.batch[this.nextToFinish];
      if (sequence === undefined || sequence.outputTokens > this.step + 1) break;
      this.nextToFinish++;
      if (sequence.measured) this.measuredGenerating--;
      if (this.mode.leaveEarly) {
        this.finish(sequence, endTime, events);
        this.inputSum -= sequence.inputTokens;
      }
    }
    if (this.nextToFinish >= this.batch.length) {
      if (!this.mode.leaveEarly) for (const sequence of this.batch) this.finish(sequence, endTime, events);
      this.batch = [];
      this.nextToFinish = 0;
    }
  }

  private finish(sequence: Sequence, endTime: number, events: SchedulerEvents): void {
    sequence.generated = sequence.outputTokens;
    sequence.status = 'finished';
    this.blocks.free(sequence.blocks);
    events.onFinish(sequence, endTime);
  }
}
