/**
 * `pnpm calibrate`: fits each GPU family's efficiency curves to the measured kernel times in
 * data/kernel-medians (derived from ../shared/calibration/vidur by extract-kernel-medians.ts) and
 * writes data/calibration-profiles/<family>.json (committed).
 * Deterministic: the same data gives the same files. See docs/perf-model.md.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { nelderMead } from '@sim/optimizer';
import { findGpuPreset } from '@sim/specs';
import type { AttentionEfficiency, CalibrationProfile, LinkEfficiency } from '../src/calibration-profile';
import { allReduceTime, sendRecvTime } from '../src/communication';
import { elementwiseOperatorCost, type LinearOperator, linearOperatorCost } from '../src/layer-cost';
import { layerGeometry } from '../src/layer-geometry';
import { type DevicePeaks, decodeAttentionCost, prefillAttentionSeconds } from '../src/roofline';
import {
  type AttentionRow,
  type CollectiveRow,
  type OperatorRow,
  PROFILED_FAMILIES,
  type ProfiledFamily,
  readAttentionRows,
  readCollectiveRows,
  readCpuOverheadRows,
  readOperatorRows,
} from './vidur-data';

const LINEAR = new Set<string>(['qkvProjection', 'outputProjection', 'upProjection', 'downProjection']);

/** Median of |predicted/measured − 1| in percent. */
export function medianAbsolutePercentError(pairs: readonly (readonly [number, number])[]): number {
  const errors = pairs
    .map(([predicted, measured]) => Math.abs(predicted / measured - 1) * 100)
    .sort((a, b) => a - b);
  if (errors.length === 0) return Number.NaN;
  const middle = Math.floor(errors.length / 2);
  return errors.length % 2 === 1
    ? (errors[middle] as number)
    : ((errors[middle - 1] as number) + (errors[middle] as number)) / 2;
}

function meanSquaredLogError(pairs: readonly (readonly [number, number])[]): number {
  let sum = 0;
  for (const [predicted, measured] of pairs) {
    const ratio = Math.log(predicted / measured);
    sum += Number.isFinite(ratio) ? ratio * ratio : 1e6;
  }
  return sum / Math.max(1, pairs.length);
}

function fit(objective: (x: number[]) => number, start: number[]): number[] {
  let best = start;
  for (let round = 0; round < 4; round++) best = nelderMead(objective, best, 3000);
  return best;
}

export function peaksOf(gpuName: string): DevicePeaks {
  const gpu = findGpuPreset(gpuName);
  if (gpu === undefined) throw new Error(`unknown GPU ${gpuName}`);
  return { flopsPerSecond: gpu.computeTflops * 1e12, bytesPerSecond: gpu.memoryBandwidthGbs * 1e9 };
}

/** Predicted seconds for one vidur operator row under `profile`. */
export function predictOperatorRow(
  row: OperatorRow,
  profile: CalibrationProfile,
  peaks: DevicePeaks,
): number {
  const geometry = layerGeometry(row.modelSpec, row.tensorParallelSize);
  const tokens = row.tokens;
  if (LINEAR.has(row.operator))
    return linearOperatorCost(
      row.operator as LinearOperator,
      tokens,
      geometry,
      { peaks, memoryScale: 1 },
      profile,
    ).seconds;
  // The embedding, norms and residual add work on the full hidden size on every rank (not sharded).
  return elementwiseOperatorCost(
    row.operator as Exclude<typeof row.operator, LinearOperator>,
    tokens,
    geometry,
    peaks,
    profile,
  ).seconds;
}

/** Predicted seconds for one attention row (A100, 32 query / 4 KV heads per GPU, head dim 128). */
export function predictAttentionRow(
  row: AttentionRow,
  attention: AttentionEfficiency,
  peaks: DevicePeaks,
): number {
  if (row.prefill) {
    return (
      attention.prefillLaunchUs * 1e-6 +
      row.batchSize * prefillAttentionSeconds(row.chunk, row.context, 32, 128, peaks, attention)
    );
  }
  return decodeAttentionCost(row.batchSize, row.batchSize * row.context, 2 * 4 * 128 * 2, peaks, attention)
    .seconds;
}

/** Predicted seconds for one collective row on a link of `intraGbs` within a node and `interGbs` across. */
export function predictCollectiveRow(
  row: CollectiveRow,
  intra: LinkEfficiency,
  inter: LinkEfficiency,
  intraGbs: number,
  interGbs: number,
): number {
  const crossNode = row.devicesPerNode < row.participants;
  const link = crossNode ? inter : intra;
  const bandwidth = crossNode ? interGbs : intraGbs;
  return row.collective === 'all_reduce'
    ? allReduceTime(row.bytes, row.participants, bandwidth, link)
    : sendRecvTime(row.bytes, bandwidth, link);
}

const clamp01 = (value: number) => Math.min(1, value);

function fitOperators(
  rows: OperatorRow[],
  peaks: DevicePeaks,
  base: CalibrationProfile,
): Pick<CalibrationProfile, 'gemm' | 'elementwise'> {
  const linearRows = rows.filter((row) => LINEAR.has(row.operator));
  const gemmParameters = (x: number[]) => ({
    computeEfficiency: clamp01(Math.exp(x[0] as number)),
    halfEfficiencyTokens: Math.exp(x[1] as number),
    memoryEfficiency: clamp01(Math.exp(x[2] as number)),
    smoothing: 1 + Math.exp(x[3] as number),
    launchUs: Math.exp(x[4] as number),
  });
  const gemmFit = fit(
    (x) => {
      const profile = { ...base, gemm: gemmParameters(x) };
      return meanSquaredLogError(
        linearRows.map((row) => [predictOperatorRow(row, profile, peaks), row.seconds] as const),
      );
    },
    [Math.log(0.7), Math.log(32), Math.log(0.75), Math.log(2), Math.log(5)],
  );
  const gemm = gemmParameters(gemmFit);

  const elementRows = rows.filter((row) => !LINEAR.has(row.operator));
  const elementwiseParameters = (x: number[]) => ({
    launchUs: Math.exp(x[0] as number),
    efficiency: {
      embedding: clamp01(Math.exp(x[1] as number)),
      norm: clamp01(Math.exp(x[2] as number)),
      rope: clamp01(Math.exp(x[3] as number)),
      activation: clamp01(Math.exp(x[4] as number)),
      residualAdd: clamp01(Math.exp(x[5] as number)),
    },
  });
  const elementFit = fit(
    (x) => {
      const profile = { ...base, gemm, elementwise: elementwiseParameters(x) };
      return meanSquaredLogError(
        elementRows.map((row) => [predictOperatorRow(row, profile, peaks), row.seconds] as const),
      );
    },
    [Math.log(3), Math.log(0.5), Math.log(0.5), Math.log(0.5), Math.log(0.5), Math.log(0.5)],
  );
  return { gemm, elementwise: elementwiseParameters(elementFit) };
}

function fitAttention(rows: AttentionRow[], peaks: DevicePeaks): AttentionEfficiency {
  const training = rows.filter((row) => !row.heldOut);
  const parameters = (x: number[]): AttentionEfficiency => ({
    prefillComputeEfficiency: clamp01(Math.exp(x[0] as number)),
    prefillHalfEfficiencyTokens: Math.exp(x[1] as number),
    prefillLaunchUs: Math.exp(x[2] as number),
    decodeMemoryEfficiency: clamp01(Math.exp(x[3] as number)),
    decodeLaunchUs: Math.exp(x[4] as number),
    decodePerSequenceUs: Math.exp(x[5] as number),
    prefillCausalComputeEfficiency: clamp01(Math.exp(x[6] as number)),
  });
  const best = fit(
    (x) =>
      meanSquaredLogError(
        training.map((row) => [predictAttentionRow(row, parameters(x), peaks), row.seconds] as const),
      ),
    [Math.log(0.3), Math.log(256), Math.log(10), Math.log(0.7), Math.log(10), Math.log(0.1), Math.log(0.2)],
  );
  return parameters(best);
}

function fitLink(rows: CollectiveRow[], bandwidthGbs: number, crossNode: boolean): LinkEfficiency {
  const training = rows.filter((row) => !row.heldOut && row.devicesPerNode < row.participants === crossNode);
  const parameters = (x: number[]): LinkEfficiency => ({
    latencyUs: Math.exp(x[0] as number),
    bandwidthEfficiency: clamp01(Math.exp(x[1] as number)),
  });
  const best = fit(
    (x) =>
      meanSquaredLogError(
        training.map(
          (row) =>
            [
              predictCollectiveRow(row, parameters(x), parameters(x), bandwidthGbs, bandwidthGbs),
              row.seconds,
            ] as const,
        ),
      ),
    [Math.log(10), Math.log(0.5)],
  );
  return parameters(best);
}

/** Inter-node bandwidth per GPU of the profiled DGX boxes: A100 DGX has 200 Gb/s HDR per GPU, H100 DGX 400 Gb/s NDR. */
export const PROFILED_INTER_NODE_GBS: Readonly<Record<string, number>> = {
  a100_dgx: 25,
  h100_dgx: 50,
  a100_pairwise_nvlink: 25,
  a40_pairwise_nvlink: 25,
};

function fitCommunication(family: ProfiledFamily, intraGbs: number): CalibrationProfile['communication'] {
  const topology = family === 'a100' ? 'a100_dgx' : family === 'h100' ? 'h100_dgx' : 'a40_pairwise_nvlink';
  const interGbs = PROFILED_INTER_NODE_GBS[topology] as number;
  const sendRecv = readCollectiveRows(topology, 'send_recv');
  const a100AllReduce = readCollectiveRows('a100_dgx', 'all_reduce');
  const allReduce =
    family === 'a40'
      ? readCollectiveRows('a100_pairwise_nvlink', 'all_reduce')
      : readCollectiveRows(topology, 'all_reduce');
  const sendRecvIntraNode = fitLink(sendRecv, intraGbs, false);
  const allReduceIntraNode =
    family === 'a40'
      ? // No A40 all-reduce data: the α of A100 pairs over NVLink bridges, the bandwidth efficiency of A40 send/recv.
        {
          latencyUs: fitLink(allReduce, 300, false).latencyUs,
          bandwidthEfficiency: sendRecvIntraNode.bandwidthEfficiency,
        }
      : fitLink(allReduce, intraGbs, false);
  return {
    allReduceIntraNode,
    // Only the A100 DGX data crosses nodes for all-reduce; other families reuse its fitted efficiency.
    allReduceInterNode: fitLink(a100AllReduce, 25, true),
    sendRecvIntraNode,
    sendRecvInterNode: fitLink(sendRecv, interGbs, true),
  };
}

function main(): void {
  const attentionRows = readAttentionRows();
  const a100Peaks = peaksOf('A100-80GB');
  const attention = fitAttention(attentionRows, a100Peaks);
  const attentionHeldOut = medianAbsolutePercentError(
    attentionRows
      .filter((row) => row.heldOut)
      .map((row) => [predictAttentionRow(row, attention, a100Peaks), row.seconds] as const),
  );
  const summary: string[] = [];
  for (const family of Object.keys(PROFILED_FAMILIES) as ProfiledFamily[]) {
    const { referenceGpu, heldOutModel } = PROFILED_FAMILIES[family];
    const peaks = peaksOf(referenceGpu);
    const gpu = findGpuPreset(referenceGpu);
    const rows = readOperatorRows(family);
    const training = rows.filter((row) => !row.heldOut);
    const base: CalibrationProfile = {
      family,
      provenance: {
        source: `microsoft/vidur profiling data (../shared/calibration/vidur/compute/${family}, attention/a100-tp2, network)`,
        referenceGpu,
        fittedOn: `${new Set(training.map((row) => row.model)).size} models, ${training.length} operator rows`,
        heldOut: heldOutModel,
      },
      gemm: {
        computeEfficiency: 0.7,
        halfEfficiencyTokens: 32,
        memoryEfficiency: 0.75,
        smoothing: 3,
        launchUs: 5,
      },
      elementwise: {
        launchUs: 3,
        efficiency: { embedding: 0.5, norm: 0.5, rope: 0.5, activation: 0.5, residualAdd: 0.5 },
      },
      attention,
      communication: fitCommunication(family, gpu?.interconnectBandwidthGbs ?? 300),
    };
    const profile: CalibrationProfile = { ...base, ...fitOperators(training, peaks, base) };
    const errorOf = (subset: OperatorRow[]) =>
      medianAbsolutePercentError(
        subset.map((row) => [predictOperatorRow(row, profile, peaks), row.seconds] as const),
      );
    const fitQuality = {
      operatorTrainMedianAbsErrorPct: round(errorOf(training)),
      operatorHeldOutMedianAbsErrorPct: round(errorOf(rows.filter((row) => row.heldOut))),
      attentionHeldOutMedianAbsErrorPct: round(attentionHeldOut),
    };
    const written = { ...roundDeep(profile), fitQuality };
    const path = fileURLToPath(new URL(`../data/calibration-profiles/${family}.json`, import.meta.url));
    writeFileSync(path, `${JSON.stringify(written, null, 2)}\n`);
    summary.push(
      `${family}: train ${fitQuality.operatorTrainMedianAbsErrorPct}%, held-out (${heldOutModel}) ${fitQuality.operatorHeldOutMedianAbsErrorPct}%`,
    );
  }
  const overheadRows = readCpuOverheadRows().filter((row) => !row.heldOut);
  const n = overheadRows.length;
  const meanX = overheadRows.reduce((sum, row) => sum + row.batchSize, 0) / n;
  const meanY = overheadRows.reduce((sum, row) => sum + row.seconds, 0) / n;
  const slope =
    overheadRows.reduce((sum, row) => sum + (row.batchSize - meanX) * (row.seconds - meanY), 0) /
    overheadRows.reduce((sum, row) => sum + (row.batchSize - meanX) ** 2, 0);
  const intercept = meanY - slope * meanX;
  const overheadPath = fileURLToPath(new URL('../data/vllm-cpu-overhead.json', import.meta.url));
  writeFileSync(
    overheadPath,
    `${JSON.stringify({ source: 'vidur cpu-overheads/a100-cpu_overheads.csv: schedule + prepare_inputs_e2e + sampler_e2e + process_model_outputs medians; least squares, internlm-20b held out', baseUs: round(intercept * 1e6), perSequenceUs: round(slope * 1e6) }, null, 2)}\n`,
  );
  summary.push(
    `vllm cpu overhead: ${round(intercept * 1e6)} µs + ${round(slope * 1e6)} µs/sequence; attention held-out ${round(attentionHeldOut)}%`,
  );
  console.log(summary.join('\n'));
}

function round(value: number): number {
  return Number(value.toPrecision(4));
}

function roundDeep<T>(value: T): T {
  if (typeof value === 'number') return round(value) as T;
  if (Array.isArray(value)) return value.map(roundDeep) as T;
  if (value !== null && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, roundDeep(inner)])) as T;
  return value;
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) main();
