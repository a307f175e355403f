import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Root of this repository. */
export const repoRoot = resolve(fileURLToPath(new URL('../../..', import.meta.url)));
