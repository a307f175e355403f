import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createPerfModel } from '@sim/perf-model';
import { resolveConfig } from '@sim/specs';
import { bundleForBrowser, isNodeBuiltin, repoRoot, runInWebContext } from '@sim/test-support';
import { describe, expect, it } from 'vitest';

const packageDir = dirname(dirname(fileURLToPath(import.meta.url)));

interface Manifest {
  readonly name: string;
  readonly dependencies?: Record<string, string>;
}

/** The workspace's package manifests by name. */
function workspaceManifests(): Map<string, Manifest> {
  const manifests = new Map<string, Manifest>();
  for (const folder of ['specs', 'perf-model', 'scheduler', 'engine']) {
    const manifest = JSON.parse(
      readFileSync(join(repoRoot, 'packages', folder, 'package.json'), 'utf8'),
    ) as Manifest;
    manifests.set(manifest.name, manifest);
  }
  return manifests;
}

/** Every package a user's install of `name` brings in: dependencies, transitively through the workspace's. */
function installClosure(name: string): string[] {
  const manifests = workspaceManifests();
  const seen = new Set<string>();
  const visit = (dependency: string) => {
    for (const next of Object.keys(manifests.get(dependency)?.dependencies ?? {})) {
      if (seen.has(next)) continue;
      seen.add(next);
      visit(next);
    }
  };
  visit(name);
  return [...seen].sort();
}

describe('@sim/perf-model alone', () => {
  it('installs only what it computes with: the specs and their validator, no YAML parser, RNG, CLI or worker pool', () => {
    expect(installClosure('@sim/perf-model')).toEqual(['@sim/specs', 'zod']);
    // The check can fail: the engine's closure holds its RNG and config-file parser.
    expect(installClosure('@sim/engine')).toEqual(expect.arrayContaining(['seedrandom', 'yaml']));
  });

  it('bundles for platform browser with no Node built-in and computes there as under Node', async () => {
    const bundle = await bundleForBrowser(
      "export * from '@sim/perf-model'; export { resolveConfig } from '@sim/specs';",
      packageDir,
    );
    expect(bundle.imports.filter(isNodeBuiltin)).toEqual([]);
    const config = { modelSpec: { name: 'llama-2-7b' } };
    const times = runInWebContext(
      bundle,
      `const perf = bundle.createPerfModel(bundle.resolveConfig(${JSON.stringify(config)}));
       JSON.stringify([perf.prefillTime(512), perf.decodeStepTime(32, 1024), perf.memory.kvCapacityTokens])`,
    );
    const perf = createPerfModel(resolveConfig(config));
    expect(times).toBe(
      JSON.stringify([perf.prefillTime(512), perf.decodeStepTime(32, 1024), perf.memory.kvCapacityTokens]),
    );
  });
});
