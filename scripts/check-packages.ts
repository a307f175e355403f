/**
 * `pnpm check:packages`: what a user of the published packages gets. Builds, packs every published
 * workspace package with `pnpm pack`, checks each tarball (publint, attw, its manifest), installs
 * the tarballs with npm into scratch projects outside the workspace, and runs there: each README's
 * example (typechecked together first), @sim/perf-model alone (its install closure and estimates), the
 * engine (default config; a YAML config through @sim/engine/node), the `llm-sim` bin, and the engine
 * bundled for a browser by esbuild and run in Chromium, with the same statistics as Node.
 * docs/architecture.md, "Published packages", says more. Exit 1 with the failing check's message;
 * the scratch projects are then kept (with `--keep`, always) and their folder printed.
 */
import { existsSync, mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, sep } from 'node:path';
import { bundleEngineForBrowser, chromiumPath, runInChromium } from './package-checks/browser';
import { CheckError, check, inParallel, repoRoot, run, secondsSince } from './package-checks/process';
import { type ReadmeExample, readmeExample } from './package-checks/readme';
import {
  installProject,
  runModule,
  runReadmeExample,
  type ScratchProject,
  scratchEnv,
  typecheck,
} from './package-checks/scratch';
import {
  attw,
  checkPackedManifest,
  type PackedPackage,
  pack,
  publint,
  publishedPackages,
} from './package-checks/workspace';

/** Two at a time: the machines this runs on have two cores. */
const PARALLEL = 2;

/** What @sim/perf-model may install: itself, @sim/specs and zod; no YAML parser, RNG, CLI or worker packages. */
const PERF_MODEL_CLOSURE = ['@sim/perf-model', '@sim/specs', 'zod'];
const NEVER_WITH_PERF_MODEL =
  /^(yaml|seedrandom|commander|tinypool|cli-.*|@sim\/(engine|scheduler|cli|calibration))$/;

/** The config the browser and Node runs share (seeded, so both must give the same statistics). */
const BROWSER_CONFIG = {
  modelSpec: { name: 'llama-3.1-8b' },
  clusterSpec: { gpuSpec: { name: 'H100' } },
  workloadSpec: { arrivalRate: 4 },
  simulationDurationS: 30,
  seed: 11,
};

/** The start of a command's output on one line, for the log. */
function firstLine(output: string): string {
  const line = output.trim().replace(/\s+/g, ' ');
  return line.length > 100 ? `${line.slice(0, 97)}...` : line;
}

interface Context {
  readonly scratch: string;
  readonly packed: ReadonlyMap<string, PackedPackage>;
}

/** Checks run in a package's README project beyond its example; each returns lines for the log. */
interface PackageChecks {
  /** Before the README example (files it reads). */
  prepare?(project: ScratchProject): Promise<void>;
  after?(project: ScratchProject, context: Context): Promise<string[]>;
}

const checks: Record<string, PackageChecks> = {
  '@sim/specs': {
    async after(project) {
      await runModule(
        project,
        'specs-entries',
        `import { createRequire } from 'node:module';
import { nodeFileReader } from '@sim/specs/node';
const schema = createRequire(import.meta.url)('@sim/specs/simulator-config.schema.json');
if (typeof schema !== 'object' || typeof nodeFileReader?.readText !== 'function') throw new Error('bad entries');`,
        '@sim/specs: importing ./simulator-config.schema.json and ./node',
      );
      return ['entries ./node and ./simulator-config.schema.json import'];
    },
  },

  '@sim/perf-model': {
    async after(project) {
      const forbidden = project.installed.filter((name) => NEVER_WITH_PERF_MODEL.test(name));
      check(
        forbidden.length === 0 && project.installed.join() === PERF_MODEL_CLOSURE.join(),
        `@sim/perf-model installed alone pulls ${forbidden.length > 0 ? `${forbidden.join(', ')} (never allowed)` : 'more than it needs'}: ` +
          `installed ${project.installed.join(', ')}; expected exactly ${PERF_MODEL_CLOSURE.join(', ')}`,
      );
      const output = await runModule(
        project,
        'perf-model-estimates',
        `import { createPerfModel } from '@sim/perf-model';
import { resolveConfig } from '@sim/specs';
const perf = createPerfModel(resolveConfig({ modelSpec: { name: 'llama-3.1-8b' }, clusterSpec: { gpuSpec: { name: 'H100' } } }));
const prefill = perf.prefillTime(1024);
const decode = perf.decodeStepTime(64, 2048);
const memory = perf.memory;
const ok = prefill > 0 && prefill < 1 && decode > 0 && decode < 1 && memory.fits && memory.kvCapacityTokens > 0;
if (!ok) throw new Error('implausible estimates: ' + JSON.stringify({ prefill, decode, memory }));
console.log(\`prefill 1024 tok \${(prefill * 1e3).toFixed(1)} ms, decode step of 64 \${(decode * 1e3).toFixed(1)} ms, KV \${memory.kvCapacityTokens} tokens\`);`,
        '@sim/perf-model: iteration-time and memory estimates',
      );
      return [`install closure: ${project.installed.join(', ')}`, `estimates: ${firstLine(output)}`];
    },
  },

  '@sim/engine': {
    async after(project) {
      const lines: string[] = [];
      const defaults = await runModule(
        project,
        'engine-default',
        `import { LLMInferenceSimulator } from '@sim/engine';
const stats = new LLMInferenceSimulator({}).run().computeStatistics();
if (!(stats.completedRequests > 0 && stats.throughputTokensPerSec > 0)) throw new Error('no requests completed');
console.log(\`default config: \${stats.completedRequests} requests, \${stats.throughputTokensPerSec.toFixed(1)} tok/s\`);`,
        '@sim/engine: a run with the default config',
      );
      lines.push(firstLine(defaults));
      mkdirSync(join(project.dir, 'configs'), { recursive: true });
      const trace = Array.from(
        { length: 30 },
        (_, i) => `${(i * 0.5).toFixed(1)},${200 + 31 * i},${16 + 2 * i}`,
      );
      writeFileSync(
        join(project.dir, 'configs', 'trace.csv'),
        `arrival_time,input_tokens,output_tokens\n${trace.join('\n')}\n`,
      );
      writeFileSync(
        join(project.dir, 'configs', 'run.yaml'),
        '# snake_case keys; the trace path is relative to this file\nmodel_spec:\n  name: llama-2-7b\ncluster_spec:\n  gpu_spec:\n    name: A100-80GB\nworkload_spec:\n  trace_file: trace.csv\nseed: 3\n',
      );
      const yaml = await runModule(
        project,
        'engine-node-yaml',
        `import { LLMInferenceSimulator, loadConfigFile } from '@sim/engine/node';
const stats = new LLMInferenceSimulator(loadConfigFile('configs/run.yaml')).run().computeStatistics();
if (stats.completedRequests !== 30) throw new Error(\`expected the trace's 30 requests, got \${stats.completedRequests}\`);
console.log(\`@sim/engine/node loadConfigFile(configs/run.yaml): \${stats.completedRequests} requests of its trace\`);`,
        '@sim/engine/node: loading a YAML config that names a trace',
      );
      lines.push(firstLine(yaml));
      lines.push(...(await browserCheck(project)));
      return lines;
    },
  },

  '@sim/calibration': {
    async prepare(project) {
      // measured.csv for the README example: a simulated run of the engine installed with it, its
      // latencies stretched by 15% so the fit has something to fit.
      await runModule(
        project,
        'write-measurements',
        `import { writeFileSync } from 'node:fs';
import { LLMInferenceSimulator } from '@sim/engine';
const metrics = new LLMInferenceSimulator({
  modelSpec: { name: 'llama-2-7b' }, clusterSpec: { gpuSpec: { name: 'A100-80GB' } }, engineProfile: 'vllm-v0',
  workloadSpec: { arrivalRate: 2, numRequests: 60 }, drain: true, seed: 5,
}).run({ recordRequests: true });
const rows = [...metrics.requestRecords()].map((r) =>
  [r.arrivalS, r.inputTokens, r.outputTokens, r.arrivalS + 1.15 * r.firstTokenLatencyS, r.arrivalS + 1.15 * r.endToEndLatencyS].join(','));
writeFileSync('measured.csv', 'arrival_time,input_tokens,output_tokens,first_token_time,last_token_time\\n' + rows.join('\\n') + '\\n');`,
        '@sim/calibration: writing measured.csv for the README example',
      );
    },
  },

  '@sim/cli': {
    async after(project, context) {
      const { stdout } = await run('npx', ['llm-sim', 'run', '--json', '--rate', '5', '--set', 'seed=3'], {
        cwd: project.dir,
        env: scratchEnv,
        label: 'npx llm-sim run --json (installed @sim/cli)',
      });
      let statistics: {
        completedRequests?: number;
        throughputTokensPerSec?: number;
        resolvedConfig?: unknown;
      };
      try {
        statistics = JSON.parse(stdout);
      } catch {
        throw new CheckError(
          `npx llm-sim run --json printed something other than JSON:\n${stdout.slice(0, 500)}`,
        );
      }
      check(
        (statistics.completedRequests ?? 0) > 0 &&
          (statistics.throughputTokensPerSec ?? 0) > 0 &&
          typeof statistics.resolvedConfig === 'object',
        `npx llm-sim run --json: no statistics: ${stdout.slice(0, 500)}`,
      );
      const version = (
        await run('npx', ['llm-sim', '--version'], {
          cwd: project.dir,
          env: scratchEnv,
          label: 'npx llm-sim --version',
        })
      ).stdout.trim();
      const expected = context.packed.get('@sim/cli')?.packed.version;
      check(version === expected, `npx llm-sim --version printed "${version}", expected ${expected}`);
      // Worker threads (dist/sweep-worker.js) and the report's inlined uPlot, as installed.
      const sweep = await run(
        'npx',
        [
          'llm-sim',
          'sweep',
          '--vary',
          'rate=1,2',
          '--workers',
          '2',
          '--json',
          '--report',
          'check-sweep.html',
        ],
        {
          cwd: project.dir,
          env: scratchEnv,
          label: 'npx llm-sim sweep --workers 2 --report (installed @sim/cli)',
        },
      );
      const points = JSON.parse(sweep.stdout) as { ok: boolean }[];
      check(
        points.length === 2 && points.every((point) => point.ok),
        `llm-sim sweep: ${sweep.stdout.slice(0, 500)}`,
      );
      check(existsSync(join(project.dir, 'check-sweep.html')), 'llm-sim sweep --report wrote no report');
      return [
        `npx llm-sim run --json: ${statistics.completedRequests} requests, ${statistics.throughputTokensPerSec?.toFixed(1)} tok/s; --version ${version}`,
        'npx llm-sim sweep --workers 2 --json --report: 2 points on worker threads, report written',
      ];
    },
  },
};

/** The engine bundled for a browser from the installed tarball, run in Chromium, against Node. */
async function browserCheck(project: ScratchProject): Promise<string[]> {
  const bundle = await bundleEngineForBrowser(project);
  const lines = [`esbuild platform browser: ${(bundle.length / 1024).toFixed(0)} KiB, no Node built-ins`];
  const browser = chromiumPath();
  if (browser === undefined) {
    lines.push(
      'SKIPPED Chromium: no chromium at /usr/bin/chromium (set CHROMIUM_PATH; CI sets LLM_SIM_REQUIRE_BROWSER=1, which refuses to skip)',
    );
    return lines;
  }
  const node = await runModule(
    project,
    'engine-node-statistics',
    `import { LLMInferenceSimulator } from '@sim/engine';
console.log(JSON.stringify(new LLMInferenceSimulator(${JSON.stringify(BROWSER_CONFIG)}).run().computeStatistics()));`,
    '@sim/engine: the statistics under Node for the browser comparison',
  );
  const chromium = await runInChromium(browser, bundle, BROWSER_CONFIG);
  for (const mode of ['run', 'runAsync'] as const)
    check(
      chromium[mode] === node.trim(),
      `Chromium's statistics (${mode}) differ from Node's for the same config and seed:\n  chromium: ${chromium[mode].slice(0, 400)}\n  node:     ${node.trim().slice(0, 400)}`,
    );
  const completed = (JSON.parse(node) as { completedRequests: number }).completedRequests;
  lines.push(
    `Chromium (${browser}): run and runAsync give Node's statistics (${completed} requests, seed 11)`,
  );
  return lines;
}

/**
 * Typechecks every TypeScript README example at once, against all the tarballs installed in one
 * project (their shipped declarations included).
 */
async function typecheckExamples(
  dir: string,
  examples: ReadonlyMap<string, ReadmeExample>,
  packed: ReadonlyMap<string, PackedPackage>,
): Promise<string> {
  const start = performance.now();
  const project = await installProject(dir, [...packed.keys()], packed);
  const modules = new Map(
    [...examples]
      .filter(([, example]) => example.language === 'ts')
      .map(([name, example]) => [`readme-${name.replace(/^@sim\//, '')}`, example.code]),
  );
  await typecheck(project, modules, `typecheck of the README examples (tsc, strict, in ${dir})`);
  return `    README examples typechecked (${secondsSince(start)} s): ${[...modules.keys()].join(', ')}, with every tarball installed (their .d.ts checked)`;
}

/** Fails unless `dir` is outside the workspace, with no package.json or node_modules above it. */
function checkOutsideWorkspace(dir: string): void {
  check(!`${dir}${sep}`.startsWith(`${repoRoot}${sep}`), `the scratch folder ${dir} is inside the workspace`);
  for (let parent = dirname(dir); ; parent = dirname(parent)) {
    for (const entry of ['package.json', 'node_modules', 'pnpm-workspace.yaml'])
      check(
        !existsSync(join(parent, entry)),
        `${join(parent, entry)} exists above the scratch folder ${dir}: it could satisfy imports the tarballs do not (set TMPDIR elsewhere)`,
      );
    if (dirname(parent) === parent) break;
  }
}

async function main(): Promise<void> {
  const start = performance.now();
  const timed = async <T>(label: string, work: () => Promise<T>): Promise<T> => {
    const stepStart = performance.now();
    const result = await work();
    console.log(`  ${label} (${secondsSince(stepStart)} s)`);
    return result;
  };

  const packages = publishedPackages();
  console.log(
    `check:packages: ${packages.length} published packages: ${packages.map((pkg) => pkg.name).join(', ')}`,
  );
  for (const name of Object.keys(checks))
    check(
      packages.some((pkg) => pkg.name === name),
      `${name} is not a published package any more: update scripts/check-packages.ts`,
    );
  const examples = new Map<string, ReadmeExample>(
    packages.map((pkg) => [pkg.name, readmeExample(pkg.name, pkg.dir)]),
  );

  await timed('build: pnpm build', () =>
    run('pnpm', ['run', 'build'], { cwd: repoRoot, label: 'pnpm build' }),
  );

  const scratch = mkdtempSync(join(realpathSync(tmpdir()), 'llm-sim-packages-'));
  checkOutsideWorkspace(scratch);
  let passed = false;
  try {
    const tarballs = join(scratch, 'tarballs');
    const packedList = await timed(`pack: pnpm pack of ${packages.length} packages into ${tarballs}`, () =>
      inParallel(
        PARALLEL,
        packages.map((pkg) => () => pack(pkg, tarballs)),
      ),
    );
    const packed = new Map(packedList.map((pkg) => [pkg.name, pkg]));
    const context: Context = { scratch, packed };

    await timed('tarballs: manifest, publint --strict, attw --profile esm-only', async () => {
      const verdicts = await inParallel(
        PARALLEL,
        packedList.map((pkg) => async () => {
          checkPackedManifest(pkg);
          return `    ${pkg.name}: ${pkg.files.length} files; publint: ${await publint(pkg)}; attw: ${await attw(pkg)}`;
        }),
      );
      console.log(verdicts.join('\n'));
    });

    await timed(
      'scratch projects: each README example (and the checks below) on npm-installed tarballs',
      async () => {
        const reports = await inParallel(PARALLEL, [
          () => typecheckExamples(join(scratch, 'typecheck'), examples, packed),
          ...packedList.map((pkg) => async () => {
            const projectStart = performance.now();
            const example = examples.get(pkg.name) as ReadmeExample;
            const project = await installProject(
              join(scratch, pkg.name.replace('/', '__')),
              example.install,
              packed,
            );
            const extra = checks[pkg.name];
            await extra?.prepare?.(project);
            const output = await runReadmeExample(project, pkg.name, example);
            const lines = [
              `npm install ${example.install.join(' ')} -> ${project.installed.length} packages`,
              `README example (${example.language}) ok: ${firstLine(output) || '(no output)'}`,
              ...((await extra?.after?.(project, context)) ?? []),
            ];
            return `    ${pkg.name} (${secondsSince(projectStart)} s)\n${lines.map((line) => `      ${line}`).join('\n')}`;
          }),
        ]);
        console.log(reports.join('\n'));
      },
    );
    passed = true;
  } finally {
    if (passed && !process.argv.includes('--keep')) rmSync(scratch, { recursive: true, force: true });
    else console.error(`check:packages: scratch projects kept in ${scratch}`);
  }
  console.log(`check:packages: passed in ${secondsSince(start)} s`);
}

main().catch((error: unknown) => {
  const message = error instanceof CheckError ? error.message : ((error as Error).stack ?? String(error));
  console.error(`\ncheck:packages FAILED: ${message}`);
  process.exit(1);
});
