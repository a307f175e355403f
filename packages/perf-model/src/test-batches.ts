import type { BatchShape, PerfModel } from '@sim/perf-model';

/** A decode-only batch of `sequences` sequences with `context` tokens cached each (test-only; not exported). */
export const decodeBatch = (sequences: number, context: number): BatchShape => ({
  prefillChunks: [],
  prefillContexts: [],
  decodeSequences: sequences,
  decodeContextTokens: sequences * context,
});

/** GPU seconds of an iteration: every pipeline stage's time, without the engine's CPU overhead. */
export function gpuSeconds(perf: PerfModel, batch: BatchShape): number {
  let seconds = 0;
  for (let stage = 0; stage < perf.stages; stage++) seconds += perf.stageTime(batch, stage);
  return seconds;
}
