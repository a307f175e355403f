import { getFileReader, readTraceFile, type Trace } from '@sim/specs';

/** Most recently used traces kept in memory (sweeps and capacity searches reread the same file). */
const CAPACITY = 8;
const cache = new Map<string, Trace>();

/**
 * `readTraceFile`, memoized by path and the file reader's stamp (under Node, size and modification
 * time), so the thousands of short runs of a sweep or capacity search parse a trace once. The
 * returned arrays are shared: read only.
 */
export function readTraceCached(path: string, field?: string): Trace {
  const stamp = getFileReader()?.stamp?.(path);
  // No stamp (a missing file, no file access, a reader without stamps): let the reader decide.
  if (stamp === undefined) return readTraceFile(path, field);
  const key = `${path}\u0000${stamp}`;
  const hit = cache.get(key);
  if (hit !== undefined) {
    cache.delete(key);
    cache.set(key, hit);
    return hit;
  }
  const trace = readTraceFile(path, field);
  cache.set(key, trace);
  const oldest = cache.keys().next();
  if (cache.size > CAPACITY && oldest.done !== true) cache.delete(oldest.value);
  return trace;
}
