import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { main } from './cli';

/** Test support: runs the CLI in this process and captures what it writes. */
export async function captureCli(
  ...argv: string[]
): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, { stdout: (text) => (stdout += text), stderr: (text) => (stderr += text) });
  return { code, stdout, stderr };
}

/** The repository root. */
export const REPOSITORY_ROOT = resolve(fileURLToPath(new URL('../../..', import.meta.url)));

/** The built `llm-sim` binary (turbo builds the CLI before its tests). */
export const BINARY = resolve(REPOSITORY_ROOT, 'apps/cli/dist/bin.js');

/** The environment of a user's shell: without the variables of the package-manager script running the tests. */
export function shellEnvironment(): NodeJS.ProcessEnv {
  return Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !name.startsWith('npm_') && name !== 'INIT_CWD'),
  );
}

/** Test support: runs a command line with bash in `cwd`, as a user's shell would. */
export function shell(
  command: string,
  cwd: string,
  timeoutMs = 120_000,
): { code: number; stdout: string; stderr: string } {
  const result = spawnSync('bash', ['-c', command], {
    cwd,
    env: shellEnvironment(),
    encoding: 'utf8',
    timeout: timeoutMs,
    maxBuffer: 1 << 26,
  });
  return { code: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
}

/** Test support: the built binary, or an error saying to build it. */
export function requireBinary(): string {
  if (!existsSync(BINARY))
    throw new Error(`${BINARY} is missing: run \`pnpm --filter @sim/cli build\` first`);
  return BINARY;
}

/** Test support: runs the built binary with arguments in `cwd`; returns its stdout (throws on a non-zero exit). */
export function runBinary(argv: readonly string[], cwd = REPOSITORY_ROOT): string {
  return execFileSync(process.execPath, [requireBinary(), ...argv], {
    cwd,
    env: shellEnvironment(),
    encoding: 'utf8',
    maxBuffer: 1 << 26,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}
