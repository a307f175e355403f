import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { transformSync } from 'esbuild';
import { check, repoRoot, run } from './process';
import type { ReadmeExample } from './readme';
import type { PackedPackage } from './workspace';

/** A project outside the workspace with some of the tarballs installed by npm. */
export interface ScratchProject {
  readonly dir: string;
  /** What `node_modules` holds: every installed package's name. */
  readonly installed: readonly string[];
}

/** The environment of commands run in a scratch project: no npx downloads, no update notices. */
export const scratchEnv = {
  npm_config_yes: 'false',
  npm_config_update_notifier: 'false',
  npm_config_fund: 'false',
  npm_config_audit: 'false',
};

/**
 * `names` plus every workspace package they depend on, transitively (by the packed manifests:
 * what npm would fetch from the registry once published).
 */
export function withWorkspaceDependencies(
  names: readonly string[],
  packed: ReadonlyMap<string, PackedPackage>,
): string[] {
  const closure = new Set<string>();
  const visit = (name: string) => {
    if (closure.has(name)) return;
    const pkg = packed.get(name);
    check(pkg !== undefined, `${name} is not a published package of this workspace`);
    closure.add(name);
    for (const dependency of Object.keys(pkg.packed.dependencies ?? {}))
      if (packed.has(dependency)) visit(dependency);
  };
  names.forEach(visit);
  return [...closure].sort();
}

/**
 * Creates `dir` as an ES-module project depending on the tarballs of `names` and their workspace
 * dependencies (file: specifiers, as a published install would fetch them), and runs
 * `npm install` there; registry dependencies come from npm's cache when it has them.
 */
export async function installProject(
  dir: string,
  names: readonly string[],
  packed: ReadonlyMap<string, PackedPackage>,
): Promise<ScratchProject> {
  mkdirSync(dir, { recursive: true });
  const dependencies = Object.fromEntries(
    withWorkspaceDependencies(names, packed).map((name) => [name, `file:${packed.get(name)?.tarball}`]),
  );
  writeFileSync(
    join(dir, 'package.json'),
    `${JSON.stringify({ name: 'llm-sim-package-check', private: true, type: 'module', dependencies }, null, 2)}\n`,
  );
  await run('npm', ['install', '--prefer-offline', '--no-package-lock', '--loglevel=error'], {
    cwd: dir,
    env: scratchEnv,
    label: `npm install of ${names.join(' ')} (tarballs) in ${dir}`,
  });
  return { dir, installed: installedPackages(join(dir, 'node_modules')) };
}

/** The names of every package under a node_modules folder, nested ones included. */
function installedPackages(nodeModules: string): string[] {
  const names = new Set<string>();
  const visit = (folder: string) => {
    if (!existsSync(folder)) return;
    for (const entry of readdirSync(folder)) {
      if (entry.startsWith('.')) continue;
      const scoped = entry.startsWith('@');
      for (const name of scoped
        ? readdirSync(join(folder, entry)).map((inner) => `${entry}/${inner}`)
        : [entry]) {
        names.add(name);
        visit(join(folder, name, 'node_modules'));
      }
    }
  };
  visit(nodeModules);
  return [...names].sort();
}

/** Writes `code` (an ES module, TypeScript allowed) into the project as `file`.mjs and runs it with Node. */
export async function runModule(
  project: ScratchProject,
  file: string,
  code: string,
  label: string,
): Promise<string> {
  const javascript = transformSync(code, { loader: 'ts', format: 'esm', target: 'node20' }).code;
  writeFileSync(join(project.dir, `${file}.mjs`), javascript);
  const { stdout } = await run(process.execPath, [`${file}.mjs`], {
    cwd: project.dir,
    env: scratchEnv,
    label,
  });
  return stdout;
}

const typescript = join(
  dirname(createRequire(join(repoRoot, 'package.json')).resolve('typescript/package.json')),
  'bin',
  'tsc',
);

/**
 * Typechecks TypeScript ES modules of the project in one program (strict, NodeNext resolution,
 * with the packages' shipped declarations checked too: no skipLibCheck), with the repository's
 * TypeScript and Node types. `modules` maps file names (without .ts) to code.
 */
export async function typecheck(
  project: ScratchProject,
  modules: ReadonlyMap<string, string>,
  label: string,
): Promise<void> {
  for (const [file, code] of modules) writeFileSync(join(project.dir, `${file}.ts`), code);
  const config = {
    compilerOptions: {
      target: 'ES2022',
      lib: ['ES2023'],
      module: 'NodeNext',
      moduleResolution: 'NodeNext',
      strict: true,
      noEmit: true,
      skipLibCheck: false,
      types: ['node'],
      typeRoots: [join(repoRoot, 'node_modules', '@types')],
    },
    files: [...modules.keys()].map((file) => `${file}.ts`),
  };
  writeFileSync(join(project.dir, 'tsconfig.json'), JSON.stringify(config, null, 2));
  await run(process.execPath, [typescript, '-p', 'tsconfig.json'], { cwd: project.dir, label });
}

/** Runs a README's example in the project: a TypeScript example with Node (types stripped), a shell example with bash. */
export async function runReadmeExample(
  project: ScratchProject,
  name: string,
  example: ReadmeExample,
): Promise<string> {
  const label = `the README example of ${name} (in ${project.dir})`;
  if (example.language === 'bash') {
    const { stdout } = await run('bash', ['-euo', 'pipefail', '-c', example.code], {
      cwd: project.dir,
      env: scratchEnv,
      label,
    });
    return stdout;
  }
  return runModule(project, 'readme-example', example.code, label);
}

/** Reads a JSON file the project wrote. */
export function readJson(project: ScratchProject, file: string): unknown {
  const path = join(project.dir, file);
  check(existsSync(path), `${path} was not written`);
  return JSON.parse(readFileSync(path, 'utf8'));
}
