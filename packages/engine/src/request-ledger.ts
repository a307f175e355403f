import { withRoomFor } from './typed-array-room';

/**
 * The requests of a run by id (ids are given in arrival order): when each arrived, which have left
 * (finished, rejected or timed out), the replica each was routed to (when asked to track it), and
 * the closed-loop client that sent it. O(1) per request.
 */
export class RequestLedger {
  /** Requests arrived that have not left. */
  inSystem = 0;
  private nextId = 0;
  /** Lowest id that has not left. */
  private oldestOpen = 0;
  private arrivalTimes = new Float64Array(1024);
  private leftAt = new Uint8Array(1024);
  private replicas: Int32Array | undefined;
  private readonly clientOf = new Map<number, number>();

  /** @param trackReplicas keep each request's replica (data parallelism, or per-request records). */
  constructor(trackReplicas: boolean) {
    if (trackReplicas) this.replicas = new Int32Array(1024);
  }

  /** A request arrives at `time` (from closed-loop `client`, or -1); returns its id. */
  open(time: number, client: number): number {
    const id = this.nextId++;
    this.inSystem++;
    this.arrivalTimes = withRoomFor(this.arrivalTimes, id);
    this.leftAt = withRoomFor(this.leftAt, id);
    this.arrivalTimes[id] = time;
    if (client >= 0) this.clientOf.set(id, client);
    return id;
  }

  /** Request `id` went to `replica`. */
  route(id: number, replica: number): void {
    if (this.replicas === undefined) return;
    this.replicas = withRoomFor(this.replicas, id);
    this.replicas[id] = replica;
  }

  /** The replica request `id` went to (0 when replicas are not tracked: there is one). */
  replicaOf(id: number): number {
    return this.replicas === undefined ? 0 : (this.replicas[id] ?? 0);
  }

  /** Whether request `id` has left. */
  hasLeft(id: number): boolean {
    return this.leftAt[id] === 1;
  }

  /** Request `id` leaves the system; returns the closed-loop client that sent it, if any. */
  leave(id: number): number | undefined {
    this.inSystem--;
    this.leftAt[id] = 1;
    while (this.oldestOpen < this.nextId && this.leftAt[this.oldestOpen] === 1) this.oldestOpen++;
    const client = this.clientOf.get(id);
    if (client !== undefined) this.clientOf.delete(id);
    return client;
  }

  /** How long the oldest request still in the system had been there at `time` (0 when none). */
  oldestAge(time: number): number {
    return this.oldestOpen < this.nextId ? time - (this.arrivalTimes[this.oldestOpen] ?? time) : 0;
  }
}
