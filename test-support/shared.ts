import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Root of this repository. */
export const repoRoot = resolve(fileURLToPath(new URL('..', import.meta.url)));

/**
 * Absolute path of a file under the project's shared data folder (`../shared` beside the
 * repository, or `$LLM_SIM_SHARED`). Only scripts that derive committed data from it use this
 * (extract-kernel-medians); tests, benchmarks and validation read the committed copies (`dataPath`).
 */
export function sharedPath(...parts: string[]): string {
  const base = process.env.LLM_SIM_SHARED ?? resolve(repoRoot, '..', 'shared');
  const path = resolve(base, ...parts);
  if (!existsSync(path))
    throw new Error(`shared data not found: ${path} (set LLM_SIM_SHARED to the shared/ folder)`);
  return path;
}
