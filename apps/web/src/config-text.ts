import { ConfigError, parseConfigRecord as parseRecord } from '@sim/engine';
import { stringify } from 'yaml';
import type { JsonObject } from './config-path';

/** A config read from YAML or JSON text, or why it could not be read. */
export type ParsedConfigText =
  | { readonly kind: 'config'; readonly config: JsonObject }
  | { readonly kind: 'error'; readonly message: string };

/** A config as YAML (the page loads this module, and the YAML library, only when asked). */
export function configYaml(config: JsonObject): string {
  return stringify(config);
}

/**
 * Reads a config written as YAML or JSON (snake_case keys are camelCased, as config files are);
 * the page loads this module only when the user imports a config.
 */
export function parseConfigRecord(text: string): ParsedConfigText {
  try {
    return { kind: 'config', config: parseRecord(text, { source: 'the imported config' }) };
  } catch (error) {
    if (error instanceof ConfigError) return { kind: 'error', message: error.message };
    throw error;
  }
}
