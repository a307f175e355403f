import { readFileSync } from 'node:fs';
import { createPerfModel, weightGemmCost, weightKernels } from '@sim/perf-model';
import { DTYPE_BYTES, type EngineProfileName, GPU_PRESETS, resolveConfig } from '@sim/specs';
import { quantile } from './validation-report';
import type { Split } from './vllm-v1-runs';

/** The committed H200 GEMM measurements (see its `source` and `split` fields). */
export const H200_GEMM_DATA = new URL('../data/measured/h200-gemm.json', import.meta.url);

/** One measured GEMM x[M,K]·W[N,K]ᵀ on the H200. */
export interface MeasuredGemm {
  readonly shape: string;
  readonly dtype: 'bf16' | 'fp8';
  readonly m: number;
  readonly n: number;
  readonly k: number;
  /** Median seconds per product. */
  readonly seconds: number;
  readonly split: Split;
}

/** The measured GEMMs, optionally of one split only (fitting code reads `train`). */
export function readH200Gemms(split?: Split, text = readFileSync(H200_GEMM_DATA, 'utf8')): MeasuredGemm[] {
  const data = JSON.parse(text) as { rows: Array<MeasuredGemm & { error?: string }> };
  return data.rows
    .filter((row) => row.error === undefined && Number.isFinite(row.seconds))
    .filter((row) => split === undefined || row.split === split);
}

const H200 = GPU_PRESETS['H200-141GB'];

/**
 * The FP8 GEMM efficiency ratio from training rows: for each shape and M measured in both formats,
 * (fp8 FLOP/s ÷ FP8 peak) ÷ (bf16 FLOP/s ÷ BF16 peak); their median.
 */
export function fitFp8GemmRatio(rows: readonly MeasuredGemm[]): number {
  if (H200 === undefined) throw new Error('no H200 preset');
  const bf16 = new Map(
    rows.filter((row) => row.dtype === 'bf16').map((row) => [`${row.shape}/${row.m}`, row] as const),
  );
  const ratios: number[] = [];
  for (const row of rows) {
    const other = row.dtype === 'fp8' ? bf16.get(`${row.shape}/${row.m}`) : undefined;
    if (other === undefined) continue;
    const share = (gemm: MeasuredGemm, peak: number) => (2 * gemm.m * gemm.n * gemm.k) / gemm.seconds / peak;
    ratios.push(share(row, H200.fp8Tflops * 1e12) / share(other, H200.computeTflops * 1e12));
  }
  return quantile(
    ratios.sort((a, b) => a - b),
    0.5,
  );
}

/** A measured GEMM with the perf model's time for it on the H200 (its H100-derived profile, under an engine profile's scaling). */
export interface GemmComparison {
  readonly gemm: MeasuredGemm;
  readonly predictedSeconds: number;
  /** (predicted / measured − 1) × 100. */
  readonly signedErrorPercent: number;
}

/**
 * The perf model's prediction of every measured GEMM, as the simulator costs it (16-bit
 * activations): with `ideal`, the H100 fit as it is; with an engine profile, under its GEMM scaling
 * (and its CUDA-graph launch cost for products it would replay in a graph).
 */
export function compareH200Gemms(
  rows: readonly MeasuredGemm[],
  engineProfile: EngineProfileName = 'ideal',
): GemmComparison[] {
  if (H200 === undefined) throw new Error('no H200 preset');
  const perf = createPerfModel(
    resolveConfig({
      modelSpec: { name: 'llama-3-8b' },
      clusterSpec: { gpuSpec: { name: H200.name } },
      engineProfile,
    }),
  );
  return rows.map((row) => {
    const predictedSeconds = weightGemmCost(
      row.m,
      row.n,
      row.k,
      DTYPE_BYTES[row.dtype],
      2,
      weightKernels(row.dtype, H200, perf.engine),
      perf.profileFor(row.m).gemm,
    ).seconds;
    return { gemm: row, predictedSeconds, signedErrorPercent: (predictedSeconds / row.seconds - 1) * 100 };
  });
}

/** Rows of one split, format and M range. */
interface GemmGroup {
  readonly split: Split;
  readonly dtype: 'bf16' | 'fp8';
  readonly label: string;
  readonly includes: (m: number) => boolean;
}

const GROUPS: readonly GemmGroup[] = [
  { split: 'held-out', dtype: 'bf16', label: 'M ≤ 64 (decode: weight reads)', includes: (m) => m <= 64 },
  { split: 'held-out', dtype: 'bf16', label: 'M = 256 (the ridge)', includes: (m) => m === 256 },
  { split: 'train', dtype: 'bf16', label: 'M ≥ 1,024 (prefill: compute)', includes: (m) => m >= 1024 },
  { split: 'held-out', dtype: 'fp8', label: 'M ≤ 64 (decode: weight reads)', includes: (m) => m <= 64 },
  { split: 'held-out', dtype: 'fp8', label: 'M = 256 (the ridge)', includes: (m) => m === 256 },
  { split: 'train', dtype: 'fp8', label: 'M ≥ 1,024 (prefill: compute)', includes: (m) => m >= 1024 },
];

/** Median |error|, p90 |error| and median signed error of comparisons (percent). */
function errorColumns(rows: readonly GemmComparison[]): string {
  const signed = rows.map((item) => item.signedErrorPercent).sort((a, b) => a - b);
  const absolute = signed.map(Math.abs).sort((a, b) => a - b);
  const bias = quantile(signed, 0.5);
  return `${quantile(absolute, 0.5).toFixed(1)}% | ${quantile(absolute, 0.9).toFixed(1)}% | ${bias >= 0 ? '+' : ''}${bias.toFixed(1)}%`;
}

/** docs/validation.md's section on the H200 GEMMs: `base` compared with the H100 fit as it is, `vllm` under the default profile. */
export function renderH200GemmMarkdown(
  base: readonly GemmComparison[],
  vllm: readonly GemmComparison[],
): string[] {
  const lines = [
    '## H200 GEMMs measured in this workplace (kernel level)',
    '',
    'One H200 of this workplace (2026-11-30; `packages/validation/scripts/measure-gemm.py`, data in',
    '`packages/validation/data/measured/h200-gemm.json`): Llama-3-8B and Llama-3-70B TP 4 linear layers',
    'at M = 1 to 16,384 tokens, bf16 (cuBLAS through `F.linear`) and fp8 (`torch._scaled_mm`), against',
    "the perf model's GEMM time on the H200 preset: the H100 kernel fit applied to the H200's datasheet",
    "peaks (the H200 has no profile of its own), as it is and under the default `vllm` profile's GEMM",
    'scaling. Rows with M ≥ 1,024 set `FP8_GEMM_EFFICIENCY_RATIO` (0.88: fp8 GEMMs reach a smaller',
    'share of their peak), so they are training data; the smaller products are held out. Errors are',
    'predicted / measured − 1.',
    '',
    '| split | dtype | rows | M | H100 fit: median |error| | p90 | bias | `vllm` profile: median |error| | p90 | bias |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
  ];
  const groupOf = (comparisons: readonly GemmComparison[], group: GemmGroup) =>
    comparisons.filter(
      (item) =>
        item.gemm.split === group.split && item.gemm.dtype === group.dtype && group.includes(item.gemm.m),
    );
  for (const group of GROUPS) {
    const rows = groupOf(base, group);
    if (rows.length === 0) continue;
    lines.push(
      `| ${group.split} | ${group.dtype} | ${rows.length} | ${group.label} | ${errorColumns(rows)} | ${errorColumns(groupOf(vllm, group))} |`,
    );
  }
  lines.push(
    '',
    "Reading it: the H100 fit's efficiency ramp (compute efficiency ηc · M / (M + 168)) is too gradual",
    "for today's cuBLAS on Hopper, which reaches 60–70% of the peak at M = 256 where the ramp gives 45%,",
    'and at M ≤ 64 it makes a product compute-bound where the measurement shows it reading its weights',
    'at 2–4 TB/s (most visible for fp8, whose weight reads take half as long). The vLLM V1 end-to-end fit',
    '(H100, no kernel data) had moved the same way on its own: it shortens the ramp to 0.46 × and raises',
    'the compute efficiency 1.15 ×, which brings the M = 256 products within 6–10% here, but it also',
    'credits small products with more bandwidth than measured (their weights read at the full 4.8 TB/s',
    'with a CUDA-graph launch cost), so they come out 23–28% fast, and prefill-sized ones 12% fast. A',
    'GEMM here is cuBLAS through PyTorch, not the engines’ own kernels, so these rows check the kernel',
    'terms only, not an engine. Nothing was refitted to the held-out rows.',
    '',
  );
  return lines;
}
