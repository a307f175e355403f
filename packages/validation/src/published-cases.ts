import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type Dtype, type EngineProfileName, findModelPreset, parseCsvRecords } from '@sim/specs';

/** The published tables `pnpm validate` reads: committed copies in `data/published/` (each names its source in its `#` header lines). */
export type DatasetName =
  | 'gpt-fast batch-1 decode'
  | 'TensorRT-LLM batch-1 TTFT'
  | 'TensorRT-LLM static throughput'
  | 'TensorRT-LLM in-flight throughput'
  | 'Splitwise prompt time'
  | 'Splitwise token time';

/** What is compared: a speed (higher is better) or a time. */
export type CaseKind =
  | 'decode-speed'
  | 'ttft'
  | 'static-throughput'
  | 'ifb-throughput'
  | 'prompt-time'
  | 'token-time';

/** One measured row the simulator can express, with the deployment that reproduces it. */
export interface ValidationCase {
  readonly dataset: DatasetName;
  readonly kind: CaseKind;
  /** A readable label of the row (model, GPU, precision, TP, lengths). */
  readonly label: string;
  readonly model: string;
  readonly gpu: string;
  readonly weightDtype: Dtype;
  readonly kvCacheDtype: Dtype;
  readonly tensorParallelSize: number;
  readonly batchSize: number;
  readonly inputTokens: number;
  readonly outputTokens: number;
  readonly engineProfile: EngineProfileName;
  /** The measured value, in `unit`. */
  readonly measured: number;
  readonly unit: 'tok/s' | 'tok/s/GPU' | 'ms';
  /** Held out of the engine-profile fit (reported separately). */
  readonly heldOut: boolean;
  /** Number of requests of an in-flight run (in-flight throughput only). */
  readonly numRequests: number;
  /** Source file and engine version, for the report. */
  readonly source: string;
}

/** A row that was read but cannot be expressed, and why (listed in the report). */
export interface SkippedRow {
  readonly dataset: DatasetName;
  readonly label: string;
  readonly reason: string;
}

/** Every expressible case and every skipped row of the published tables. */
export interface PublishedCases {
  readonly cases: readonly ValidationCase[];
  readonly skipped: readonly SkippedRow[];
}

/** Path of a committed published table (copied from the project's shared/calibration/published/). */
function published(file: string): string {
  return fileURLToPath(new URL(`../data/published/${file}`, import.meta.url));
}

/** A CSV table's rows, keyed by its header (`#` lines skipped). */
function readCsv(path: string): Record<string, string>[] {
  return parseCsvRecords(readFileSync(path, 'utf8'));
}

/**
 * A row's split, from the `split` column every committed table carries (see each file's `# SPLIT`
 * header: why its held-out rows are held out). A row without a valid label is an error, never a
 * silent default.
 */
function heldOutOf(row: Record<string, string | undefined>, file: string): boolean {
  if (row.split === 'held-out') return true;
  if (row.split === 'train') return false;
  throw new Error(`${file}: row without a valid split label ("train" or "held-out"): ${JSON.stringify(row)}`);
}

/** The tables' own spellings; names that are presets or preset aliases resolve through the preset lookup. */
const MODEL_NAMES: Readonly<Record<string, string>> = {
  'mixtral 8x7b': 'mixtral-8x7b',
  'mixtral 8x22b': 'mixtral-8x22b',
  'gpt-j 6b': 'gpt-j-6b',
  'mistral 7b': 'mistral-7b',
  'llama 7b': 'llama-2-7b', // the TensorRT-LLM docs' "LLaMA 7B/70B" are Llama-2
  'llama 70b': 'llama-2-70b',
  'falcon 180b': 'falcon-180b',
  'llama v3 70b': 'llama-3-70b',
  'llama v3.1 70b': 'llama-3.1-70b',
  'llama v3.1 8b': 'llama-3.1-8b',
};

function modelOf(name: string): string | undefined {
  return MODEL_NAMES[name.trim().toLowerCase()] ?? findModelPreset(name)?.name;
}

function number(value: string | undefined): number {
  return value === undefined || value.trim() === '' ? Number.NaN : Number(value);
}

/** gpt-fast README: batch-1 decode tokens/s on A100-80GB (power-capped at 330 W), prompt of 5 tokens, 200 generated. */
function gptFastCases(cases: ValidationCase[], skipped: SkippedRow[]): void {
  const dataset: DatasetName = 'gpt-fast batch-1 decode';
  const seen = new Set<string>();
  for (const row of readCsv(published('gptfast_readme_bs1_decode.csv'))) {
    const label = `${row.model} ${row.weight_precision} TP${row.num_gpus_tp} ${row.gpu}`;
    const measured = number(row.tokens_per_s_per_user);
    const model = modelOf(row.model ?? '');
    const precision = row.weight_precision ?? '';
    const weightDtype: Dtype | undefined = precision.startsWith('bf16')
      ? 'bf16'
      : precision.startsWith('int8')
        ? 'int8'
        : precision.startsWith('int4')
          ? 'int4'
          : undefined;
    if (!Number.isFinite(measured)) {
      if (row.tokens_per_s_per_user === 'OOM') skipped.push({ dataset, label, reason: 'measured OOM' });
      else skipped.push({ dataset, label, reason: 'no measured speed' });
      continue;
    }
    if (!row.gpu?.startsWith('A100')) {
      skipped.push({ dataset, label, reason: 'no preset for this accelerator (MI250X GCD)' });
      continue;
    }
    if (row.table === 'speculative') {
      skipped.push({ dataset, label, reason: 'speculative decoding is not modelled' });
      continue;
    }
    if (model === undefined || weightDtype === undefined) {
      skipped.push({ dataset, label, reason: 'no preset for this model or precision' });
      continue;
    }
    const tensorParallelSize = number(row.num_gpus_tp);
    const key = `${model}/${weightDtype}/${tensorParallelSize}`;
    if (seen.has(key)) continue; // the README repeats rows across its tables
    seen.add(key);
    cases.push({
      dataset,
      kind: 'decode-speed',
      label,
      model,
      gpu: 'A100-80GB',
      weightDtype,
      kvCacheDtype: 'bf16',
      tensorParallelSize,
      batchSize: 1,
      inputTokens: 5,
      outputTokens: 200,
      engineProfile: 'gpt-fast',
      measured,
      unit: 'tok/s',
      heldOut: heldOutOf(row, 'gptfast_readme_bs1_decode.csv'),
      numRequests: 1,
      source: `gpt-fast README (${row.table})`,
    });
  }
}

const TRTLLM_GPUS: Readonly<Record<string, readonly [string, Dtype]>> = {
  'H200 (FP8)': ['H200-141GB', 'fp8'],
  'H100 (FP8)': ['H100-80GB', 'fp8'],
  'L40S (FP8)': ['L40S', 'fp8'],
  'A100 (FP16)': ['A100-80GB', 'fp16'],
};

/** TensorRT-LLM perf-overview static tables: batch-1 TTFT rows and static-batching throughput rows. */
function trtllmStaticCases(file: string, cases: ValidationCase[], skipped: SkippedRow[]): void {
  for (const row of readCsv(published(file))) {
    const ttft = row.table === 'first_token_latency';
    const dataset: DatasetName = ttft ? 'TensorRT-LLM batch-1 TTFT' : 'TensorRT-LLM static throughput';
    const version = row.engine_version ?? '';
    const label = `${row.model} ${row.gpu_precision} TP${row.tp} bs${row.batch_size} ${row.isl}/${row.osl} (${version})`;
    const model = modelOf(row.model ?? '');
    const gpu = TRTLLM_GPUS[row.gpu_precision ?? ''];
    if (model === undefined || gpu === undefined) {
      skipped.push({ dataset, label, reason: 'no preset for this model or GPU' });
      continue;
    }
    const measured = number(ttft ? row.ttft_ms : row.throughput);
    if (!Number.isFinite(measured)) {
      skipped.push({ dataset, label, reason: 'no measured value' });
      continue;
    }
    cases.push({
      dataset,
      kind: ttft ? 'ttft' : 'static-throughput',
      label,
      model,
      gpu: gpu[0],
      weightDtype: gpu[1],
      kvCacheDtype: gpu[1],
      tensorParallelSize: number(row.tp),
      batchSize: number(row.batch_size),
      inputTokens: number(row.isl),
      outputTokens: number(row.osl),
      engineProfile: 'trtllm',
      measured,
      // The v0.6.1 A100 header says only "out tok/s"; its 70B TP4 row (670) matches v0.9.0's per-GPU 686, so it is per GPU.
      unit: ttft ? 'ms' : 'tok/s/GPU',
      heldOut: heldOutOf(row, file),
      numRequests: 1,
      source: `TensorRT-LLM perf overview ${version}`,
    });
  }
}

/** TensorRT-LLM v0.14.0 in-flight batching at maximum load on A100 (total output tokens/s over the TP GPUs). */
function trtllmInFlightCases(cases: ValidationCase[], skipped: SkippedRow[]): void {
  const dataset: DatasetName = 'TensorRT-LLM in-flight throughput';
  for (const row of readCsv(published('trtllm_perf_overview_v0.14.0_ifb_throughput_A100.csv'))) {
    const label = `${row.model} ${row.gpu} TP${row.tp} ${row.isl}/${row.osl}`;
    const model = modelOf(row.model ?? '');
    if (model === undefined) {
      skipped.push({ dataset, label, reason: 'no preset for this model' });
      continue;
    }
    const inputTokens = number(row.isl);
    const outputTokens = number(row.osl);
    cases.push({
      dataset,
      kind: 'ifb-throughput',
      label,
      model,
      gpu: row.gpu?.includes('PCIE') ? 'A100-PCIe-80GB' : 'A100-80GB',
      weightDtype: 'fp16',
      kvCacheDtype: 'fp16',
      tensorParallelSize: number(row.tp),
      batchSize: 0,
      inputTokens,
      outputTokens,
      engineProfile: 'trtllm',
      measured: number(row.total_output_tok_s),
      unit: 'tok/s',
      heldOut: heldOutOf(row, 'trtllm_perf_overview_v0.14.0_ifb_throughput_A100.csv'),
      numRequests: inFlightRequests(inputTokens, outputTokens),
      source: 'TensorRT-LLM perf overview v0.14.0',
    });
  }
}

/** trtllm-bench's request counts per (ISL, OSL) from the table's methodology note. */
function inFlightRequests(inputTokens: number, outputTokens: number): number {
  const table: Record<string, number> = {
    '128/128': 30000,
    '128/2048': 3000,
    '128/4096': 1500,
    '2048/128': 3000,
    '2048/2048': 1500,
    '5000/500': 1500,
    '1000/1000': 3000,
    '500/2000': 3000,
    '20000/2000': 1000,
  };
  return table[`${inputTokens}/${outputTokens}`] ?? 1500;
}

/** Splitwise's DGX-A100/H100 profiles: prompt (prefill) time and per-token decode time per batch size. */
function splitwiseCases(cases: ValidationCase[], skipped: SkippedRow[]): void {
  for (const row of readCsv(published('splitwise_sim_perf_model_measured.csv'))) {
    const label = `${row.model} ${row.hardware} TP${row.tensor_parallel} prompt ${row.prompt_size} bs${row.batch_size} out ${row.token_size}`;
    const model = modelOf(row.model ?? '');
    const hardware = row.hardware ?? '';
    for (const [dataset, kind, column] of [
      ['Splitwise prompt time', 'prompt-time', 'prompt_time_ms'],
      ['Splitwise token time', 'token-time', 'token_time_ms'],
    ] as const) {
      if (hardware.endsWith('pcap')) {
        skipped.push({ dataset, label, reason: 'power-capped H100: power limits are not modelled' });
        continue;
      }
      if (model === undefined) {
        skipped.push({ dataset, label, reason: 'no preset for this model' });
        continue;
      }
      cases.push({
        dataset,
        kind,
        label,
        model,
        gpu: hardware.startsWith('h100') ? 'H100-80GB' : 'A100-80GB',
        weightDtype: 'fp16',
        kvCacheDtype: 'fp16',
        tensorParallelSize: number(row.tensor_parallel),
        batchSize: number(row.batch_size),
        inputTokens: number(row.prompt_size),
        outputTokens: number(row.token_size),
        // Splitwise measured an early (2023) vLLM build: the v0 profile, not V1.
        engineProfile: 'vllm-v0',
        measured: number(row[column]),
        unit: 'ms',
        heldOut: heldOutOf(row, 'splitwise_sim_perf_model_measured.csv'),
        numRequests: 1,
        source: 'Splitwise perf_model.csv',
      });
    }
  }
}

/** Reads every published table into validation cases (and the rows that cannot be expressed). */
export function readPublishedCases(split?: 'train' | 'held-out'): PublishedCases {
  const all = readAllPublishedCases();
  if (split === undefined) return all;
  return {
    cases: all.cases.filter((item) => item.heldOut === (split === 'held-out')),
    skipped: all.skipped,
  };
}

function readAllPublishedCases(): PublishedCases {
  const cases: ValidationCase[] = [];
  const skipped: SkippedRow[] = [];
  gptFastCases(cases, skipped);
  trtllmStaticCases('trtllm_perf_overview_v0.9.0_static.csv', cases, skipped);
  trtllmStaticCases('trtllm_perf_overview_v0.6.1_static.csv', cases, skipped);
  trtllmInFlightCases(cases, skipped);
  splitwiseCases(cases, skipped);
  return { cases, skipped };
}
