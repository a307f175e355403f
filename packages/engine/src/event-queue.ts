/**
 * The simulation's clock: a binary min-heap of events keyed by (time, priority, sequence). The
 * sequence counter belongs to the queue (one per simulation), so equal-time events pop in a fixed
 * order and runs are deterministic.
 */
export class EventQueue<T extends object | number | string> {
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
    return this.times[0] ?? Number.POSITIVE_INFINITY;
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
      const parentTime = times[parent] ?? time;
      const parentKey = keys[parent] ?? key;
      const parentPayload = payloads[parent];
      if (parentTime < time || (parentTime === time && parentKey < key) || parentPayload === undefined) break;
      times[index] = parentTime;
      keys[index] = parentKey;
      payloads[index] = parentPayload;
      index = parent;
    }
    times[index] = time;
    keys[index] = key;
    payloads[index] = payload;
  }

  /** Removes the earliest event; call `peekTime` first for its time. */
  pop(): T | undefined {
    const { times, keys, payloads } = this;
    const top = payloads[0];
    const time = times.pop();
    const key = keys.pop();
    const payload = payloads.pop();
    if (top === undefined || time === undefined || key === undefined || payload === undefined)
      return undefined;
    const length = times.length;
    if (length === 0) return top;
    // Sift the last event down from the root with a hole.
    let index = 0;
    for (;;) {
      const left = 2 * index + 1;
      if (left >= length) break;
      const right = left + 1;
      let child = left;
      if (right < length) {
        const leftTime: number = times[left] ?? time;
        const rightTime: number = times[right] ?? time;
        if (rightTime < leftTime || (rightTime === leftTime && (keys[right] ?? key) < (keys[left] ?? key)))
          child = right;
      }
      const childTime: number = times[child] ?? time;
      const childKey: number = keys[child] ?? key;
      const childPayload = payloads[child];
      if (time < childTime || (time === childTime && key < childKey) || childPayload === undefined) break;
      times[index] = childTime;
      keys[index] = childKey;
      payloads[index] = childPayload;
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
