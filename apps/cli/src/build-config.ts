import { loadConfigFile, type SimulatorConfig } from '@sim/engine';
import { applyOverride } from './set-override';

/** Flags shared by every command that builds a config: a file, `--set` overrides, preset shortcuts. */
export interface ConfigFlags {
  config?: string;
  set: string[];
  model?: string;
  gpu?: string;
  tp?: string;
}

/** The config the flags describe: the file (or the defaults), then the shortcuts, then each `--set` in order. */
export function buildConfig(flags: ConfigFlags): SimulatorConfig {
  const config = (flags.config === undefined ? {} : loadConfigFile(flags.config)) as Record<string, unknown>;
  if (flags.model !== undefined) applyOverride(config, `modelSpec.name=${flags.model}`);
  if (flags.gpu !== undefined) applyOverride(config, `clusterSpec.gpuSpec.name=${flags.gpu}`);
  if (flags.tp !== undefined) {
    applyOverride(config, `parallelismSpec.tensorParallelSize=${flags.tp}`);
    applyOverride(config, `clusterSpec.nGpusPerNode=${flags.tp}`);
  }
  for (const assignment of flags.set) applyOverride(config, assignment);
  return config as SimulatorConfig;
}

/** Commander collector for repeatable options. */
export const collect = (value: string, previous: string[]) => [...previous, value];
