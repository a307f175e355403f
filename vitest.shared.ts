import { defineProject, type UserWorkspaceConfig } from 'vitest/config';

/**
 * Shared per-package vitest settings. Each package's `vitest.config.ts` calls this so that tests
 * resolve sibling packages to their TypeScript source (the `@sim/source` export condition) and
 * never need a build first.
 */
export function simProject(name: string, extra: UserWorkspaceConfig['test'] = {}) {
  const conditions = ['@sim/source', 'import', 'module', 'node', 'default'];
  return defineProject({
    resolve: { conditions },
    ssr: { resolve: { conditions, externalConditions: ['@sim/source'] } },
    test: {
      name,
      include: ['src/**/*.test.ts', 'test/**/*.test.ts', 'scripts/**/*.test.ts'],
      environment: 'node',
      testTimeout: 60_000,
      // Setup hooks that run a whole simulation or fit (calibration's round trip) share 2 CPUs with
      // every other package's tests under turbo: give them the tests' budget, not vitest's 10 s.
      hookTimeout: 60_000,
      ...extra,
    },
  });
}
