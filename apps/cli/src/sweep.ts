import { ConfigError, type SimulatorConfig } from '@sim/engine';
import { parse as parseYaml } from 'yaml';
import { type ConfigDraft, engineInput } from './config-draft';
import { applyOverride } from './set-override';
import { type PointOutcome, runPoint } from './sweep-point';
import { mapOnWorkers } from './worker-pool';

/** One varied parameter: a config path (or shortcut) and its values. */
export interface Variation {
  /** As given on the command line (`tp`, `workloadSpec.arrivalRate`, ...). */
  readonly name: string;
  readonly values: readonly unknown[];
}

/** Shortcuts for the most-swept fields. `tp` also sets the GPUs per node, as the quick-start does. */
const SHORTCUTS: Readonly<Record<string, readonly string[]>> = {
  rate: ['workloadSpec.arrivalRate'],
  tp: ['parallelismSpec.tensorParallelSize', 'clusterSpec.nGpusPerNode'],
  gpu: ['clusterSpec.gpuSpec.name'],
  model: ['modelSpec.name'],
  'batch-size': ['schedulerSpec.maxBatchSize', 'workloadSpec.batchSize'],
};

/** Parses `--vary PATH=v1,v2,...` (values as YAML scalars: numbers, booleans, strings). */
export function parseVariation(text: string): Variation {
  const equals = text.indexOf('=');
  const values =
    equals > 0
      ? text
          .slice(equals + 1)
          .split(',')
          .filter((value) => value.trim() !== '')
      : [];
  if (equals <= 0 || values.length === 0)
    throw new ConfigError([
      {
        code: 'invalid_value',
        path: text,
        message: `--vary expects PATH=v1,v2,... (e.g. workloadSpec.arrivalRate=1,5,10 or tp=1,2,4), got "${text}".`,
      },
    ]);
  return { name: text.slice(0, equals), values: values.map((value): unknown => parseYaml(value.trim())) };
}

/** Every combination of the variations (the first varies slowest), with the config of each. */
export function expandSweep(
  base: SimulatorConfig,
  variations: readonly Variation[],
): { values: unknown[]; config: SimulatorConfig }[] {
  let points: { values: unknown[]; config: SimulatorConfig }[] = [{ values: [], config: base }];
  for (const variation of variations) {
    const next: typeof points = [];
    for (const point of points) {
      for (const value of variation.values) {
        const draft: ConfigDraft = { ...structuredClone(point.config) };
        for (const path of SHORTCUTS[variation.name] ?? [variation.name])
          applyOverride(draft, `${path}=${JSON.stringify(value)}`);
        next.push({ values: [...point.values, value], config: engineInput(draft) });
      }
    }
    points = next;
  }
  return points;
}

/**
 * Runs the points on worker threads (tinypool) when more than one worker is allowed and the
 * compiled worker exists; otherwise in this thread. Results keep the points' order.
 */
export function runSweep(
  configs: readonly SimulatorConfig[],
  options: { workers?: number; onPointDone?: (done: number) => void } = {},
): Promise<PointOutcome[]> {
  return mapOnWorkers('sweep-worker', configs, runPoint, {
    ...(options.workers === undefined ? {} : { workers: options.workers }),
    ...(options.onPointDone === undefined ? {} : { onDone: options.onPointDone }),
  });
}
