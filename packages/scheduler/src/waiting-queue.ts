import type { QueueOrder } from '@sim/specs';
import type { Sequence } from './sequence';

/**
 * Orders waiting sequences. Key: (class, order, id) ascending: preempted sequences (class 0) go
 * before new ones (class 1), as vLLM puts them back at the front; within a class, `order` is the
 * policy's key (arrival id for FCFS, input length for shortest-input-first).
 */
export type QueueKey = (sequence: Sequence) => number;

/** First come, first served: by arrival (sequence id). */
const fcfs: QueueKey = (sequence) => sequence.id;

/** Built-in admission orders, one per `schedulerSpec.queueOrder`. Add one here to add a queue order. */
export const QUEUE_KEYS: Readonly<Record<QueueOrder, QueueKey>> = {
  fcfs,
  'shortest-input-first': (sequence) => sequence.inputTokens,
};

interface Entry {
  readonly sequence: Sequence;
  readonly preempted: number;
  readonly order: number;
}

/**
 * A binary min-heap of waiting sequences. Each queued sequence's slot is kept in its
 * `waitingSlot`, so `remove` (a client abandoning a request) is O(log n).
 */
export class WaitingQueue {
  private readonly heap: Entry[] = [];
  private readonly key: QueueKey;

  constructor(key: QueueKey = fcfs) {
    this.key = key;
  }

  get size(): number {
    return this.heap.length;
  }

  push(sequence: Sequence, preempted = false): void {
    this.heap.push({ sequence, preempted: preempted ? 0 : 1, order: this.key(sequence) });
    this.siftUp(this.heap.length - 1);
  }

  peek(): Sequence | undefined {
    return this.heap[0]?.sequence;
  }

  pop(): Sequence | undefined {
    const top = this.heap[0];
    const last = this.heap.pop();
    if (top !== undefined && last !== undefined && this.heap.length > 0) {
      this.heap[0] = last;
      this.siftDown(0);
    }
    if (top !== undefined) top.sequence.waitingSlot = -1;
    return top?.sequence;
  }

  /** Takes `sequence` out of the queue wherever it is, in O(log n); false when it is not queued here. */
  remove(sequence: Sequence): boolean {
    const heap = this.heap;
    const index = sequence.waitingSlot;
    if (index < 0 || heap[index]?.sequence !== sequence) return false;
    sequence.waitingSlot = -1;
    const last = heap.pop();
    if (last !== undefined && index < heap.length) {
      heap[index] = last;
      last.sequence.waitingSlot = index;
      this.siftDown(index);
      this.siftUp(last.sequence.waitingSlot);
    }
    return true;
  }

  /** Earliest arrival time among the waiting (for batching timeouts); Infinity when empty. O(n). */
  oldestArrival(): number {
    let oldest = Number.POSITIVE_INFINITY;
    for (const entry of this.heap) oldest = Math.min(oldest, entry.sequence.arrivalTime);
    return oldest;
  }

  private less(a: Entry, b: Entry): boolean {
    if (a.preempted !== b.preempted) return a.preempted < b.preempted;
    if (a.order !== b.order) return a.order < b.order;
    return a.sequence.id < b.sequence.id;
  }

  /** Moves the entry at `index` up to its place (a hole sifted up), recording slots. */
  private siftUp(index: number): void {
    const heap = this.heap;
    const entry = heap[index];
    if (entry === undefined) return;
    while (index > 0) {
      const parent = (index - 1) >> 1;
      const above = heap[parent];
      if (above === undefined || !this.less(entry, above)) break;
      heap[index] = above;
      above.sequence.waitingSlot = index;
      index = parent;
    }
    heap[index] = entry;
    entry.sequence.waitingSlot = index;
  }

  /** Moves the entry at `index` down to its place (a hole sifted down), recording slots. */
  private siftDown(index: number): void {
    const heap = this.heap;
    const entry = heap[index];
    if (entry === undefined) return;
    const length = heap.length;
    for (;;) {
      const left = 2 * index + 1;
      if (left >= length) break;
      let child = left;
      let below = heap[left];
      const right = left + 1 < length ? heap[left + 1] : undefined;
      if (right !== undefined && below !== undefined && this.less(right, below)) {
        child = left + 1;
        below = right;
      }
      if (below === undefined || !this.less(below, entry)) break;
      heap[index] = below;
      below.sequence.waitingSlot = index;
      index = child;
    }
    heap[index] = entry;
    entry.sequence.waitingSlot = index;
  }
}
