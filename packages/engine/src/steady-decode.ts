import type { DecodeLinearCost } from '@sim/perf-model';
import type { SteadyDecodeWindow } from '@sim/scheduler';
import type { StageTokenGaps } from './stage-statistics';
import type { TokenGaps } from './token-gaps';

/** Most steady decode iterations advanced in one bulk step. */
export const MAX_BULK_ITERATIONS = 4096;

/** One decode-only iteration's cost: CPU time per iteration, and whether it overlaps the GPU work. */
export interface SteadyDecodeCost {
  readonly linear: DecodeLinearCost;
  readonly cpuS: number;
  readonly overlapsCpu: boolean;
}

/** What a run of steady decode iterations adds up to. */
export interface SteadyRun {
  /** Iterations advanced. */
  readonly count: number;
  /** When the last one ends. */
  readonly end: number;
  /** GPU seconds (the stage time) summed over the iterations. */
  readonly busyS: number;
  readonly flops: number;
  readonly bytes: number;
  /** KV-cache utilization × seconds over the run, and the peak (the previous peak included). */
  readonly kvTime: number;
  readonly kvPeak: number;
}

/** An iteration's end: (start + cpu) + gpu, in this order, the same rounding as an iteration launched one at a time. */
function iterationEnd(cost: SteadyDecodeCost, start: number, context: number): number {
  const gpu = cost.linear.fixedS + cost.linear.perContextTokenS * context;
  return cost.overlapsCpu ? start + Math.max(cost.cpuS, gpu) : start + cost.cpuS + gpu;
}

/**
 * How many of the window's decode-only iterations, starting at `start`, end strictly before
 * `nextEvent` (so no arrival, other replica or timeout acts in between) and within `horizon`: a
 * decode iteration's time is linear in the total context, which grows by one token per sequence
 * per iteration. At most {@link MAX_BULK_ITERATIONS}.
 */
export function steadyIterationsBefore(
  cost: SteadyDecodeCost,
  window: SteadyDecodeWindow,
  start: number,
  nextEvent: number,
  horizon: number,
): number {
  let fits = 0;
  let time = start;
  let context = window.contextTokens;
  const limit = Math.min(window.iterations, MAX_BULK_ITERATIONS);
  while (fits < limit) {
    const end = iterationEnd(cost, time, context);
    if (!(end < nextEvent && end <= horizon)) break;
    time = end;
    context += window.sequences;
    fits++;
  }
  return fits;
}

/**
 * Advances `iterations` steady decode iterations from `start` in closed form: each adds its token
 * gap to the inter-token latencies (`gaps`, `stageGaps`), and its time, FLOPs, bytes and KV use
 * are summed (KV use per iteration from the window's `usedBlocks`).
 */
export function runSteadyDecodes(
  cost: SteadyDecodeCost,
  window: SteadyDecodeWindow,
  start: number,
  iterations: number,
  previousKvPeak: number,
  gaps: TokenGaps,
  stageGaps: StageTokenGaps | undefined,
): SteadyRun {
  const { linear } = cost;
  const used = window.usedBlocks;
  const total = window.totalBlocks;
  const measured = window.measuredSequences;
  let time = start;
  let context = window.contextTokens;
  let count = 0;
  let busyS = 0;
  let flops = 0;
  let bytes = 0;
  let kvTime = 0;
  let kvPeak = previousKvPeak;
  while (count < iterations) {
    const stageTime = linear.fixedS + linear.perContextTokenS * context;
    const end = cost.overlapsCpu ? time + Math.max(cost.cpuS, stageTime) : time + cost.cpuS + stageTime;
    const kv = total === 0 ? 0 : (used[count] ?? 0) / total;
    kvTime += kv * (end - time);
    if (kv > kvPeak) kvPeak = kv;
    busyS += stageTime;
    flops += linear.flops0 + linear.flops1 * context;
    bytes += linear.bytes0 + linear.bytes1 * context;
    gaps.decodeStep(end, measured);
    stageGaps?.decodeStep(end);
    time = end;
    context += window.sequences;
    count++;
  }
  return { count, end: time, busyS, flops, bytes, kvTime, kvPeak };
}
