import type { BatchingPolicy } from '@sim/scheduler';
import { type RouterPolicy, registerName } from '@sim/specs';
import { PrefixAffinity } from './prefix-affinity-router';
import type { RandomSource } from './random-streams';

/** What a router sees of one data-parallel replica. */
export interface RoutedReplica {
  /** Requests routed to it that have not finished (or timed out). */
  readonly outstanding: number;
  /** Its virtual engines, one per pipeline stage; each one's scheduler (KV blocks, waiting and running counts). */
  readonly engines: readonly { readonly policy: BatchingPolicy }[];
}

/** What a router knows of the request it routes (what a real router sees: its prompt's shape). */
export interface RoutedRequest {
  readonly id: number;
  /** Prompt length, in tokens. */
  readonly inputTokens: number;
  /** Its shared-prefix group (`workloadSpec.prefixSharing`), or −1. */
  readonly prefixGroup: number;
  /** Leading prompt tokens shared with the rest of its group (0 without a group). */
  readonly sharedPrefixTokens: number;
  /**
   * Requests with the same key ≥ 0 continue one token stream: a repeated prompt (identical prompts),
   * or a session's conversation (each turn's prompt extends the previous turn's prompt and answer);
   * −1 for a prompt of its own.
   */
  readonly promptKey: number;
  /**
   * A session's follow-up turn: the leading prompt tokens its earlier turns sent or generated (what
   * the replica that served the previous turn can hold); 0 otherwise.
   */
  readonly sessionContextTokens: number;
}

/** What a router may use besides the replicas: the run's seeded routing stream (never Math.random). */
export interface RouterContext {
  readonly random: RandomSource;
}

/**
 * Picks the replica for the next request: returns an index into `replicas`. Called only when there
 * are at least two replicas. Routers that need neither the request nor randomness may ignore them.
 */
export type Router = (
  replicas: readonly RoutedReplica[],
  request: RoutedRequest,
  context: RouterContext,
) => number;

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

/**
 * Power of two choices (Mitzenmacher): two distinct replicas drawn at random, the one with fewer
 * requests in flight (the first drawn on a tie). Nearly as balanced as least-outstanding while
 * looking at only two replicas, as routers in front of many replicas do.
 */
function powerOfTwo(
  replicas: readonly RoutedReplica[],
  _request: RoutedRequest,
  context: RouterContext,
): number {
  const count = replicas.length;
  const first = Math.floor(context.random() * count);
  const second = (first + 1 + Math.floor(context.random() * (count - 1))) % count;
  const outstanding = (index: number) => replicas[index]?.outstanding ?? Number.POSITIVE_INFINITY;
  return outstanding(second) < outstanding(first) ? second : first;
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
  ['power-of-two', () => powerOfTwo],
  [
    'prefix-affinity',
    () => {
      const affinity = new PrefixAffinity();
      return (replicas, request) => affinity.route(replicas, request, leastOutstanding(replicas));
    },
  ],
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
 * (fewest KV blocks in use plus waiting requests), `power-of-two` (the less loaded of two random
 * replicas), `prefix-affinity` (the replica that served this request's prefix, unless it is short
 * or that replica is overloaded). With one replica the router is not asked.
 */
export class ReplicaRouter {
  private readonly name: RouterPolicy;
  private readonly route: Router;
  private readonly context: RouterContext;

  /** `random`: the run's routing stream. */
  constructor(name: RouterPolicy, random: RandomSource) {
    const factory = routers.get(name);
    if (factory === undefined)
      throw new Error(`no replica router named "${name}" (registered: ${routerNames().join(', ')})`);
    this.name = name;
    this.route = factory();
    this.context = { random };
  }

  /** The index of the replica for `request`. */
  pick(replicas: readonly RoutedReplica[], request: RoutedRequest): number {
    const count = replicas.length;
    if (count === 1) return 0;
    const index = this.route(replicas, request, this.context);
    if (!Number.isInteger(index) || index < 0 || index >= count)
      throw new RangeError(
        `router "${this.name}" picked replica ${index}; it must return an index from 0 to ${count - 1}`,
      );
    return index;
  }
}
