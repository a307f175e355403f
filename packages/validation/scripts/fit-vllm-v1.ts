/**
 * Fits the `vllm` (V1) engine profile end to end: every training stage of the vLLM V1 H100 runs is
 * replayed through the full engine, and Nelder–Mead adjusts the profile's free parameters to
 * minimize the mean squared log error of the median TTFT and the median end-to-end latency.
 * Reads only `train` rows (readVllmV1Stages('train')). Writes packages/perf-model/data/vllm-v1-profile.json.
 * Run: pnpm --filter @sim/validation fit-vllm-v1
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { fitVllmV1, VLLM_V1_FIT_STAGES } from '../src/vllm-v1-fit';

const started = performance.now();
const result = fitVllmV1(VLLM_V1_FIT_STAGES(), { log: (line) => console.error(line) });
const out = fileURLToPath(new URL('../../perf-model/data/vllm-v1-profile.json', import.meta.url));
writeFileSync(out, `${JSON.stringify(result.file, null, 2)}\n`);
console.error(`wrote ${out} in ${((performance.now() - started) / 1000).toFixed(0)} s`);
