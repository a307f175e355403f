import type { RoutedReplica, RouterFactory } from '../replica-router';

/** The replica with the fewest requests in flight; ties go to the lowest index. */
export function leastOutstandingOf(replicas: readonly RoutedReplica[]): number {
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

/** `least-outstanding`: fewest requests in flight (the router's own count, always current). */
export const leastOutstanding: RouterFactory = () => leastOutstandingOf;
