import { isJsonObject } from '@sim/specs';
import { type JsonObject, mergeConfig } from './config-path';

const PREFIX = '#config=';

/** The playground's defaults: every field the user leaves out takes the simulator's own default. */
export const DEFAULT_CONFIG: JsonObject = {};

/** What a URL fragment holds. */
export type FragmentConfig =
  | { readonly kind: 'none' }
  | { readonly kind: 'config'; readonly config: JsonObject }
  | { readonly kind: 'invalid'; readonly message: string };

/**
 * Reads `#config=<URL-encoded JSON of a (possibly partial) SimulatorConfig>`, merged onto
 * {@link DEFAULT_CONFIG}. Anything else in the fragment is ignored; a fragment that is not
 * decodable JSON of an object is reported, not thrown.
 */
export function readFragment(hash: string): FragmentConfig {
  if (!hash.startsWith(PREFIX)) return { kind: 'none' };
  let parsed: unknown;
  try {
    parsed = JSON.parse(decodeURIComponent(hash.slice(PREFIX.length)));
  } catch (error) {
    return { kind: 'invalid', message: `the link's #config= is not URL-encoded JSON (${errorText(error)})` };
  }
  if (!isJsonObject(parsed))
    return { kind: 'invalid', message: "the link's #config= must be a JSON object (a SimulatorConfig)" };
  return { kind: 'config', config: mergeConfig(DEFAULT_CONFIG, parsed) };
}

/** The fragment of a config: `#config=` and its URL-encoded JSON. */
export function writeFragment(config: JsonObject): string {
  return `${PREFIX}${encodeURIComponent(JSON.stringify(config))}`;
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
