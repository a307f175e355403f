/** The growable typed arrays of the engine's per-request and per-group bookkeeping. */
export type GrowableArray = Float64Array | Int32Array | Uint8Array;

/**
 * `array` when `index` fits in it; otherwise a copy of it, doubled until `index` fits (amortized
 * O(1) appends). The caller keeps the returned array.
 */
export function withRoomFor<T extends GrowableArray>(array: T, index: number): T {
  if (index < array.length) return array;
  let length = Math.max(1, array.length) * 2;
  while (length <= index) length *= 2;
  const grown = new (array.constructor as new (length: number) => T)(length);
  grown.set(array);
  return grown;
}
