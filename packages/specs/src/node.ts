import { closeSync, existsSync, openSync, readFileSync, readSync, statSync } from 'node:fs';
import type { FileReader } from './file-reader';

/**
 * The file system as a {@link FileReader}: what `@sim/specs` uses by default under Node, Deno and
 * Bun (through the package's `#file-system` import, whose `node` condition selects this module).
 */
export const nodeFileReader: FileReader = {
  exists: (path) => existsSync(path),
  readText: (path) => readFileSync(path, 'utf8'),
  readHead(path, bytes) {
    const descriptor = openSync(path, 'r');
    try {
      const buffer = Buffer.alloc(bytes);
      const length = readSync(descriptor, buffer, 0, buffer.length, 0);
      return buffer.toString('utf8', 0, length);
    } finally {
      closeSync(descriptor);
    }
  },
  stamp(path) {
    try {
      const stats = statSync(path);
      return `${stats.size}\u0000${stats.mtimeMs}`;
    } catch {
      return undefined;
    }
  },
};
