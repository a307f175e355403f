import { isJsonObject } from '@sim/specs';

/** A JSON object (what a config and its sections are). `isJsonObject` (@sim/specs) tells one. */
export type JsonObject = { [key: string]: unknown };

/** The value at a dotted path (`workloadSpec.arrivalRate`), or undefined. */
export function getPath(config: JsonObject, path: string): unknown {
  let node: unknown = config;
  for (const key of path.split('.')) {
    if (!isJsonObject(node)) return undefined;
    node = node[key];
  }
  return node;
}

/**
 * A copy of `config` with the dotted `path` set to `value`, or removed when `value` is undefined
 * (sections left empty are removed too, so the config stays as small as what the user set).
 */
export function setPath(config: JsonObject, path: string, value: unknown): JsonObject {
  return setIn(config, path.split('.'), value);
}

function setIn(node: JsonObject, keys: readonly string[], value: unknown): JsonObject {
  const [key, ...rest] = keys;
  if (key === undefined) return node;
  const copy: JsonObject = { ...node };
  if (rest.length === 0) {
    if (value === undefined) delete copy[key];
    else copy[key] = value;
    return copy;
  }
  const child = isJsonObject(node[key]) ? node[key] : {};
  const updated = setIn(child, rest, value);
  if (Object.keys(updated).length === 0) delete copy[key];
  else copy[key] = updated;
  return copy;
}

/** `override` merged onto `base`: objects merge key by key, anything else (arrays too) replaces. */
export function mergeConfig(base: JsonObject, override: JsonObject): JsonObject {
  const merged: JsonObject = { ...base };
  for (const [key, value] of Object.entries(override)) {
    const current = merged[key];
    merged[key] = isJsonObject(current) && isJsonObject(value) ? mergeConfig(current, value) : value;
  }
  return merged;
}
