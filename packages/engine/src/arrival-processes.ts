import { type ResolvedConfig, registerName } from '@sim/specs';
import type { RandomSource } from './random-streams';

/** Draws the gap, in seconds, before the next arrival at a mean `rate` (requests/s) from the run's arrival stream. */
export type ArrivalGap = (rate: number, random: RandomSource) => number;

/** Builds a run's gap sampler from its workload (e.g. to read a parameter the process needs). */
export type ArrivalProcessFactory = (workload: ResolvedConfig['workloadSpec']) => ArrivalGap;

const registry = new Map<string, ArrivalProcessFactory>();

/**
 * Adds an open-loop arrival process that `workloadSpec.arrivalProcess` selects by `name`: each
 * arrival comes a gap after the previous one (the first a gap after 0), the gap drawn by the
 * factory's sampler at the workload's `arrivalRate` (or each load stage's `rate`) from the run's
 * seeded arrival stream, so runs stay deterministic. Built-in names cannot be replaced.
 */
export function registerArrivalProcess(name: string, factory: ArrivalProcessFactory): void {
  if (['poisson', 'deterministic', 'gamma', 'trace', 'closed-loop'].includes(name))
    throw new RangeError(`"${name}" is a built-in arrival process; register under another name.`);
  registerName('arrivalProcess', name);
  registry.set(name, factory);
}

/** The registered process's gap sampler for this workload; undefined for the built-in processes. */
export function registeredArrivalGap(workload: ResolvedConfig['workloadSpec']): ArrivalGap | undefined {
  return registry.get(workload.arrivalProcess)?.(workload);
}
