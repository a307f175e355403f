import type { Sequence } from './sequence';

/**
 * Orders waiting sequences. Key: (class, order, id) ascending: preempted sequences (class 0) go
 * before new ones (class 1), as vLLM puts them back at the front; within a class, `order` is the
 * policy's key (arrival id for FCFS, input length for shortest-input-first).
 */
export type QueueKey = (sequence: Sequence) => number;

/** Built-in admission orders. Add one here to add a queue order. */
export const QUEUE_KEYS: Readonly<Record<string, QueueKey>> = {
  fcfs: (sequence) => sequence.id,
  'shortest-input-first': (sequence) => sequence.inputTokens,
};

interface Entry {
  readonly sequence: Sequence;
  readonly preempted: number;
  readonly order: number;
}

/** A binary min-heap of waiting sequences. */
export class WaitingQueue {
  private readonly heap: Entry[] = [];
  private readonly key: QueueKey;

  constructor(key: QueueKey = QUEUE_KEYS.fcfs as QueueKey) {
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
    return top?.sequence;
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

  private siftUp(index: number): void {
    const heap = this.heap;
    while (index > 0) {
      const parent = (index - 1) >> 1;
      if (!this.less(heap[index] as Entry, heap[parent] as Entry)) break;
      [heap[index], heap[parent]] = [heap[parent] as Entry, heap[index] as Entry];
      index = parent;
    }
  }

  private siftDown(index: number): void {
    const heap = this.heap;
    for (;;) {
      const left = 2 * index + 1;
      const right = left + 1;
      let smallest = index;
      if (left < heap.length && this.less(heap[left] as Entry, heap[smallest] as Entry)) smallest = left;
      if (right < heap.length && this.less(heap[right] as Entry, heap[smallest] as Entry)) smallest = right;
      if (smallest === index) return;
      [heap[index], heap[smallest]] = [heap[smallest] as Entry, heap[index] as Entry];
      index = smallest;
    }
  }
}
