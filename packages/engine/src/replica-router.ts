import type { BatchingPolicy } from '@sim/scheduler';
import { type ResolvedRouterOptions, type RouterPolicy, registerName } from '@sim/specs';
import type { RandomSource } from './random-streams';
import { leastKv } from './routers/least-kv';
import { leastOutstanding } from './routers/least-outstanding';
import { powerOfTwo } from './routers/power-of-two';
import { prefixAffinity } from './routers/prefix-affinity';
import { roundRobin } from './routers/round-robin';
import { scored } from './routers/scored';

/** What a router sees of one data-parallel replica. */
export interface RoutedReplica {
  /** Requests routed to it that have not finished (or timed out): the router's own count, always current. */
  readonly outstanding: number;
  /**
   * KV blocks in use over its pipeline stages' schedulers, as its engines last reported them to the
   * router (`parallelismSpec.router.stalenessS`; current when that is 0).
   */
  readonly kvBlocksUsed: number;
  /** KV blocks its schedulers have in all. */
  readonly kvBlocksTotal: number;
  /** Requests waiting in its schedulers, as last reported (like `kvBlocksUsed`). */
  readonly waiting: number;
  /**
   * Its virtual engines, one per pipeline stage; each one's scheduler, live (not subject to the
   * staleness a real router has: prefer the reported fields above).
   */
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
  /**
   * Its prompt's chained block hashes from a trace (`hash_ids`; id k names its first
   * (k + 1) · `hashBlockTokens` tokens); undefined without.
   */
  readonly hashIds?: Int32Array | undefined;
  /** Prompt tokens each of `hashIds` names. */
  readonly hashBlockTokens?: number;
}

/** What a router may use besides the replicas: the run's seeded routing stream (never Math.random) and the time. */
export interface RouterContext {
  readonly random: RandomSource;
  /** The simulated time of the request's arrival, seconds. */
  readonly now: number;
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

/**
 * Builds a run's router (once per run, so a router may keep state, like round robin's counter),
 * given the config's router settings (the `scored` router's weights; routers may ignore them).
 */
export type RouterFactory = (options: ResolvedRouterOptions) => Router;

const routers = new Map<string, RouterFactory>([
  ['round-robin', roundRobin],
  ['least-outstanding', leastOutstanding],
  ['least-kv', leastKv],
  ['power-of-two', powerOfTwo],
  ['prefix-affinity', prefixAffinity],
  ['scored', scored],
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

/** A replica as the router sees it: its own count, and its engines' reports as of the last refresh. */
type ReplicaView = { -readonly [K in keyof RoutedReplica]: RoutedReplica[K] };

/** What `pick` reads of each replica (its own count is copied, its engines' reports when due). */
type Routable = Pick<RoutedReplica, 'outstanding' | 'engines'>;

/**
 * Picks the data-parallel replica a new request goes to (`parallelismSpec.router`): a registered
 * router — built in: `round-robin`, `least-outstanding` (fewest requests in flight), `least-kv`
 * (fewest KV blocks in use plus waiting requests), `power-of-two` (the less loaded of two random
 * replicas), `prefix-affinity` (the replica that served this request's prefix, unless it is short
 * or that replica is overloaded), `scored` (weighted prefix, load and free-KV scores). With one
 * replica the router is not asked. The router sees each replica's engine reports (KV blocks in
 * use, requests waiting) as of its last refresh: with `stalenessS` = s > 0, the first routing
 * decision at least s after the previous refresh refreshes them, so they are up to s old.
 */
export class ReplicaRouter {
  private readonly name: RouterPolicy;
  private readonly route: Router;
  private readonly random: RandomSource;
  private readonly stalenessS: number;
  private views: ReplicaView[] = [];
  private nextRefresh = Number.NEGATIVE_INFINITY;

  /** `random`: the run's routing stream. */
  constructor(name: RouterPolicy, options: ResolvedRouterOptions, random: RandomSource) {
    const factory = routers.get(name);
    if (factory === undefined)
      throw new Error(`no replica router named "${name}" (registered: ${routerNames().join(', ')})`);
    this.name = name;
    this.route = factory(options);
    this.random = random;
    this.stalenessS = options.stalenessS;
  }

  /** The index of the replica for `request`, arriving at `now`. */
  pick(replicas: readonly Routable[], request: RoutedRequest, now: number): number {
    const count = replicas.length;
    if (count === 1) return 0;
    const views = this.viewsOf(replicas, now);
    const index = this.route(views, request, { random: this.random, now });
    if (!Number.isInteger(index) || index < 0 || index >= count)
      throw new RangeError(
        `router "${this.name}" picked replica ${index}; it must return an index from 0 to ${count - 1}`,
      );
    return index;
  }

  /** The replicas as the router sees them at `now` (engine reports refreshed when due). */
  private viewsOf(replicas: readonly Routable[], now: number): readonly RoutedReplica[] {
    if (this.views.length !== replicas.length)
      this.views = replicas.map((replica) => ({
        outstanding: 0,
        kvBlocksUsed: 0,
        kvBlocksTotal: 0,
        waiting: 0,
        engines: replica.engines,
      }));
    const refresh = now >= this.nextRefresh;
    if (refresh) this.nextRefresh = this.stalenessS > 0 ? now + this.stalenessS : now;
    replicas.forEach((replica, position) => {
      const view = this.views[position];
      if (view === undefined) return;
      view.outstanding = replica.outstanding;
      if (!refresh) return;
      let used = 0;
      let total = 0;
      let waiting = 0;
      for (const engine of replica.engines) {
        used += engine.policy.blocks.usedBlocks;
        total += engine.policy.blocks.totalBlocks;
        waiting += engine.policy.waitingCount;
      }
      view.kvBlocksUsed = used;
      view.kvBlocksTotal = total;
      view.waiting = waiting;
    });
    return this.views;
  }
}
