import type { SimulatorConfig } from '@sim/specs';

/**
 * A parsed, not yet validated config, typed as the config it claims to be: `resolveConfig` (which
 * every run calls) checks every field. The one place the engine takes a parsed document on trust.
 * (Its own file, apart from the YAML parser, so that a bundle which only takes parsed objects, like
 * the playground's worker, does not carry the parser.)
 */
export function asUnvalidatedConfig(record: Record<string, unknown>): SimulatorConfig {
  return record as SimulatorConfig;
}

/** Whether a parsed value is a plain object (a mapping). */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
