import type { RouterFactory } from '../replica-router';

/** `round-robin`: replicas in turn, whatever their load (the run's own counter). */
export const roundRobin: RouterFactory = () => {
  let counter = 0;
  return (replicas) => counter++ % replicas.length;
};
