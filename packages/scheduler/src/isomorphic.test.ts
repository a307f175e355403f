import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleForBrowser, isNodeBuiltin, runInWebContext } from '@sim/test-support';
import { describe, expect, it } from 'vitest';

const packageDir = dirname(dirname(fileURLToPath(import.meta.url)));

describe('@sim/scheduler in a browser', () => {
  it('bundles for platform browser with no Node built-in, and its policies load there', async () => {
    const bundle = await bundleForBrowser("export * from '@sim/scheduler';", packageDir);
    expect(bundle.imports.filter(isNodeBuiltin)).toEqual([]);
    expect(runInWebContext(bundle, 'bundle.policyNames().join()')).toMatch(/continuous/);
  });
});
