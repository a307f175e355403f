import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CheckError, check, repoRoot, run } from './process';

/** The fields of a package.json these checks read. */
export interface Manifest {
  readonly name: string;
  readonly version: string;
  readonly private?: boolean;
  readonly exports?: unknown;
  readonly imports?: unknown;
  readonly publishConfig?: { readonly exports?: unknown; readonly imports?: unknown };
  readonly dependencies?: Readonly<Record<string, string>>;
  readonly peerDependencies?: Readonly<Record<string, string>>;
  readonly optionalDependencies?: Readonly<Record<string, string>>;
  readonly bin?: string | Readonly<Record<string, string>>;
}

/** A workspace package that is published (not `private`). */
export interface WorkspacePackage {
  readonly name: string;
  readonly dir: string;
  readonly manifest: Manifest;
}

/** A packed package: its tarball and the package.json inside it. */
export interface PackedPackage extends WorkspacePackage {
  readonly tarball: string;
  readonly files: readonly string[];
  readonly packed: Manifest;
}

/** Every workspace package without `"private": true`, as pnpm lists them. */
export function publishedPackages(): WorkspacePackage[] {
  const listed = JSON.parse(
    execFileSync('pnpm', ['ls', '-r', '--depth', '-1', '--json'], { cwd: repoRoot, encoding: 'utf8' }),
  ) as { name: string; path: string; private: boolean }[];
  return listed
    .filter((entry) => !entry.private)
    .map((entry) => ({
      name: entry.name,
      dir: entry.path,
      manifest: JSON.parse(readFileSync(join(entry.path, 'package.json'), 'utf8')) as Manifest,
    }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

/**
 * Packs a package with `pnpm pack` (which rewrites workspace:^ and catalog: and applies
 * publishConfig) into `destination`, and reads back the manifest it packed.
 */
export async function pack(pkg: WorkspacePackage, destination: string): Promise<PackedPackage> {
  const { stdout } = await run('pnpm', ['pack', '--json', '--pack-destination', destination], {
    cwd: pkg.dir,
    label: `pnpm pack of ${pkg.name}`,
  });
  const result = JSON.parse(stdout) as { filename: string; files: { path: string }[] };
  const packed = JSON.parse(
    execFileSync('tar', ['-xzOf', result.filename, 'package/package.json'], { encoding: 'utf8' }),
  ) as Manifest;
  return { ...pkg, tarball: result.filename, files: result.files.map((file) => file.path), packed };
}

/** `value` without the `@sim/source` condition at any depth (what publishConfig must publish). */
export function withoutSourceCondition(value: unknown): unknown {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([key]) => key !== '@sim/source')
      .map(([key, entry]) => [key, withoutSourceCondition(entry)]),
  );
}

/**
 * What `pnpm pack` produced, against what publishing needs: no `@sim/source` condition (it points
 * at src/, which is not packed), the same entry points as the workspace manifest otherwise (so
 * publishConfig cannot drift from `exports`/`imports`), no workspace: or catalog: specifiers, a
 * LICENSE and README, no sources or tests, and every file an entry point names.
 */
export function checkPackedManifest(pkg: PackedPackage): void {
  const where = `${pkg.name} (${pkg.tarball})`;
  const { scripts: _scripts, ...fields } = pkg.packed as Manifest & { scripts?: unknown };
  check(
    !JSON.stringify(fields).includes('@sim/source'),
    `${where}: the packed package.json still has the @sim/source condition (it points at src/, which is not published): ` +
      `give ${pkg.dir}/package.json a publishConfig.exports (and publishConfig.imports) without it`,
  );
  for (const field of ['exports', 'imports'] as const) {
    const expected = JSON.stringify(withoutSourceCondition(pkg.manifest[field]));
    check(
      JSON.stringify(pkg.packed[field]) === expected,
      `${where}: the packed "${field}" differs from package.json's "${field}" without @sim/source:\n` +
        `  packed:   ${JSON.stringify(pkg.packed[field])}\n  expected: ${expected}\n` +
        `update publishConfig.${field} in ${pkg.dir}/package.json`,
    );
  }
  for (const field of ['dependencies', 'peerDependencies', 'optionalDependencies'] as const) {
    for (const [name, spec] of Object.entries(pkg.packed[field] ?? {}))
      check(
        !/^(workspace|catalog):/.test(spec),
        `${where}: ${field}.${name} is still "${spec}" (pack with pnpm, which rewrites it)`,
      );
  }
  for (const required of ['package.json', 'LICENSE', 'README.md'])
    check(pkg.files.includes(required), `${where}: ${required} is not in the tarball`);
  const strays = pkg.files.filter((file) => /^src\/|\.test\.|^test\/|tsconfig|vitest|tsup/.test(file));
  check(strays.length === 0, `${where}: sources, tests or build config packed: ${strays.join(', ')}`);
  for (const target of entryTargets(pkg.packed))
    check(
      pkg.files.includes(target.replace(/^\.\//, '')),
      `${where}: an entry point names ${target}, which is not in the tarball (build first, or fix "files")`,
    );
}

/** Every file path an exports/imports map or bin names. */
function entryTargets(manifest: Manifest): string[] {
  const targets: string[] = [];
  const walk = (value: unknown) => {
    if (typeof value === 'string') targets.push(value);
    else if (typeof value === 'object' && value !== null) Object.values(value).forEach(walk);
  };
  walk(manifest.exports);
  walk(manifest.imports);
  walk(manifest.bin);
  return targets.filter((target) => !target.includes('*'));
}

/** The binary of a root devDependency. */
function bin(name: string): string {
  const path = join(repoRoot, 'node_modules', '.bin', name);
  if (!existsSync(path)) throw new CheckError(`${path} is missing: run pnpm install`);
  return path;
}

/** publint on the tarball, warnings as errors. Resolves with its verdict. */
export async function publint(pkg: PackedPackage): Promise<string> {
  const { stdout } = await run(bin('publint'), ['run', pkg.tarball, '--strict'], {
    cwd: repoRoot,
    label: `publint of ${pkg.name}`,
  });
  const verdict = stdout.trim().split('\n').at(-1) ?? '';
  check(/All good/.test(stdout), `publint of ${pkg.name} has suggestions:\n${stdout}`);
  return verdict;
}

/**
 * attw on the tarball with the esm-only profile: the packages are ESM only (`type: module`, only
 * `import` conditions), so attw's node10 resolution (which ignores `exports`) and CommonJS
 * `require` (an ESM package needs `import()` there) do not apply; node16 from ESM and bundler
 * resolution must be clean. No DefinitelyTyped lookups (offline).
 */
export async function attw(pkg: PackedPackage): Promise<string> {
  await run(
    bin('attw'),
    [
      pkg.tarball,
      '--profile',
      'esm-only',
      '--no-definitely-typed',
      '--format',
      'table',
      '--no-emoji',
      '--no-color',
    ],
    { cwd: repoRoot, label: `attw (--profile esm-only) of ${pkg.name}` },
  );
  return 'no problems (node16 from ESM, bundler)';
}
