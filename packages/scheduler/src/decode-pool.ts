import type { Sequence } from './sequence';

/** A heap or order entry; stale once the sequence leaves the pool (its epoch moves on). */
interface Entry {
  readonly sequence: Sequence;
  readonly finishIteration: number;
  readonly epoch: number;
}

/**
 * The decoding sequences of a replica, kept as aggregates so an iteration costs O(log n) for the
 * sequences that finish, not O(n) for all of them:
 * - count and the sum of KV lengths (each decode step adds one token to every sequence);
 * - how many sequences need a new KV block at each iteration, by phase: a sequence whose KV length
 *   after iteration i is `base + (i − baseIteration)` starts a new block when its length before
 *   the step is a multiple of the block size, i.e. every blockSize iterations at a fixed phase;
 * - a min-heap of finish iterations;
 * - admission order (for choosing preemption victims: the latest admitted first), with lazy deletion.
 */
export class DecodePool {
  private readonly blockSize: number;
  private readonly phaseCounts: Int32Array;
  private finishHeap: Entry[] = [];
  private order: Entry[] = [];
  private removedInOrder = 0;
  private members = 0;
  private measuredCount = 0;
  private steps = 0;
  /** Sum of KV lengths after the last completed iteration. */
  private kvLengthSum = 0;

  constructor(blockSize: number) {
    this.blockSize = blockSize;
    this.phaseCounts = new Int32Array(blockSize);
  }

  get size(): number {
    return this.members;
  }

  /** Members whose `measured` flag is set. */
  get measuredSize(): number {
    return this.measuredCount;
  }

  /** Decode steps completed so far (the pool's own clock: prefill-only iterations do not advance it). */
  get currentStep(): number {
    return this.steps;
  }

  /** Sum over members of the KV length after the last completed iteration. */
  get kvTokens(): number {
    return this.kvLengthSum;
  }

  private phase(sequence: Sequence): number {
    const value = (sequence.kvLengthBase - sequence.decodeBaseIteration) % this.blockSize;
    return value < 0 ? value + this.blockSize : value;
  }

  /** Adds a sequence whose KV length after `iteration` is `kvLength`, finishing at `finishIteration`. */
  add(sequence: Sequence, iteration: number, kvLength: number, finishIteration: number): void {
    sequence.status = 'decoding';
    sequence.kvLengthBase = kvLength;
    sequence.decodeBaseIteration = iteration;
    sequence.finishIteration = finishIteration;
    const phase = this.phase(sequence);
    this.phaseCounts[phase] = (this.phaseCounts[phase] ?? 0) + 1;
    this.kvLengthSum += kvLength;
    this.members++;
    if (sequence.measured) this.measuredCount++;
    sequence.decodeEpoch++;
    const entry = { sequence, finishIteration, epoch: sequence.decodeEpoch };
    this.pushHeap(entry);
    this.order.push(entry);
  }

  /** Sequences that need a new block in decode step `iteration` (their length before the step fills whole blocks). */
  blocksNeededAt(iteration: number): number {
    // Length before the step: base + (iteration − 1 − baseIteration) ≡ 0 (mod B)  ⇔  phase ≡ 1 − iteration.
    let target = (1 - iteration) % this.blockSize;
    if (target < 0) target += this.blockSize;
    return this.phaseCounts[target] ?? 0;
  }

  /** Advances every member by `steps` decode steps at once (steady runs: nobody finishes in between). */
  advance(steps: number): void {
    this.kvLengthSum += this.members * steps;
    this.steps += steps;
  }

  /** Advances every member by one decode step (call after the iteration completes). */
  step(): void {
    this.kvLengthSum += this.members;
    this.steps++;
  }

  /** The earliest iteration at which a member produces its last token (Infinity when empty). */
  nextFinishIteration(): number {
    for (;;) {
      const top = this.finishHeap[0];
      if (top === undefined) return Number.POSITIVE_INFINITY;
      if (isLive(top)) return top.finishIteration;
      this.popHeap(); // a stale entry (preempted member): lazy deletion, as popFinished would do
    }
  }

  /** Removes and returns the members whose last token is produced at `iteration` (call after step()). */
  popFinished(iteration: number, out: Sequence[]): void {
    for (;;) {
      const top = this.finishHeap[0];
      if (top === undefined || top.finishIteration > iteration) return;
      this.popHeap();
      if (!isLive(top)) continue;
      this.detach(top.sequence, iteration);
      out.push(top.sequence);
    }
  }

  /** The member admitted last (the preemption victim), or undefined. */
  latest(): Sequence | undefined {
    for (;;) {
      const last = this.order[this.order.length - 1];
      if (last === undefined) return undefined;
      if (isLive(last)) return last.sequence;
      this.order.pop();
      this.removedInOrder = Math.max(0, this.removedInOrder - 1);
    }
  }

  /** Removes a member (preemption); its heap entry is dropped lazily. `iteration` is the last completed one. */
  remove(sequence: Sequence, iteration: number): void {
    this.detach(sequence, iteration);
  }

  private detach(sequence: Sequence, iteration: number): void {
    const phase = this.phase(sequence);
    this.phaseCounts[phase] = (this.phaseCounts[phase] ?? 0) - 1;
    this.kvLengthSum -= sequence.kvLengthAt(iteration);
    this.members--;
    if (sequence.measured) this.measuredCount--;
    sequence.status = 'finished';
    sequence.decodeEpoch++;
    this.removedInOrder++;
    if (this.removedInOrder > 64 && this.removedInOrder > this.order.length / 2) {
      this.order = this.order.filter(isLive);
      this.removedInOrder = 0;
    }
  }

  /** Adds an entry: a hole sifted up from the end to its place. */
  private pushHeap(entry: Entry): void {
    const heap = this.finishHeap;
    let index = heap.length;
    heap.push(entry);
    while (index > 0) {
      const parent = (index - 1) >> 1;
      const above = heap[parent];
      if (above === undefined || !earlier(entry, above)) break;
      heap[index] = above;
      index = parent;
    }
    heap[index] = entry;
  }

  /** Removes the top: the last entry moves into a hole sifted down from the root to its place. */
  private popHeap(): void {
    const heap = this.finishHeap;
    const last = heap.pop();
    const length = heap.length;
    if (last === undefined || length === 0) return;
    let index = 0;
    for (;;) {
      const left = 2 * index + 1;
      if (left >= length) break;
      let child = left;
      let below = heap[left];
      const right = left + 1 < length ? heap[left + 1] : undefined;
      if (right !== undefined && below !== undefined && earlier(right, below)) {
        child = left + 1;
        below = right;
      }
      if (below === undefined || !earlier(below, last)) break;
      heap[index] = below;
      index = child;
    }
    heap[index] = last;
  }
}

function earlier(a: Entry, b: Entry): boolean {
  return (
    a.finishIteration < b.finishIteration ||
    (a.finishIteration === b.finishIteration && a.sequence.id < b.sequence.id)
  );
}

function isLive(entry: Entry): boolean {
  return entry.epoch === entry.sequence.decodeEpoch && entry.sequence.status === 'decoding';
}
