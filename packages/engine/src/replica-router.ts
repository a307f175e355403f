import type { RouterPolicy } from '@sim/specs';
import type { Replica } from './virtual-engine';

/**
 * Picks the data-parallel replica a new request goes to (`parallelismSpec.router`):
 * `least-outstanding` (fewest requests in flight), `least-kv` (fewest KV blocks in use plus waiting
 * requests), or round robin. Ties go to the lowest index.
 */
export class ReplicaRouter {
  private readonly policy: RouterPolicy;
  private counter = 0;

  constructor(policy: RouterPolicy) {
    this.policy = policy;
  }

  /** The index of the replica for the next request. */
  pick(replicas: readonly Replica[]): number {
    const count = replicas.length;
    if (count === 1) return 0;
    switch (this.policy) {
      case 'least-outstanding': {
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
      case 'least-kv': {
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
      default:
        return this.counter++ % count;
    }
  }
}
