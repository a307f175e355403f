import type { SimulatorConfig } from '@sim/engine';

/**
 * A config being assembled from a file and command-line overrides (`--set`, `--vary`, the
 * shortcuts): any tree of values, unchecked until the engine resolves it.
 */
export type ConfigDraft = Record<string, unknown>;

/**
 * The draft as the engine's input. The one unchecked step of the CLI, on purpose: `resolveConfig`
 * (which every command runs, directly or through the simulator) checks every field and reports
 * each problem with its path and fix, which is what a user's bad `--set` must get, so the CLI does
 * not check twice.
 */
export function engineInput(draft: ConfigDraft): SimulatorConfig {
  return draft as SimulatorConfig;
}
