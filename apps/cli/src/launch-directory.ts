/** Package-manager scripts that run the CLI on the user's behalf (`pnpm sim`, `pnpm --filter @sim/cli start`). */
const LAUNCH_SCRIPTS: ReadonlySet<string> = new Set(['sim', 'start']);

/**
 * The directory the user stands in, against which relative paths on the command line are read.
 * pnpm runs a workspace script from the package's folder (the root for `pnpm sim`) and records
 * where it was invoked in INIT_CWD; any other launch (the bin directly, a test) uses `cwd`.
 */
export function launchDirectory(env: Readonly<Record<string, string | undefined>>, cwd: string): string {
  const invokedFrom = env.INIT_CWD;
  const script = env.npm_lifecycle_event;
  return invokedFrom !== undefined && invokedFrom !== '' && script !== undefined && LAUNCH_SCRIPTS.has(script)
    ? invokedFrom
    : cwd;
}
