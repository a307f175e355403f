import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPOSITORY_ROOT, shell } from './capture-cli';
import { launchDirectory } from './launch-directory';

// `pnpm sim` builds the CLI first (turbo; cached when nothing changed, minutes after a change).
const PNPM_TIMEOUT_MS = 300_000;

describe('commands work from any directory, with paths relative to where the user stands', () => {
  it("launchDirectory: INIT_CWD under `pnpm sim` (and the CLI package's start script), else the process cwd", () => {
    expect(launchDirectory({ INIT_CWD: '/work/here', npm_lifecycle_event: 'sim' }, '/repo')).toBe(
      '/work/here',
    );
    expect(launchDirectory({ INIT_CWD: '/work/here', npm_lifecycle_event: 'start' }, '/repo')).toBe(
      '/work/here',
    );
    // Inside another script (a test run) INIT_CWD is that script's, not the CLI user's.
    expect(launchDirectory({ INIT_CWD: '/work/here', npm_lifecycle_event: 'test' }, '/repo')).toBe('/repo');
    expect(launchDirectory({}, '/repo')).toBe('/repo');
  });

  it(
    '`pnpm -s sim ... --json` from the root prints only JSON on stdout (pipeable)',
    () => {
      const { code, stdout, stderr } = shell(
        'pnpm -s sim run --json --set simulation_duration_s=5',
        REPOSITORY_ROOT,
        PNPM_TIMEOUT_MS,
      );
      expect(code, stderr).toBe(0);
      const output = JSON.parse(stdout);
      expect(output.simulatedDurationS).toBeGreaterThan(0);
      expect(output.resolvedConfig.simulationDurationS).toBe(5);
      // And through a pipe, as the README shows with jq.
      const piped = shell(
        `pnpm -s sim run --json --set simulation_duration_s=5 | node -e "process.stdout.write(String(JSON.parse(require('fs').readFileSync(0, 'utf8')).totalRequests))"`,
        REPOSITORY_ROOT,
        PNPM_TIMEOUT_MS,
      );
      expect(piped.code, piped.stderr).toBe(0);
      expect(Number(piped.stdout)).toBe(output.totalRequests);
    },
    PNPM_TIMEOUT_MS,
  );

  it(
    '`pnpm -w -s sim` from inside a package folder reads and writes files relative to that folder',
    () => {
      mkdirSync(join(REPOSITORY_ROOT, 'apps/cli/test-output'), { recursive: true });
      const here = mkdtempSync(join(REPOSITORY_ROOT, 'apps/cli/test-output/cwd-'));
      writeFileSync(
        join(here, 'deployment.yaml'),
        'simulation_duration_s: 5\nworkload_spec: { arrival_rate: 3 }\n',
      );
      const { code, stdout, stderr } = shell(
        'pnpm -w -s sim run --config deployment.yaml --csv requests.csv --json',
        here,
        PNPM_TIMEOUT_MS,
      );
      expect(code, stderr).toBe(0);
      expect(JSON.parse(stdout).resolvedConfig.workloadSpec.arrivalRate).toBe(3);
      expect(existsSync(join(here, 'requests.csv'))).toBe(true);
      expect(existsSync(join(REPOSITORY_ROOT, 'requests.csv'))).toBe(false);
      rmSync(here, { recursive: true });
    },
    PNPM_TIMEOUT_MS,
  );

  it(
    '`pnpm -s sim` from a folder that is not a package reads paths relative to it',
    () => {
      const docs = join(REPOSITORY_ROOT, 'docs');
      const config = relative(docs, join(REPOSITORY_ROOT, 'examples/configs/basic.yaml'));
      const { code, stdout, stderr } = shell(`pnpm -s sim validate ${config}`, docs, PNPM_TIMEOUT_MS);
      expect(code, stderr).toBe(0);
      expect(stdout).toBe(`${config}: valid (llama-7b on A100-80GB)\n`);
    },
    PNPM_TIMEOUT_MS,
  );
});
