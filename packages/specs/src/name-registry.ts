/*
 * Names a config selects that other packages can add to. @sim/specs validates configs but cannot
 * import the packages that implement the names (the scheduler's batching policies, the engine's
 * replica routers, the engine's arrival processes, the perf model's engine profiles), so those
 * packages register each name here when they register its implementation (`registerPolicy`,
 * `registerRouter`, `registerArrivalProcess`, `registerEngineProfile`), and validation accepts the
 * built-ins plus every registered name.
 */

/**
 * The config fields whose accepted names can be extended: `schedulerSpec.batchingType`,
 * `parallelismSpec.router`, `workloadSpec.arrivalProcess`, `engineProfile`.
 */
export type RegistrableField = 'batchingType' | 'router' | 'arrivalProcess' | 'engineProfile';

/** The batching policies built into @sim/scheduler. */
export const BUILT_IN_BATCHING_TYPES = ['static', 'dynamic', 'continuous'] as const;

/** The replica routers built into @sim/engine. */
export const BUILT_IN_ROUTERS = [
  'round-robin',
  'least-outstanding',
  'least-kv',
  'power-of-two',
  'prefix-affinity',
  'scored',
] as const;

/** The arrival processes built into @sim/engine's workload generator. */
export const BUILT_IN_ARRIVAL_PROCESSES = [
  'poisson',
  'deterministic',
  'gamma',
  'trace',
  'closed-loop',
] as const;

/**
 * The engine profiles built into @sim/perf-model: `vllm` (vLLM's V1 engine, the default), `vllm-v0`
 * (the 2023-era engine), `trtllm`, `sglang`, `gpt-fast` and `ideal` (no CPU overhead).
 */
export const BUILT_IN_ENGINE_PROFILES = ['vllm', 'vllm-v0', 'trtllm', 'sglang', 'gpt-fast', 'ideal'] as const;

const builtIn: Readonly<Record<RegistrableField, readonly string[]>> = {
  batchingType: BUILT_IN_BATCHING_TYPES,
  router: BUILT_IN_ROUTERS,
  arrivalProcess: BUILT_IN_ARRIVAL_PROCESSES,
  engineProfile: BUILT_IN_ENGINE_PROFILES,
};

const added: Record<RegistrableField, Set<string>> = {
  batchingType: new Set(),
  router: new Set(),
  arrivalProcess: new Set(),
  engineProfile: new Set(),
};

/** Makes `name` a valid value of `field` in configs (built-in names are always valid). */
export function registerName(field: RegistrableField, name: string): void {
  if (name.trim() === '') throw new Error(`a ${field} name must not be empty`);
  if (!builtIn[field].includes(name)) added[field].add(name);
}

/** Every name `field` accepts: the built-ins, then the registered ones in registration order. */
export function registeredNames(field: RegistrableField): string[] {
  return [...builtIn[field], ...added[field]];
}

/** Whether `field` accepts `name`. */
export function isRegisteredName(field: RegistrableField, name: string): boolean {
  return builtIn[field].includes(name) || added[field].has(name);
}
