import type {
  ConfigIssue,
  LatencyCdfs,
  PlanResult,
  ResolvedConfig,
  SimulationStatistics,
  TimeSeries,
} from '@sim/engine';
import type { JsonObject } from './config-path';

/** One parameter sweep: the config with `path` set to each of `values` in turn. */
export interface SweepSpec {
  /** Dotted config path, e.g. `workloadSpec.arrivalRate`. */
  readonly path: string;
  readonly values: readonly (number | string | boolean)[];
}

/** A capacity-planner search (a subset of @sim/engine's PlanRequest; the base config comes with the request). */
export interface PlanSpec {
  readonly targetRate: number;
  readonly ttftP99S: number;
  readonly tpotP99S?: number;
  readonly gpus: readonly string[];
  readonly maxGpus: number;
}

/** What the page asks the simulation worker to do. */
export type WorkerRequest =
  | { readonly kind: 'run'; readonly id: number; readonly config: JsonObject }
  | { readonly kind: 'sweep'; readonly id: number; readonly config: JsonObject; readonly sweep: SweepSpec }
  | { readonly kind: 'plan'; readonly id: number; readonly config: JsonObject; readonly plan: PlanSpec }
  | { readonly kind: 'cancel'; readonly id: number };

/** One finished run, as plain data. */
export interface RunResult {
  readonly statistics: SimulationStatistics;
  readonly resolvedConfig: ResolvedConfig;
  readonly timeSeries: TimeSeries;
  /** Latency CDFs from per-request records; undefined for runs too large to record every request. */
  readonly cdfs: LatencyCdfs | undefined;
  /** Wall-clock milliseconds the simulation took in the worker. */
  readonly elapsedMs: number;
}

/** One point of a sweep. */
export interface SweepPoint {
  readonly value: number | string | boolean;
  readonly statistics: SimulationStatistics;
}

/** What the worker answers. */
export type WorkerResponse =
  /** The worker's script has loaded (sent once, id 0). */
  | { readonly kind: 'ready'; readonly id: 0 }
  | { readonly kind: 'progress'; readonly id: number; readonly fraction: number }
  | { readonly kind: 'run-result'; readonly id: number; readonly result: RunResult }
  | { readonly kind: 'sweep-result'; readonly id: number; readonly points: readonly SweepPoint[] }
  | { readonly kind: 'plan-result'; readonly id: number; readonly result: PlanResult }
  | {
      readonly kind: 'error';
      readonly id: number;
      readonly message: string;
      /** The config's problems, each naming its field, when the config was invalid. */
      readonly issues?: readonly ConfigIssue[];
    }
  | { readonly kind: 'cancelled'; readonly id: number };

/** The simulation worker's name (its first request follows {@link FIRST_REQUEST} when the page has one). */
export const WORKER_NAME = 'llm-sim simulation';
/** Separates the worker's name from the JSON of the first request it is to run. */
export const FIRST_REQUEST = ' first=';

/** The first request the page put in the worker's name, if any. */
export function firstRequestOf(workerName: string): WorkerRequest | undefined {
  const start = workerName.indexOf(FIRST_REQUEST);
  if (!workerName.startsWith(WORKER_NAME) || start < 0) return undefined;
  return JSON.parse(workerName.slice(start + FIRST_REQUEST.length)) as WorkerRequest;
}
