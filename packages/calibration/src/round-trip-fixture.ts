import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LLMInferenceSimulator, type RequestRecord, type SimulatorConfig } from '@sim/engine';
import type { EngineProfile } from '@sim/perf-model';

/**
 * Test support (not exported): measurements of a known engine profile, for round trips. The
 * workload is bursts of 1 to 96 requests, each burst arriving at once on an idle server (40 s
 * apart), with prompts of 32–2000 tokens and outputs of 8–400 (log-uniform, fixed seed): batch-1
 * prefills and decodes identify the CPU overhead and the compute and memory efficiencies, the
 * bursts' batches of up to 96 sequences the overhead per sequence. Bursts keep every iteration's
 * composition independent of the profile (no arrival races an iteration's end), so the fit's
 * objective is smooth and vanishes at the true profile.
 */
export function burstWorkload(
  sizes: readonly number[] = [1, 1, 1, 2, 3, 4, 6, 8, 12, 16, 24, 32, 48, 64, 96],
) {
  const random = mulberry32(7);
  const rows: string[] = [];
  let time = 0;
  for (const size of sizes) {
    time += 40;
    for (let index = 0; index < size; index++) {
      const input = Math.round(Math.exp(Math.log(32) + random() * Math.log(2000 / 32)));
      const output = Math.round(Math.exp(Math.log(8) + random() * Math.log(400 / 8)));
      rows.push(`${time},${input},${output}`);
    }
  }
  return `arrival_time,input_tokens,output_tokens\n${rows.join('\n')}\n`;
}

/** Simulates `trace` (CSV text) on `deployment` with `profile`; returns the per-request records in arrival order. */
export function simulateRecords(
  deployment: SimulatorConfig,
  trace: string,
  profile: EngineProfile,
): RequestRecord[] {
  const file = join(mkdtempSync(join(tmpdir(), 'llm-sim-fixture-')), 'trace.csv');
  writeFileSync(file, trace);
  const metrics = new LLMInferenceSimulator({
    ...deployment,
    workloadSpec: { traceFile: file },
    drain: true,
  }).run({
    recordRequests: true,
    engineProfile: profile,
  });
  return [...metrics.requestRecords()].sort((a, b) => a.id - b.id);
}

/** Request records as a measurement CSV (arrival_time, input_tokens, output_tokens, first_token_time, last_token_time). */
export function measurementCsv(records: readonly RequestRecord[], clockOffsetS = 0): string {
  const lines = records.map((record) => {
    const arrival = record.arrivalS + clockOffsetS;
    return `${arrival},${record.inputTokens},${record.outputTokens},${arrival + record.firstTokenLatencyS},${arrival + record.endToEndLatencyS}`;
  });
  return `arrival_time,input_tokens,output_tokens,first_token_time,last_token_time\n${lines.join('\n')}\n`;
}

/** A small deterministic PRNG (mulberry32) for fixtures. */
function mulberry32(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
