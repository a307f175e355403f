/**
 * The simulation's clock: a binary min-heap of events keyed by (time, priority, sequence). The
 * sequence counter belongs to the queue (one per simulation), so equal-time events pop in a fixed
 * order and runs are deterministic.
 */
export class EventQueue<T> {
  private times: number[] = [];
  /** priority × 2^44 + sequence: one number compares both tie-breakers (exact below 2^53). */
  private keys: number[] = [];
  private payloads: T[] = [];
  private counter = 0;

  get size(): number {
    return this.times.length;
  }

  /** Time of the earliest event (Infinity when empty). */
  peekTime(): number {
    return this.times.length === 0 ? Number.POSITIVE_INFINITY : (this.times[0] as number);
  }

  /** The earliest event's payload, left in the queue (undefined when empty). */
  peek(): T | undefined {
    return this.payloads[0];
  }

  push(time: number, priority: number, payload: T): void {
    const key = priority * KEY_SHIFT + this.counter++;
    const { times, keys, payloads } = this;
    // Sift up with a hole: move parents down until the new event's slot is found.
    let index = times.length;
    times.push(time);
    keys.push(key);
    payloads.push(payload);
    while (index > 0) {
      const parent = (index - 1) >> 1;
      const parentTime = times[parent] as number;
      if (parentTime < time || (parentTime === time && (keys[parent] as number) < key)) break;
      times[index] = parentTime;
      keys[index] = keys[parent] as number;
      payloads[index] = payloads[parent] as T;
      index = parent;
    }
    times[index] = time;
    keys[index] = key;
    payloads[index] = payload;
  }

  /** Removes the earliest event; call `peekTime` first for its time. */
  pop(): T | undefined {
    const { times, keys, payloads } = this;
    const size = times.length;
    if (size === 0) return undefined;
    const top = payloads[0] as T;
    const time = times.pop() as number;
    const key = keys.pop() as number;
    const payload = payloads.pop() as T;
    const length = size - 1;
    if (length === 0) return top;
    // Sift the last event down from the root with a hole.
    let index = 0;
    for (;;) {
      const left = 2 * index + 1;
      if (left >= length) break;
      const right = left + 1;
      let child = left;
      if (right < length) {
        const leftTime = times[left] as number;
        const rightTime = times[right] as number;
        if (
          rightTime < leftTime ||
          (rightTime === leftTime && (keys[right] as number) < (keys[left] as number))
        )
          child = right;
      }
      const childTime = times[child] as number;
      if (time < childTime || (time === childTime && key < (keys[child] as number))) break;
      times[index] = childTime;
      keys[index] = keys[child] as number;
      payloads[index] = payloads[child] as T;
      index = child;
    }
    times[index] = time;
    keys[index] = key;
    payloads[index] = payload;
    return top;
  }
}

/** Sequence numbers stay below 2^44 (1.7 × 10^13 events) so priority × 2^44 + sequence is exact. */
const KEY_SHIFT = 2 ** 44;
