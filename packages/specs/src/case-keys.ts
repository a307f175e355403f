import type { SimulatorConfig } from './simulator-config';

/** `simulation_duration_s` → `simulationDurationS`; camelCase keys pass through unchanged. */
export function snakeToCamel(key: string): string {
  return key.replace(/_+([a-z0-9])/gi, (_, letter: string) => letter.toUpperCase());
}

/**
 * Deep copy of `value` with every object key converted from snake_case to camelCase (values are
 * untouched), so configs written with the quick-start's Python names load as they are. A
 * {@link SimulatorConfig} (camelCase by its type) comes back as one: its keys are kept, and
 * snake_case spellings a caller slipped past the type are converted to the ones it names.
 */
export function camelizeKeys(value: SimulatorConfig): SimulatorConfig;
export function camelizeKeys(value: unknown): unknown;
export function camelizeKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(camelizeKeys);
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [key, inner] of Object.entries(value)) out[snakeToCamel(key)] = camelizeKeys(inner);
  return out;
}
