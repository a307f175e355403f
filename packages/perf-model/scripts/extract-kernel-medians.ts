/**
 * `pnpm --filter @sim/perf-model extract-kernel-medians`: derives the committed kernel-median
 * tables in `data/kernel-medians/` from the raw Vidur profiles in ../shared/calibration/vidur
 * (microsoft/vidur's profiling data, 18 MB). Each derived CSV keeps every row, in order, but only
 * the columns the calibration and its accuracy tests read (geometry, sizes, and the `median`
 * statistic), values copied verbatim; a `#` header names the source file. Run it when the raw
 * data changes; `pnpm calibrate` and the tests read only the derived tables.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const output = fileURLToPath(new URL('../data/kernel-medians/', import.meta.url));

/**
 * Absolute path of a file under the project's shared data folder (`../shared` beside the
 * repository, or `$LLM_SIM_SHARED`); only this script reads it: tests, benchmarks and validation
 * read the committed copies.
 */
function sharedPath(...parts: string[]): string {
  const repoRoot = fileURLToPath(new URL('../../..', import.meta.url));
  const base = process.env.LLM_SIM_SHARED ?? resolve(repoRoot, '..', 'shared');
  const path = resolve(base, ...parts);
  if (!existsSync(path))
    throw new Error(`shared data not found: ${path} (set LLM_SIM_SHARED to the shared/ folder)`);
  return path;
}

const raw = sharedPath('calibration', 'vidur');

/** Columns kept per table kind: fixed names, plus every `time_stats.<op>.median`. */
const KEEP: Record<string, readonly string[]> = {
  compute: [
    'num_tokens',
    'num_tensor_parallel_workers',
    'n_head',
    'n_kv_head',
    'n_embd',
    'n_expanded_embd',
    'vocab_size',
    'use_gated_mlp',
  ],
  attention: ['is_prefill', 'batch_size', 'prefill_chunk_size', 'kv_cache_size'],
  network: ['num_workers', 'devices_per_node', 'size'],
  'cpu-overheads': [
    'model_name',
    'tensor_parallel_degree',
    'batch_size',
    'schedule_median',
    'prepare_inputs_e2e_median',
    'sampler_e2e_median',
    'process_model_outputs_median',
  ],
};

function csvFiles(folder: string): string[] {
  return readdirSync(folder, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? csvFiles(join(folder, entry.name))
      : entry.name.endsWith('.csv')
        ? [join(folder, entry.name)]
        : [],
  );
}

for (const file of csvFiles(raw)) {
  const path = relative(raw, file);
  const keep = KEEP[path.split('/')[0] as string] ?? [];
  const [header = '', ...rows] = readFileSync(file, 'utf8')
    .split(/\r?\n/)
    .filter((line) => line.trim() !== '');
  // The raw files have no quoted fields: a plain split is exact.
  const names = header.split(',');
  const columns = names.flatMap((name, index) =>
    keep.includes(name) || /^time_stats\.\w+\.median$/.test(name) ? [index] : [],
  );
  const lines = [
    `# SOURCE: microsoft/vidur profiling data, ${path} of the project's shared/calibration/vidur (median columns and geometry only; every row kept, in order; milliseconds as profiled)`,
    columns.map((index) => names[index]).join(','),
    ...rows.map((row) => {
      const cells = row.split(',');
      return columns.map((index) => cells[index] ?? '').join(',');
    }),
  ];
  const target = join(output, path);
  mkdirSync(dirname(target), { recursive: true });
  writeFileSync(target, `${lines.join('\n')}\n`);
  console.log(`${path}: ${rows.length} rows, ${columns.length} of ${names.length} columns`);
}
