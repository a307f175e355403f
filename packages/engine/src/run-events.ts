import type { Sequence } from '@sim/scheduler';
import type { VirtualEngine } from './virtual-engine';
import type { Arrival } from './workload-source';

/** Event kinds; at equal times they run in this order (the queue's priority). */
export const ITERATION_END = 0;
export const ARRIVAL = 1;
export const WAKE = 2;
/** A request's client timeout (workloadSpec.requestTimeoutS): after everything else at the same instant. */
export const TIMEOUT = 3;
/** A request handed to its engine after the admission delay. */
export const ADMIT = 4;
/** A prefilled request's KV cache has reached its decode instance (disaggregated serving). */
export const TRANSFER = 5;

/** An ARRIVAL's `client` for the open-loop stream (arrival processes, traces): its handling queues the next. */
export const OPEN_LOOP = -1;
/** An ARRIVAL's `client` for a session's follow-up turn (queued when its previous turn completed). */
export const FOLLOW_UP = -2;

/** What the event queue holds. */
export type RunEvent =
  | { kind: typeof ITERATION_END | typeof WAKE; engine: VirtualEngine }
  | { kind: typeof ARRIVAL; arrival: Arrival; client: number }
  | { kind: typeof TIMEOUT | typeof ADMIT | typeof TRANSFER; sequence: Sequence; engine: VirtualEngine };

/** The run's clock: the time of the event being handled (bulk decoding moves it on), and of the last one. */
export interface RunClock {
  now: number;
  lastEventTime: number;
}
