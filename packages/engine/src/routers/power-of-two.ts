import type { RouterFactory } from '../replica-router';

/**
 * `power-of-two` (Mitzenmacher's power of two choices): two distinct replicas drawn at random from
 * the run's routing stream, the one with fewer requests in flight (the first drawn on a tie). Nearly
 * as balanced as least-outstanding while looking at only two replicas, as routers in front of many
 * replicas do.
 */
export const powerOfTwo: RouterFactory = () => (replicas, _request, context) => {
  const count = replicas.length;
  const first = Math.floor(context.random() * count);
  const second = (first + 1 + Math.floor(context.random() * (count - 1))) % count;
  const outstanding = (index: number) => replicas[index]?.outstanding ?? Number.POSITIVE_INFINITY;
  return outstanding(second) < outstanding(first) ? second : first;
};
