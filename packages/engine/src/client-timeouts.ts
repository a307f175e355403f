import type { BatchingPolicy, Sequence } from '@sim/scheduler';
import { ConfigError } from '@sim/specs';
import type { EventQueue } from './event-queue';
import { type RunEvent, TIMEOUT } from './run-events';
import type { VirtualEngine } from './virtual-engine';

/**
 * Client timeouts (workloadSpec.requestTimeoutS): admitted requests and their virtual engines in
 * arrival order, which is deadline order (every deadline is arrival + the timeout), from `head` on.
 * Only the first that has not left has its TIMEOUT event in the queue: one event at a time, not one
 * per request. Aborts of requests that time out during an iteration wait for it to complete.
 */
export class ClientTimeouts {
  /** workloadSpec.requestTimeoutS, seconds. */
  readonly timeoutS: number;
  private readonly hasLeft: (id: number) => boolean;
  private readonly queueTimeout: (time: number, sequence: Sequence, engine: VirtualEngine) => void;
  private sequences: Sequence[] = [];
  private engines: VirtualEngine[] = [];
  private head = 0;
  private queued = false;
  /** Aborts of timed-out requests in an iteration in flight, by virtual engine, applied when it completes. */
  private readonly deferred = new Map<VirtualEngine, Sequence[]>();

  /**
   * @param timeoutS the client timeout, seconds
   * @param hasLeft whether a request has left the system (finished, rejected or timed out)
   * @param queueTimeout queues a TIMEOUT event for `sequence` at `time`
   */
  constructor(
    timeoutS: number,
    hasLeft: (id: number) => boolean,
    queueTimeout: (time: number, sequence: Sequence, engine: VirtualEngine) => void,
  ) {
    this.timeoutS = timeoutS;
    this.hasLeft = hasLeft;
    this.queueTimeout = queueTimeout;
  }

  /** Throws the ConfigError of a run with client timeouts whose batching policy cannot abort requests. */
  static requireAbortable(policy: BatchingPolicy): void {
    if (policy.abort !== undefined) return;
    throw new ConfigError([
      {
        code: 'invalid_value',
        path: 'workloadSpec.requestTimeoutS',
        message: `the "${policy.name}" batching policy cannot abort requests, so client timeouts cannot be simulated with it. Remove requestTimeoutS or use continuous batching.`,
      },
    ]);
  }

  /** An admitted request to watch (arrivals come in deadline order). */
  watch(sequence: Sequence, engine: VirtualEngine): void {
    this.sequences.push(sequence);
    this.engines.push(engine);
    if (!this.queued) this.scheduleNext();
  }

  /**
   * The time of `queue`'s next event. A queued timeout whose request already left is replaced by
   * the next request's first: it would change nothing, so it must neither bound bulk decoding nor
   * extend the simulated duration.
   */
  nextEventTime(queue: EventQueue<RunEvent>): number {
    for (;;) {
      const top = queue.peek();
      if (top === undefined || top.kind !== TIMEOUT || !this.hasLeft(top.sequence.id))
        return queue.peekTime();
      queue.pop();
      this.scheduleNext();
    }
  }

  /** The queued TIMEOUT event fired: queue the next request's. */
  fired(): void {
    this.head++;
    this.scheduleNext();
  }

  /** Queues the TIMEOUT event of the first watched request that has not left (none when all have). */
  scheduleNext(): void {
    const sequences = this.sequences;
    let head = this.head;
    for (let sequence = sequences[head]; sequence !== undefined && this.hasLeft(sequence.id); )
      sequence = sequences[++head];
    if (head >= 4096 && 2 * head >= sequences.length) {
      this.sequences = sequences.slice(head);
      this.engines = this.engines.slice(head);
      head = 0;
    }
    this.head = head;
    const sequence = this.sequences[head];
    const engine = this.engines[head];
    this.queued = sequence !== undefined;
    if (sequence !== undefined && engine !== undefined)
      this.queueTimeout(sequence.arrivalTime + this.timeoutS, sequence, engine);
  }

  /** Aborts `sequence` once the iteration in flight on `engine` completes. */
  defer(engine: VirtualEngine, sequence: Sequence): void {
    const deferred = this.deferred.get(engine);
    if (deferred === undefined) this.deferred.set(engine, [sequence]);
    else deferred.push(sequence);
  }

  /** The aborts deferred on `engine` (removed), if any. */
  takeDeferred(engine: VirtualEngine): Sequence[] | undefined {
    if (this.deferred.size === 0) return undefined;
    const deferred = this.deferred.get(engine);
    if (deferred !== undefined) this.deferred.delete(engine);
    return deferred;
  }
}
