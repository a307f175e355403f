/**
 * Benchmark of `llm-sim plan` (issue target: ≥ 100 candidates for llama-3.1-70b at 20 req/s with
 * ShareGPT lengths in ≤ 60 s): runs the built binary three times and prints the median wall time.
 * Run: pnpm bench:plan (builds first).
 */
import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const binary = resolve(fileURLToPath(new URL('..', import.meta.url)), 'dist/bin.js');
const args = [
  binary,
  'plan',
  '--model',
  'llama-3.1-70b',
  '--rate',
  '20',
  '--trace',
  fileURLToPath(
    new URL('../../../data/traces/sharegpt_8k_filtered_stats_llama2_tokenizer.csv', import.meta.url),
  ),
  '--slo-ttft-p99',
  '2',
  '--slo-tpot-p99',
  '0.1',
  '--json',
];
const times: number[] = [];
let summary = '';
for (let run = 0; run < 3; run++) {
  const started = performance.now();
  const output = JSON.parse(execFileSync(process.execPath, args, { encoding: 'utf8', maxBuffer: 1 << 26 }));
  times.push((performance.now() - started) / 1000);
  summary = `${output.candidates} candidates simulated (${output.pruned} pruned), ${output.simulations} simulations, best: ${output.rows[0]?.deployment} ×${output.rows[0]?.replicas}`;
}
times.sort((a, b) => a - b);
console.log(
  `plan llama-3.1-70b @ 20 req/s ShareGPT: median ${times[1]?.toFixed(1)} s of [${times.map((time) => time.toFixed(1)).join(', ')}]; ${summary}`,
);
