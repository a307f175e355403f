import { resolve } from 'node:path';
import { repoRoot } from './repo-root';

/**
 * Absolute path of a file under the repository's committed `data/` folder (workload traces copied
 * from the project's shared data, sources in `data/traces/README.md`). Tests and benchmarks read
 * these, so a clone without `../shared` beside it passes `pnpm check`.
 */
export function dataPath(...parts: string[]): string {
  return resolve(repoRoot, 'data', ...parts);
}
