import { existsSync, writeFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join } from 'node:path';
import { build } from 'esbuild';
import { CheckError, check } from './process';
import type { ScratchProject } from './scratch';

/** The browser app: the installed @sim/engine, run synchronously and with runAsync. */
const app = `import { LLMInferenceSimulator } from '@sim/engine';

globalThis.simulate = async (config) => ({
  run: JSON.stringify(new LLMInferenceSimulator(config).run().computeStatistics()),
  runAsync: JSON.stringify((await new LLMInferenceSimulator(config).runAsync()).computeStatistics()),
});
`;

/**
 * Bundles the installed engine for a browser as an app's bundler would (esbuild, platform browser,
 * from the project's node_modules: the published dist/, never src/), and checks that nothing of
 * Node's is in it and that `#file-system` resolved to the browser's (default) file reader.
 */
export async function bundleEngineForBrowser(project: ScratchProject): Promise<string> {
  writeFileSync(join(project.dir, 'browser-app.mjs'), app);
  let result: Awaited<ReturnType<typeof build>> & { outputFiles: { text: string }[] };
  try {
    result = await build({
      entryPoints: ['browser-app.mjs'],
      absWorkingDir: project.dir,
      bundle: true,
      write: false,
      platform: 'browser',
      format: 'iife',
      target: 'es2022',
      metafile: true,
      logLevel: 'silent',
    });
  } catch (error) {
    throw new CheckError(
      `esbuild could not bundle the installed @sim/engine for a browser (platform: browser, in ${project.dir}):\n${(error as Error).message}`,
    );
  }
  const inputs = Object.keys(result.metafile?.inputs ?? {});
  const imports = Object.values(result.metafile?.inputs ?? {}).flatMap((input) =>
    input.imports.map((entry) => entry.path),
  );
  const builtins = imports.filter(
    (path) => path.startsWith('node:') || builtinModules.includes(path.split('/')[0] ?? ''),
  );
  check(
    builtins.length === 0,
    `the browser bundle of @sim/engine imports Node built-ins: ${builtins.join(', ')}`,
  );
  check(
    inputs.some((input) => input.endsWith('@sim/specs/dist/platform/default.js')) &&
      !inputs.some((input) => input.endsWith('@sim/specs/dist/platform/node.js')),
    `the browser bundle should take @sim/specs' browser file reader (dist/platform/default.js), not Node's; inputs: ${inputs.join(', ')}`,
  );
  const strays = inputs.filter((input) => input.includes('@sim/') && !/@sim\/[\w-]+\/dist\//.test(input));
  check(strays.length === 0, `the browser bundle reads @sim files outside dist/: ${strays.join(', ')}`);
  return result.outputFiles[0]?.text ?? '';
}

export interface BrowserStatistics {
  readonly run: string;
  readonly runAsync: string;
}

/** Where Chromium is (CHROMIUM_PATH, else Debian's /usr/bin/chromium), or undefined when missing and not required. */
export function chromiumPath(): string | undefined {
  const browser = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
  if (existsSync(browser)) return browser;
  if (process.env.LLM_SIM_REQUIRE_BROWSER === '1')
    throw new CheckError(`LLM_SIM_REQUIRE_BROWSER=1 but no chromium at ${browser} (set CHROMIUM_PATH)`);
  return undefined;
}

/** Runs the bundle in headless Chromium (playwright-core) and returns its statistics for `config`. */
export async function runInChromium(
  browser: string,
  bundle: string,
  config: unknown,
): Promise<BrowserStatistics> {
  const { chromium } = await import('playwright-core');
  const instance = await chromium.launch({ executablePath: browser, args: ['--no-sandbox'] });
  try {
    const page = await instance.newPage();
    const errors: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error') errors.push(message.text());
    });
    page.on('pageerror', (error) => errors.push(error.message));
    await page.setContent('<!doctype html><title>llm-sim package check</title>');
    await page.addScriptTag({ content: bundle });
    const statistics = (await page.evaluate(
      (value) =>
        (globalThis as unknown as { simulate: (config: unknown) => Promise<BrowserStatistics> }).simulate(
          value,
        ),
      config,
    )) as BrowserStatistics;
    check(errors.length === 0, `Chromium reported errors running the engine bundle:\n${errors.join('\n')}`);
    return statistics;
  } finally {
    await instance.close();
  }
}
