import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { resolveConfig } from '@sim/specs';
import { bundleForBrowser, isNodeBuiltin, runInWebContext } from '@sim/test-support';
import { describe, expect, it } from 'vitest';

const packageDir = dirname(dirname(fileURLToPath(import.meta.url)));
const config = { model_spec: { name: 'llama-3.1-8b' }, cluster_spec: { gpu_spec: { name: 'H100' } } };

describe('@sim/specs in a browser', () => {
  it('bundles for platform browser with no Node built-in, and validates configs there', async () => {
    const bundle = await bundleForBrowser("export * from '@sim/specs';", packageDir);
    expect(bundle.imports.filter(isNodeBuiltin)).toEqual([]);
    expect(bundle.imports).toContain('packages/specs/src/platform/default.ts');
    const result = runInWebContext(
      bundle,
      `const issues = (config) => { try { bundle.resolveConfig(config); return []; } catch (error) { return error.issues.map((issue) => issue.code + ' ' + issue.path); } };
       JSON.stringify({
         resolved: bundle.resolveConfig(${JSON.stringify(config)}),
         noReader: issues({ workloadSpec: { traceFile: 'trace.csv' } }),
         typo: issues({ workloadSpec: { arrivalRat: 3 } }),
       })`,
    );
    expect(JSON.parse(result as string)).toEqual({
      resolved: JSON.parse(JSON.stringify(resolveConfig(config))),
      noReader: ['no_file_access workloadSpec.traceFile'],
      typo: ['unknown_key workloadSpec.arrivalRat'],
    });
  });

  it('fails to bundle its Node entry (the check can fail)', async () => {
    await expect(bundleForBrowser("export * from '@sim/specs/node';", packageDir)).rejects.toThrow(
      /Could not resolve "node:fs"/,
    );
  });

  it('depends on no YAML parser (config files are read by @sim/engine/node)', () => {
    const manifest = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8')) as {
      dependencies?: Record<string, string>;
    };
    expect(Object.keys(manifest.dependencies ?? {})).toEqual(['zod']);
  });
});
