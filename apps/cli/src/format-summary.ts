import type { ResolvedConfig, SimulationStatistics } from '@sim/engine';
import { groupDigits } from '@sim/specs';
import Table from 'cli-table3';

const ms = (seconds: number) => (seconds * 1000).toFixed(seconds < 0.01 ? 2 : 1);
const pct = (fraction: number) => `${(fraction * 100).toFixed(1)}%`;
/** Seconds without float noise (a stage starting at 0.1 + 0.2 s reads 0.3). */
const seconds = (value: number) => String(Number(value.toPrecision(6)));

/**
 * The scheduler settings a run used, after the engine profile's defaults (vllm, the default: chunked
 * prefill with a 2048-token budget and prefix caching; trtllm: chunked prefill with 8192).
 */
export function describeScheduler(config: ResolvedConfig): string {
  const scheduler = config.schedulerSpec;
  const prefill = scheduler.chunkedPrefill
    ? `chunked prefill on (chunks of ${scheduler.prefillChunkSize} tokens)`
    : 'chunked prefill off';
  return `scheduler (${config.engineProfile} profile defaults unless set): ${scheduler.batchingType} batching, ${prefill}, token budget ${scheduler.maxNumBatchedTokens} per iteration, max batch ${scheduler.maxBatchSize}, preemption by ${scheduler.preemptionMode}, KV blocks of ${scheduler.kvBlockSize} tokens, prefix caching ${scheduler.enablePrefixCaching ? 'on' : 'off'}${scheduler.kvOffload === undefined ? '' : `, KV offload to ${scheduler.kvOffload.cpuMemoryGb} GB of host memory per replica`}`;
}

/** Load stages in words: `poisson stages 5 req/s × 30 s → 20 req/s × 30 s`. */
function describeStages(workload: ResolvedConfig['workloadSpec']): string | undefined {
  if (workload.stages === undefined) return undefined;
  const stages = workload.stages.map((stage) => `${stage.rate} req/s × ${stage.durationS} s`).join(' → ');
  return `${workload.arrivalProcess} stages ${stages}`;
}

/** The offered traffic in words: arrivals (a rate, stages, clients, or a trace replay), lengths, shared prefixes. */
function describeWorkload(workload: ResolvedConfig['workloadSpec']): string {
  const arrivals =
    workload.arrivalProcess === 'closed-loop'
      ? `closed-loop ${workload.concurrency} clients`
      : workload.arrivalProcess === 'trace'
        ? `trace replay of ${workload.traceFile}${workload.traceTimeScale === 1 ? '' : ` (times × ${workload.traceTimeScale})`}`
        : (describeStages(workload) ?? `${workload.arrivalProcess} ${workload.arrivalRate} req/s`);
  const lengths =
    workload.arrivalProcess === 'trace'
      ? 'lengths from the trace'
      : workload.lengthDistribution.type === 'empirical'
        ? `lengths from ${workload.lengthDistribution.file}`
        : `${workload.avgInputLength} in / ${workload.avgOutputLength} out tokens (${workload.lengthDistribution.type})`;
  const sharing = workload.prefixSharing;
  const prefixes =
    sharing === undefined
      ? ''
      : `, ${sharing.groups} shared prefix${sharing.groups === 1 ? '' : 'es'} of ${sharing.prefixLength} tokens`;
  const timeout =
    workload.requestTimeoutS === undefined ? '' : `, clients time out after ${workload.requestTimeoutS} s`;
  return `${arrivals}, ${lengths}${prefixes}${timeout}`;
}

/** One row per load stage: its window, requests, throughput and latency percentiles (ms). */
function stagesTable(stats: SimulationStatistics, prefixCaching: boolean): string {
  const timeouts = stats.stages.some((stage) => (stage.timedOutRequests ?? 0) > 0);
  const table = new Table({
    head: [
      'stage',
      'rate req/s',
      'window s',
      'requests',
      'completed',
      ...(timeouts ? ['timed out'] : []),
      'output tok/s',
      'req/s',
      'TTFT p50 ms',
      'TTFT p99 ms',
      'TPOT p50 ms',
      'TPOT p99 ms',
      'E2E p99 ms',
      ...(prefixCaching ? ['prefix hit'] : []),
    ],
    style: { head: [], border: [] },
  });
  for (const stage of stats.stages) {
    table.push([
      stage.index + 1,
      stage.rate,
      `${seconds(stage.startS)}–${seconds(stage.startS + stage.durationS)}`,
      stage.totalRequests,
      stage.completedRequests,
      ...(timeouts ? [stage.timedOutRequests ?? 0] : []),
      stage.throughputTokensPerSec.toFixed(1),
      stage.requestsPerSec.toFixed(2),
      ms(stage.firstTokenLatency.p50),
      ms(stage.firstTokenLatency.p99),
      ms(stage.timePerOutputToken.p50),
      ms(stage.timePerOutputToken.p99),
      ms(stage.endToEndLatency.p99),
      ...(prefixCaching ? [pct(stage.prefixCacheHitRate)] : []),
    ]);
  }
  return table.toString();
}

/**
 * A readable summary of one run: configuration and effective scheduler lines, throughput, latency
 * percentiles, utilization, warnings (unless `includeWarnings` is false: the CLI prints them to
 * stderr) and confidence notes.
 */
export function formatSummary(
  config: ResolvedConfig,
  stats: SimulationStatistics,
  options: { includeWarnings?: boolean } = {},
): string {
  const {
    modelSpec: model,
    clusterSpec: cluster,
    parallelismSpec: parallel,
    workloadSpec: workload,
  } = config;
  const lines: string[] = [];
  lines.push(
    config.disaggregation === undefined
      ? `${model.name} on ${cluster.nGpusPerNode * cluster.nNodes}× ${cluster.gpuSpec.name} (TP ${parallel.tensorParallelSize}, PP ${parallel.pipelineParallelSize}, DP ${parallel.dataParallelSize}${parallel.expertParallel ? `, experts spread over groups of ${parallel.expertParallelSize} GPUs` : ''}), ${config.engineProfile} profile`
      : `${model.name}, disaggregated: prefill ${config.disaggregation.prefill.replicas}× ${config.disaggregation.prefill.gpuSpec.name} TP ${config.disaggregation.prefill.tensorParallelSize}, decode ${config.disaggregation.decode.replicas}× ${config.disaggregation.decode.gpuSpec.name} TP ${config.disaggregation.decode.tensorParallelSize} (KV over ${config.disaggregation.kvTransferBandwidthGbs} GB/s, ${config.disaggregation.kvTransfer}), ${config.engineProfile} profile`,
  );
  lines.push(`workload: ${describeWorkload(workload)}, ${stats.simulatedDurationS.toFixed(1)} s simulated`);
  lines.push(describeScheduler(config));
  // Timed-out requests (workloadSpec.requestTimeoutS), when any: their count, and the output
  // throughput of completed requests only (timed-out requests' tokens were generated, not delivered).
  const timedOut = stats.timedOutRequests ?? 0;
  const overview = new Table({
    head: [
      'requests',
      'completed',
      'rejected',
      ...(timedOut > 0 ? ['timed out'] : []),
      'in flight',
      'output tok/s',
      ...(timedOut > 0 ? ['completed out tok/s'] : []),
      'total tok/s',
      'req/s',
    ],
    style: { head: [], border: [] },
  });
  overview.push([
    stats.totalRequests,
    stats.completedRequests,
    stats.rejectedRequests,
    ...(timedOut > 0 ? [timedOut] : []),
    stats.inFlightRequests,
    stats.throughputTokensPerSec.toFixed(1),
    ...(timedOut > 0 ? [(stats.completedOutputTokensPerSec ?? 0).toFixed(1)] : []),
    stats.totalTokensPerSec.toFixed(1),
    stats.requestsPerSec.toFixed(2),
  ]);
  lines.push(overview.toString());
  const latency = new Table({
    head: ['latency (ms)', 'mean', 'p50', 'p90', 'p95', 'p99', 'max'],
    style: { head: [], border: [] },
  });
  for (const [label, summary] of [
    ['TTFT', stats.firstTokenLatency],
    ['TPOT', stats.timePerOutputToken],
    ['ITL', stats.interTokenLatency],
    ['E2E', stats.endToEndLatency],
    ['queueing', stats.queueingDelay],
  ] as const) {
    latency.push([
      label,
      ms(summary.mean),
      ms(summary.p50),
      ms(summary.p90),
      ms(summary.p95),
      ms(summary.p99),
      ms(summary.max),
    ]);
  }
  lines.push(latency.toString());
  const utilization = new Table({
    head: ['GPU busy', 'MFU', 'MBU', 'KV mean', 'KV peak', 'mean batch', 'preemptions', 'goodput req/s'],
    style: { head: [], border: [] },
  });
  utilization.push([
    pct(stats.gpuUtilization),
    pct(stats.mfu),
    pct(stats.mbu),
    pct(stats.kvCacheUtilization.mean),
    pct(stats.kvCacheUtilization.peak),
    stats.meanBatchSize.toFixed(1),
    stats.preemptions,
    stats.goodput.toFixed(2),
  ]);
  lines.push(utilization.toString());
  const prefixCaching = config.schedulerSpec.enablePrefixCaching;
  if (prefixCaching)
    lines.push(
      `prefix cache: ${pct(stats.prefixCacheHitRate)} of prompt tokens served from the cache (hit rate${config.warmupS > 0 ? ' after the warm-up' : ''})`,
    );
  if (stats.replicas.length > 1)
    lines.push(
      `replicas (router ${config.parallelismSpec.router}, imbalance max/mean ${stats.routingImbalance.toFixed(2)}): requests ${stats.replicas.map((replica) => replica.requests).join(' / ')}${prefixCaching ? `; hit rate ${stats.replicas.map((replica) => pct(replica.prefixCacheHitRate)).join(' / ')}` : ''}`,
    );
  const pools = stats.disaggregation;
  if (pools !== undefined)
    lines.push(
      ...(['prefill', 'decode'] as const).map((role) => {
        const pool = pools[role];
        return `${role} pool: ${pool.replicas} × ${pool.gpu} (${pool.gpus} GPUs), ${pool.requests} requests, GPU busy ${pct(pool.gpuUtilization)}, mean queue ${pool.meanQueueLength.toFixed(2)}`;
      }),
      `KV transfer (prefill → decode): p50 ${ms(pools.kvTransferTime.p50)} ms, p99 ${ms(pools.kvTransferTime.p99)} ms`,
    );
  const sessions = stats.sessions;
  if (sessions !== undefined)
    lines.push(
      `sessions: ${sessions.started} started, ${sessions.completed} completed, ${sessions.failed} failed, ${sessions.followUpTurns} follow-up turns; TTFT p50 first turn ${ms(sessions.firstTurnFirstTokenLatency.p50)} ms, follow-ups ${ms(sessions.followUpFirstTokenLatency.p50)} ms${prefixCaching ? `; follow-up hit rate ${pct(sessions.followUpPrefixCacheHitRate)}` : ''}`,
    );
  const offload = stats.kvOffload;
  if (offload !== undefined)
    lines.push(
      `KV offload: ${pct(offload.hostHitRate)} of prompt tokens loaded from host memory; ${groupDigits(offload.blocksLoaded)} blocks loaded in ${offload.loadTimeS.toFixed(2)} s, ${groupDigits(offload.blocksOffloaded)} written`,
    );
  const speculative = stats.speculative;
  if (speculative !== undefined)
    lines.push(
      `speculative decoding (${speculative.method}, ${speculative.numSpeculativeTokens} draft tokens): ${speculative.tokensPerStep.toFixed(2)} tokens per step; decode ${speculative.decodeSpeedup.toFixed(2)}× faster per token at the mean batch`,
    );
  if (stats.stages.length > 0) {
    lines.push(
      'per stage (each request counts in the stage it arrived in, even when it finished later; rates over the stage window):',
    );
    lines.push(stagesTable(stats, prefixCaching));
  }
  lines.push(
    `memory per GPU: weights ${stats.memory.weightGbPerGpu.toFixed(1)} GB, KV cache ${stats.memory.kvCacheGbPerGpu.toFixed(1)} GB (${stats.memory.kvCapacityTokens.toLocaleString('en-US')} tokens)${stats.memory.localKvGbPerGpu === undefined ? '' : ` + ${stats.memory.localKvGbPerGpu.toFixed(1)} GB set aside for sliding-window layers`}`,
  );
  if (options.includeWarnings !== false)
    for (const warning of stats.warnings) lines.push(`warning: ${warning}`);
  for (const note of stats.confidence) lines.push(`confidence: ${note}`);
  return lines.join('\n');
}
