import type { BatchingPolicy } from '@sim/scheduler';
import { type RouterPolicy, registerName } from '@sim/specs';

/** What a router sees of one data-parallel replica. */
export interface RoutedReplica {
  /** Requests routed to it that have not finished (or timed out). */
  readonly outstanding: number;
  /** Its virtual engines, one per pipeline stage; each one's scheduler (KV blocks, waiting and running counts). */
  readonly engines: readonly { readonly policy: BatchingPolicy }[];
}

/**
 * Picks the replica for the next request: returns an index into `replicas`. Called only when there
 * are at least two replicas.
 */
export type Router = (replicas: readonly RoutedReplica[]) => number;

/** Builds a run's router (once per run, so a router may keep state, like round robin's counter). */
export type RouterFactory = () => Router;

/** Fewest requests in flight; ties go to the lowest index. */
function leastOutstanding(replicas: readonly RoutedReplica[]): number {
  let best = 0;
  let bestOutstanding = Number.POSITIVE_INFINITY;
  replicas.forEach((replica, index) => {
    if (replica.outstanding < bestOutstanding) {
      bestOutstanding = replica.outstanding;
      best = index;
    }
  });
  return best;
}

/** Fewest KV blocks in use plus waiting requests, over the replica's stages; ties go to the lowest index. */
function leastKv(replicas: readonly RoutedReplica[]): number {
  let best = 0;
  let bestLoad = Number.POSITIVE_INFINITY;
  replicas.forEach((replica, index) => {
    let load = 0;
    for (const engine of replica.engines)
      load += engine.policy.blocks.usedBlocks + engine.policy.waitingCount;
    if (load < bestLoad) {
      bestLoad = load;
      best = index;
    }
  });
  return best;
}

const routers = new Map<string, RouterFactory>([
  [
    'round-robin',
    () => {
      let counter = 0;
      return (replicas) => counter++ % replicas.length;
    },
  ],
  ['least-outstanding', () => leastOutstanding],
  ['least-kv', () => leastKv],
]);

/**
 * Registers a router under a name, the `parallelismSpec.router` that selects it: the name becomes
 * valid in configs (@sim/specs' `registerName`) and runs with that router call `factory` once.
 * Registering a name again replaces its factory (built-ins included).
 */
export function registerRouter(name: string, factory: RouterFactory): void {
  registerName('router', name);
  routers.set(name, factory);
}

/** Names of the registered routers (built-ins first). */
export function routerNames(): string[] {
  return [...routers.keys()];
}

/**
 * Picks the data-parallel replica a new request goes to (`parallelismSpec.router`): a registered
 * router — built in: `round-robin`, `least-outstanding` (fewest requests in flight), `least-kv`
 * (fewest KV blocks in use plus waiting requests). With one replica the router is not asked.
 */
export class ReplicaRouter {
  private readonly name: RouterPolicy;
  private readonly route: Router;

  constructor(name: RouterPolicy) {
    const factory = routers.get(name);
    if (factory === undefined)
      throw new Error(`no replica router named "${name}" (registered: ${routerNames().join(', ')})`);
    this.name = name;
    this.route = factory();
  }

  /** The index of the replica for the next request. */
  pick(replicas: readonly RoutedReplica[]): number {
    const count = replicas.length;
    if (count === 1) return 0;
    const index = this.route(replicas);
    if (!Number.isInteger(index) || index < 0 || index >= count)
      throw new RangeError(
        `router "${this.name}" picked replica ${index}; it must return an index from 0 to ${count - 1}`,
      );
    return index;
  }
}
