import { builtinModules } from 'node:module';
import { createContext, runInContext } from 'node:vm';
import { build } from 'esbuild';
import { repoRoot } from './repo-root';

/** What esbuild made of a module for a browser. */
export interface BrowserBundle {
  /** The bundle (an IIFE that assigns the module's exports to `globalThis.bundle`). */
  readonly code: string;
  /**
   * Every import the bundled files make, resolved: a bundled file's repo-relative path
   * (`packages/specs/src/platform/default.ts`), `(disabled):...` for a module a package's `browser`
   * field turns off, or the specifier itself for an import left outside the bundle.
   */
  readonly imports: readonly string[];
}

/** Whether an import names a Node built-in (`node:fs`, `fs`, `fs/promises`...). */
export function isNodeBuiltin(path: string): boolean {
  return (
    path.startsWith('node:') ||
    builtinModules.includes(path) ||
    builtinModules.includes(path.split('/')[0] ?? '')
  );
}

/**
 * Bundles `contents` (an ES module, e.g. `export * from '@sim/engine'`, resolved from
 * `resolveDir`) as a browser app's bundler would: platform browser, everything bundled, the
 * workspace packages read from their TypeScript source (the `@sim/source` condition). Rejects
 * with esbuild's errors when something cannot be bundled for a browser, e.g. an import of
 * `node:fs`.
 */
export async function bundleForBrowser(contents: string, resolveDir: string): Promise<BrowserBundle> {
  const result = await build({
    stdin: { contents, resolveDir, loader: 'ts', sourcefile: 'browser-app.ts' },
    bundle: true,
    write: false,
    platform: 'browser',
    format: 'iife',
    globalName: 'bundle',
    conditions: ['@sim/source'],
    target: 'es2022',
    metafile: true,
    logLevel: 'silent',
    absWorkingDir: repoRoot,
  });
  const imports = Object.values(result.metafile.inputs).flatMap((input) =>
    input.imports.map((entry) => entry.path),
  );
  return { code: result.outputFiles[0]?.text ?? '', imports };
}

/**
 * Runs a bundle in a fresh V8 context with the language's own globals and the web platform's that
 * browsers, Web Workers and Deno all have (structuredClone, MessageChannel, timers, console, text
 * coding), and nothing of Node's (no `require`, `process`, `Buffer`, `setImmediate`, `global`);
 * then `script`, which sees the bundle's exports as `bundle`. Returns what `script` evaluates to.
 */
export function runInWebContext(bundle: BrowserBundle, script: string): unknown {
  const context = createContext({
    structuredClone,
    MessageChannel,
    setTimeout,
    clearTimeout,
    queueMicrotask,
    console,
    TextEncoder,
    TextDecoder,
  });
  runInContext(bundle.code, context);
  return runInContext(script, context);
}
