import { loadConfigFile, type SimulatorConfig } from '@sim/engine/node';
import { type ConfigDraft, engineInput } from './config-draft';
import { positiveInteger, positiveNumber } from './input-error';
import { useRequestTrace } from './request-trace';
import { applyOverride } from './set-override';

/** Flags shared by every command that builds a config: a file, `--set` overrides, shortcuts. */
export interface ConfigFlags {
  config?: string;
  set: string[];
  model?: string;
  gpu?: string;
  tp?: string;
  /** Data-parallel replicas (parallelismSpec.dataParallelSize; GPUs per node follow). */
  replicas?: string;
  /** Replica router name (parallelismSpec.router). */
  router?: string;
  /** Spread an MoE model's experts over all DP × TP GPUs (parallelismSpec.expertParallel). */
  expertParallel?: boolean;
  /** Arrival rate, req/s (workloadSpec.arrivalRate). */
  rate?: string;
  /** A request trace CSV (workloadSpec.traceFile; see useRequestTrace). */
  trace?: string;
}

/** How `buildConfig` treats the flags. */
export interface BuildOptions {
  /** Use only the trace's lengths, never its arrival times, giving this reason (the planner searches the rate). */
  readonly traceLengthsOnly?: string;
  /** Receives a note for stderr (e.g. that a trace's lengths are used with generated arrivals). */
  readonly onNote?: (note: string) => void;
}

/**
 * The config the flags describe: the file (or the defaults), then the shortcuts (`--model`,
 * `--gpu`, `--tp`, `--replicas`, `--router`, `--expert-parallel`, `--rate`), then each `--set` in
 * order, then `--trace`.
 */
export function buildConfig(flags: ConfigFlags, options: BuildOptions = {}): SimulatorConfig {
  const config: ConfigDraft = flags.config === undefined ? {} : { ...loadConfigFile(flags.config) };
  if (flags.model !== undefined) applyOverride(config, `modelSpec.name=${flags.model}`);
  if (flags.gpu !== undefined) applyOverride(config, `clusterSpec.gpuSpec.name=${flags.gpu}`);
  if (flags.tp !== undefined) {
    applyOverride(config, `parallelismSpec.tensorParallelSize=${flags.tp}`);
    applyOverride(config, `clusterSpec.nGpusPerNode=${flags.tp}`);
  }
  if (flags.replicas !== undefined) {
    const replicas = positiveInteger(flags.replicas, '--replicas');
    const parallelism = config.parallelismSpec;
    const degree = (key: string) => {
      const value =
        typeof parallelism === 'object' && parallelism !== null ? Reflect.get(parallelism, key) : undefined;
      return typeof value === 'number' ? value : 1;
    };
    applyOverride(config, `parallelismSpec.dataParallelSize=${replicas}`);
    applyOverride(
      config,
      `clusterSpec.nGpusPerNode=${degree('tensorParallelSize') * degree('pipelineParallelSize') * replicas}`,
    );
  }
  if (flags.router !== undefined) applyOverride(config, `parallelismSpec.router=${flags.router}`);
  if (flags.expertParallel === true) applyOverride(config, 'parallelismSpec.expertParallel=true');
  if (flags.rate !== undefined)
    applyOverride(config, `workloadSpec.arrivalRate=${positiveNumber(flags.rate, '--rate')}`);
  for (const assignment of flags.set) applyOverride(config, assignment);
  if (flags.trace !== undefined) {
    const why =
      options.traceLengthsOnly ?? (flags.rate === undefined ? undefined : '--rate sets the arrivals');
    const note = useRequestTrace(config, flags.trace, {
      lengthsOnly: why !== undefined,
      ...(why === undefined ? {} : { why }),
    });
    if (note !== undefined) options.onNote?.(note);
  }
  return engineInput(config);
}

/** Commander collector for repeatable options. */
export const collect = (value: string, previous: string[]) => [...previous, value];
