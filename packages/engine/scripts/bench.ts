/**
 * `pnpm bench`: fixed scenarios, wall time (median of runs), simulated requests per wall second,
 * and peak memory (RSS). Not a test: numbers go in the package README.
 */
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LLMInferenceSimulator, type SimulatorConfig } from '@sim/engine';

const sharegpt = fileURLToPath(
  new URL('../../../data/traces/sharegpt_8k_filtered_stats_llama2_tokenizer.csv', import.meta.url),
);
const deployment = {
  modelSpec: { name: 'llama-2-7b' },
  clusterSpec: { gpuSpec: { name: 'A100-80GB' } },
  // The default (vLLM V1) profile with prefix caching off: ShareGPT prompts share nothing.
  schedulerSpec: { batchingType: 'continuous', maxBatchSize: 128, enablePrefixCaching: false },
  seed: 42,
  drain: true,
} as const;

const scenarios: [string, SimulatorConfig, number][] = [
  [
    'S-small: 10k requests, 512/128 fixed, 10 req/s',
    {
      ...deployment,
      workloadSpec: { avgInputLength: 512, avgOutputLength: 128, arrivalRate: 10, numRequests: 10_000 },
    },
    3,
  ],
];
const rate = Number(process.env.BENCH_SHAREGPT_RATE ?? 1.75);
for (const count of (process.env.BENCH_SCALE ?? '10000,100000,1000000').split(',').map(Number)) {
  scenarios.push([
    `S-${count === 1_000_000 ? 'large' : 'scale'}: ${count.toLocaleString('en-US')} ShareGPT requests at ${rate} req/s`,
    {
      ...deployment,
      workloadSpec: {
        arrivalRate: rate,
        lengthDistribution: { type: 'empirical', file: sharegpt },
        numRequests: count,
      },
    },
    count >= 1_000_000 ? 1 : 3,
  ]);
}

// Speculative decoding: S-large's deployment and workload with an EAGLE head (3 draft tokens,
// acceptance 0.8 per position: 2.95 tokens per step).
scenarios.push([
  'D-spec: 1,000,000 ShareGPT requests at 1.75 req/s, EAGLE speculative decoding (k 3, acceptance 0.8)',
  {
    ...deployment,
    workloadSpec: {
      arrivalRate: rate,
      lengthDistribution: { type: 'empirical', file: sharegpt },
      numRequests: 1_000_000,
    },
    speculativeSpec: { method: 'eagle', numSpeculativeTokens: 3, acceptanceRate: 0.8 },
  },
  1,
]);

// Prefix-heavy: 50 shared system prompts of 512 tokens (half of every 1024-token prompt) served
// from the prefix cache, at 30 req/s on one H100 (about 90% of what it serves, ~33 req/s).
scenarios.push([
  'P-prefix: 1,000,000 requests, 50 shared 512-token prefixes, 1024/128, 30 req/s, prefix caching on (target ≤ 10 s)',
  {
    modelSpec: { name: 'llama-3.1-8b' },
    clusterSpec: { gpuSpec: { name: 'H100' } },
    schedulerSpec: { enablePrefixCaching: true },
    workloadSpec: {
      avgInputLength: 1024,
      avgOutputLength: 128,
      arrivalRate: 30,
      numRequests: 1_000_000,
      prefixSharing: { groups: 50, prefixLength: 512 },
    },
    seed: 42,
    drain: true,
  },
  3,
]);

// A cluster: 8 H100 replicas of Llama-3.1-8B behind prefix-affinity routing, 400 system prompts of
// 1,024 tokens (more than one replica's cache holds, so where a group goes matters), ~85% of what
// the eight serve.
scenarios.push([
  'C-cluster: 1,000,000 requests over 8 replicas, prefix-affinity, 400 shared 1024-token prefixes, 1536/128, 200 req/s (target ≤ 15 s)',
  {
    modelSpec: { name: 'llama-3.1-8b' },
    clusterSpec: { gpuSpec: { name: 'H100' }, nGpusPerNode: 8 },
    parallelismSpec: { dataParallelSize: 8, router: 'prefix-affinity' },
    schedulerSpec: { enablePrefixCaching: true },
    workloadSpec: {
      avgInputLength: 1536,
      avgOutputLength: 128,
      arrivalRate: 200,
      numRequests: 1_000_000,
      prefixSharing: { groups: 400, prefixLength: 1024 },
    },
    seed: 42,
    drain: true,
  },
  3,
]);

// Multi-turn chat over the same cluster: 1,000,000 requests (turns) of ~5-turn sessions.
scenarios.push([
  'C-sessions: 1,000,000 turns of 5-turn chat sessions over 8 replicas, prefix-affinity, 300/200 per turn, 40 sessions/s',
  {
    modelSpec: { name: 'llama-3.1-8b' },
    clusterSpec: { gpuSpec: { name: 'H100' }, nGpusPerNode: 8 },
    parallelismSpec: { dataParallelSize: 8, router: 'prefix-affinity' },
    workloadSpec: {
      avgInputLength: 300,
      avgOutputLength: 200,
      arrivalRate: 40,
      numRequests: 1_000_000,
      sessions: { turnsPerSession: 5, thinkTimeS: { type: 'exponential', mean: 5 } },
    },
    seed: 42,
    drain: true,
  },
  1,
]);

// A Mooncake-style trace (hash_ids) over the same cluster: 1,000,000 requests, each about one of
// 2,000 documents (3 hash ids, 1,536 tokens) plus a question of its own (1–512 tokens, one more
// id), at 200 req/s. The trace is generated (a fixed linear congruential sequence) into a
// temporary CSV; its parsing is part of the first run only (the engine caches parsed traces).
const hashTraceName =
  'C-hash: 1,000,000 traced requests with Mooncake hash_ids over 8 replicas, prefix-affinity, 2,000 documents of 1536 tokens, 200 req/s';
scenarios.push([
  hashTraceName,
  {
    modelSpec: { name: 'llama-3.1-8b' },
    clusterSpec: { gpuSpec: { name: 'H100' }, nGpusPerNode: 8 },
    parallelismSpec: { dataParallelSize: 8, router: 'prefix-affinity' },
    workloadSpec: { arrivalProcess: 'trace', traceFile: join(tmpdir(), 'llm-sim-bench-hash-trace.csv') },
    seed: 42,
    drain: true,
  },
  3,
]);

/** Writes the C-hash scenario's trace (deterministic). */
function writeHashTrace(file: string): void {
  let state = 12345;
  const next = () => {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    return state / 2 ** 32;
  };
  const lines = ['arrival_time,input_tokens,output_tokens,hash_ids'];
  for (let request = 0; request < 1_000_000; request++) {
    const document = Math.floor(next() * 2000);
    const question = 1 + Math.floor(next() * 512);
    const ids = `${3 * document} ${3 * document + 1} ${3 * document + 2} ${6000 + request}`;
    lines.push(`${(request / 200).toFixed(3)},${1536 + question},128,${ids}`);
  }
  writeFileSync(file, `${lines.join('\n')}\n`);
}

/** BENCH_ONLY=P-prefix (a comma-separated list of name prefixes) runs only those scenarios. */
const only = process.env.BENCH_ONLY?.split(',');
const selected = scenarios.filter(
  ([name]) => only === undefined || only.some((prefix) => name.startsWith(prefix)),
);
for (const [name, config] of selected)
  if (name === hashTraceName && config.workloadSpec?.traceFile !== undefined)
    writeHashTrace(config.workloadSpec.traceFile);

console.log(
  '| scenario | wall s (median) | sim requests / wall s | peak RSS MiB | completed | p99 TTFT s | prefix hit rate |',
);
console.log('|---|---|---|---|---|---|---|');
for (const [name, config, runs] of selected) {
  const times: number[] = [];
  let stats: ReturnType<ReturnType<LLMInferenceSimulator['run']>['computeStatistics']> | undefined;
  for (let run = 0; run < runs; run++) {
    const start = performance.now();
    stats = new LLMInferenceSimulator(config).run().computeStatistics();
    times.push((performance.now() - start) / 1000);
  }
  times.sort((a, b) => a - b);
  const median = times[Math.floor(times.length / 2)] as number;
  const rss = process.resourceUsage().maxRSS / 1024;
  console.log(
    `| ${name} | ${median.toFixed(2)} (${times.map((time) => time.toFixed(2)).join(', ')}) | ${Math.round((stats?.completedRequests ?? 0) / median).toLocaleString('en-US')} | ${rss.toFixed(0)} | ${stats?.completedRequests} | ${stats?.firstTokenLatency.p99.toFixed(3)} | ${stats?.prefixCacheHitRate.toFixed(3)} |`,
  );
}
