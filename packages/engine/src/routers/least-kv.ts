import type { RoutedReplica, RouterFactory } from '../replica-router';

/**
 * `least-kv`: fewest KV blocks in use plus requests waiting, as the replicas' engines last reported
 * them (see `parallelismSpec.router.stalenessS`); ties go to the lowest index.
 */
export const leastKv: RouterFactory = () => (replicas: readonly RoutedReplica[]) => {
  let best = 0;
  let bestLoad = Number.POSITIVE_INFINITY;
  replicas.forEach((replica, index) => {
    const load = replica.kvBlocksUsed + replica.waiting;
    if (load < bestLoad) {
      bestLoad = load;
      best = index;
    }
  });
  return best;
};
