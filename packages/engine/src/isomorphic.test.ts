import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LLMInferenceSimulator, type SimulatorConfig } from '@sim/engine';
import { type BrowserBundle, bundleForBrowser, isNodeBuiltin, runInWebContext } from '@sim/test-support';
import { describe, expect, it } from 'vitest';

const packageDir = dirname(dirname(fileURLToPath(import.meta.url)));
const config: SimulatorConfig = { workloadSpec: { numRequests: 50, arrivalRate: 5 } };

// A short trace with arrival times, given to the browser bundle as text and to Node as a file.
const traceText = [
  'arrival_time,input_tokens,output_tokens',
  ...Array.from(
    { length: 30 },
    (_, index) => `${(index * 0.25).toFixed(2)},${100 + 37 * index},${20 + 3 * index}`,
  ),
].join('\n');

let bundled: Promise<BrowserBundle> | undefined;
const engineBundle = () => {
  bundled ??= bundleForBrowser("export * from '@sim/engine';", packageDir);
  return bundled;
};

describe('@sim/engine in a browser', () => {
  it('bundles for platform browser with no Node built-in', async () => {
    const bundle = await engineBundle();
    expect(bundle.imports.filter(isNodeBuiltin)).toEqual([]);
    // The file reader is the browser's: none (the `default` condition of `#file-system`).
    expect(bundle.imports).toContain('packages/specs/src/platform/default.ts');
    expect(bundle.imports).not.toContain('packages/specs/src/platform/node.ts');
  });

  it('fails to bundle the Node entry, which reads config files with node:fs (the check can fail)', async () => {
    await expect(bundleForBrowser("export * from '@sim/engine/node';", packageDir)).rejects.toThrow(
      /Could not resolve "node:(fs|path)"/,
    );
  });

  it('runs a simulation without require, process, Buffer or setImmediate, with the same statistics as Node', async () => {
    const bundle = await engineBundle();
    const result = runInWebContext(
      bundle,
      `[typeof require, typeof process, typeof Buffer, typeof setImmediate].join() + '|' +
       JSON.stringify(new bundle.LLMInferenceSimulator(${JSON.stringify(config)}).run().computeStatistics())`,
    ) as string;
    const [globals, statistics] = result.split('|');
    expect(globals).toBe('undefined,undefined,undefined,undefined');
    const node = new LLMInferenceSimulator(config).run().computeStatistics();
    expect(node.completedRequests).toBe(50);
    expect(statistics).toBe(JSON.stringify(node));
  });

  it('reads a trace given as text through memoryFileReader, as Node reads the file', async () => {
    const bundle = await engineBundle();
    const path = join(mkdtempSync(join(tmpdir(), 'llm-sim-iso-')), 'trace.csv');
    writeFileSync(path, traceText);
    const traced = (file: string): SimulatorConfig => ({ workloadSpec: { traceFile: file } });
    const statistics = runInWebContext(
      bundle,
      `bundle.setFileReader(bundle.memoryFileReader({ 'trace.csv': ${JSON.stringify(traceText)} }));
       JSON.stringify(new bundle.LLMInferenceSimulator(${JSON.stringify(traced('trace.csv'))}).run().computeStatistics())`,
    ) as string;
    const node = new LLMInferenceSimulator(traced(path)).run().computeStatistics();
    expect(node.completedRequests).toBe(30);
    expect(statistics).toBe(JSON.stringify(node).replaceAll(path, 'trace.csv'));
  });

  it('names the field and the fix when a config names a file and there is no file reader', async () => {
    const bundle = await engineBundle();
    const issues = runInWebContext(
      bundle,
      `try {
         new bundle.LLMInferenceSimulator({ workloadSpec: { traceFile: 'trace.csv' }, calibrationFile: 'fit.json' }).run();
         'no error';
       } catch (error) {
         error.name + ' ' + JSON.stringify(error.issues);
       }`,
    ) as string;
    expect(issues.startsWith('ConfigError ')).toBe(true);
    const parsed = JSON.parse(issues.slice('ConfigError '.length)) as {
      code: string;
      path: string;
      message: string;
    }[];
    expect(parsed.map((issue) => [issue.code, issue.path])).toEqual([
      ['no_file_access', 'calibrationFile'],
      ['no_file_access', 'workloadSpec.traceFile'],
    ]);
    expect(parsed[1]?.message).toMatch(/cannot read "trace\.csv".*setFileReader\(memoryFileReader/);
  });
});
