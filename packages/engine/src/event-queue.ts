/**
 * The simulation's clock: a binary min-heap of events keyed by (time, priority, sequence). The
 * sequence counter belongs to the queue (one per simulation), so equal-time events pop in a fixed
 * order and runs are deterministic.
 */
export class EventQueue<T> {
  private times: number[] = [];
  private priorities: number[] = [];
  private sequences: number[] = [];
  private payloads: T[] = [];
  private counter = 0;

  get size(): number {
    return this.times.length;
  }

  /** Time of the earliest event (Infinity when empty). */
  peekTime(): number {
    return this.times.length === 0 ? Number.POSITIVE_INFINITY : (this.times[0] as number);
  }

  push(time: number, priority: number, payload: T): void {
    this.times.push(time);
    this.priorities.push(priority);
    this.sequences.push(this.counter++);
    this.payloads.push(payload);
    let index = this.times.length - 1;
    while (index > 0) {
      const parent = (index - 1) >> 1;
      if (!this.less(index, parent)) break;
      this.swap(index, parent);
      index = parent;
    }
  }

  /** Removes the earliest event; call `peekTime` first for its time. */
  pop(): T | undefined {
    const size = this.times.length;
    if (size === 0) return undefined;
    const top = this.payloads[0] as T;
    this.swap(0, size - 1);
    this.times.pop();
    this.priorities.pop();
    this.sequences.pop();
    this.payloads.pop();
    let index = 0;
    const length = this.times.length;
    for (;;) {
      const left = 2 * index + 1;
      const right = left + 1;
      let smallest = index;
      if (left < length && this.less(left, smallest)) smallest = left;
      if (right < length && this.less(right, smallest)) smallest = right;
      if (smallest === index) break;
      this.swap(index, smallest);
      index = smallest;
    }
    return top;
  }

  private less(a: number, b: number): boolean {
    const timeA = this.times[a] as number;
    const timeB = this.times[b] as number;
    if (timeA !== timeB) return timeA < timeB;
    const priorityA = this.priorities[a] as number;
    const priorityB = this.priorities[b] as number;
    if (priorityA !== priorityB) return priorityA < priorityB;
    return (this.sequences[a] as number) < (this.sequences[b] as number);
  }

  private swap(a: number, b: number): void {
    if (a === b) return;
    [this.times[a], this.times[b]] = [this.times[b] as number, this.times[a] as number];
    [this.priorities[a], this.priorities[b]] = [this.priorities[b] as number, this.priorities[a] as number];
    [this.sequences[a], this.sequences[b]] = [this.sequences[b] as number, this.sequences[a] as number];
    [this.payloads[a], this.payloads[b]] = [this.payloads[b] as T, this.payloads[a] as T];
  }
}
