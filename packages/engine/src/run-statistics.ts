import { createPerfModel, type PerfModel } from '@sim/perf-model';
import { confidenceNotes, type RunDiagnosticsInput, runWarnings } from './run-diagnostics';
import type { DisaggregationStatistics } from './serving-pool';
import type { SessionStatistics } from './session-tracker';
import { hitRate, type StageTracker } from './stage-statistics';
import type { ReplicaStatistics, SimulationStatistics, SpeculativeStatistics } from './statistics';
import type { Replica } from './virtual-engine';

/** What the statistics are computed from: the diagnostics' inputs plus the per-stage tracker. */
export interface RunStatisticsInput extends RunDiagnosticsInput {
  /** Per-stage observations (`workloadSpec.stages`); undefined without stages. */
  readonly stageTracker: StageTracker | undefined;
  /** Whether clients time out (workloadSpec.requestTimeoutS): timeout counts are reported. */
  readonly timeouts: boolean;
  /** Whether the run used a custom engine profile (RunOptions.engineProfile): no calibration-file notes. */
  readonly customProfile: boolean;
  /** The data-parallel replicas' routing and prefix-cache counts. */
  readonly replicaCounts: readonly Pick<Replica, 'routed' | 'promptTokens' | 'cachedPromptTokens'>[];
  /** The sessions' statistics (workloadSpec.sessions); undefined without sessions. */
  readonly sessions?: SessionStatistics | undefined;
  /** Σ over every GPU of its peak FLOP/s and bytes/s (MFU and MBU's denominators); default from `perf` and the replicas. */
  readonly peakCapacity?: { readonly flopsPerSecond: number; readonly bytesPerSecond: number };
  /** The KV transfers and pools of a disaggregated run; undefined otherwise. */
  readonly disaggregation?: DisaggregationStatistics | undefined;
  /** Blocks the schedulers wrote to host memory (`schedulerSpec.kvOffload`); undefined without offload. */
  readonly offloadedBlocks?: number | undefined;
}

/** Each replica's requests and hit rate, and the routing imbalance max nᵣ / mean nᵣ (0 with no requests). */
function replicaStatistics(replicas: RunStatisticsInput['replicaCounts']): {
  routingImbalance: number;
  replicas: ReplicaStatistics[];
} {
  let most = 0;
  let total = 0;
  for (const replica of replicas) {
    most = Math.max(most, replica.routed);
    total += replica.routed;
  }
  return {
    routingImbalance: total > 0 ? most / (total / replicas.length) : 0,
    replicas: replicas.map((replica) => ({
      requests: replica.routed,
      prefixCacheHitRate: hitRate(replica.cachedPromptTokens, replica.promptTokens),
    })),
  };
}

/** Speculative decoding's tokens per step, and its decode speedup at the run's mean batch and context. */
function speculativeStatistics(run: RunStatisticsInput): SpeculativeStatistics {
  const { config, perf, counts } = run;
  const speculative = perf.speculative;
  const spec = config.speculativeSpec;
  if (speculative === undefined || spec === undefined) throw new Error('internal: no speculative decoding');
  const sequences = Math.max(
    1,
    Math.round(counts.iterations > 0 ? counts.batchSizeSum / counts.iterations : 1),
  );
  const requests = Math.max(1, counts.arrived);
  const context = Math.max(1, Math.round((counts.inputTokens + counts.outputTokens / 2) / requests));
  const batch = {
    prefillChunks: [],
    prefillContexts: [],
    decodeSequences: sequences,
    decodeContextTokens: sequences * context,
  };
  // The same deployment (and engine profile) without speculation.
  const { speculativeSpec: _speculative, ...withoutSpeculation } = perf.config;
  const plain = createPerfModel(withoutSpeculation);
  const seconds = (model: PerfModel) => {
    let total = 0;
    for (let stage = 0; stage < model.stages; stage++) total += model.stageTime(batch, stage);
    return total;
  };
  return {
    method: spec.method,
    numSpeculativeTokens: spec.numSpeculativeTokens,
    tokensPerStep: speculative.tokensPerStep,
    acceptedTokensPerStep: speculative.tokensPerStep - 1,
    decodeSpeedup: seconds(plain) / seconds(perf),
  };
}

/** The run's statistics (docs/metrics.md has every definition): rates over the simulated duration T. */
export function runStatistics(run: RunStatisticsInput): SimulationStatistics {
  const { config, perf, counts, duration, engineCount, timeouts } = run;
  const safe = (value: number) => (Number.isFinite(value) ? value : 0);
  const perSecond = (value: number) => (duration > 0 ? value / duration : 0);
  const measuredWindow = duration - Math.min(config.warmupS, duration);
  const totalGpus = perf.gpusPerReplica * config.parallelismSpec.dataParallelSize;
  const peaks = run.peakCapacity ?? {
    flopsPerSecond: perf.peaks.flopsPerSecond * totalGpus,
    bytesPerSecond: perf.peaks.bytesPerSecond * totalGpus,
  };
  const memory = perf.memory;
  return {
    completedRequests: counts.completed,
    totalRequests: counts.arrived,
    rejectedRequests: counts.rejected,
    ...(timeouts ? { timedOutRequests: counts.timedOut } : {}),
    inFlightRequests: run.inFlight,
    simulatedDurationS: duration,
    throughputTokensPerSec: perSecond(counts.outputTokens),
    ...(timeouts ? { completedOutputTokensPerSec: perSecond(counts.completedOutputTokens) } : {}),
    totalTokensPerSec: perSecond(counts.outputTokens + counts.inputTokens),
    requestsPerSec: perSecond(counts.completed),
    outputTokens: counts.outputTokens,
    inputTokens: counts.inputTokens,
    firstTokenLatency: counts.ttft.summarize(),
    timePerOutputToken: counts.tpot.summarize(),
    interTokenLatency: counts.itl.summarize(),
    endToEndLatency: counts.e2e.summarize(),
    queueingDelay: run.queueing,
    gpuUtilization: safe(duration > 0 ? counts.stageBusyS / (duration * engineCount) : 0),
    mfu: safe(duration > 0 ? counts.flops / (duration * peaks.flopsPerSecond) : 0),
    mbu: safe(duration > 0 ? counts.bytes / (duration * peaks.bytesPerSecond) : 0),
    kvCacheUtilization: {
      mean: safe(duration > 0 ? counts.kvWeighted / (duration * engineCount) : 0),
      peak: counts.kvPeak,
    },
    meanBatchSize: counts.iterations > 0 ? counts.batchSizeSum / counts.iterations : 0,
    iterations: counts.iterations,
    preemptions: counts.preemptions,
    goodput: measuredWindow > 0 ? counts.metSlo / measuredWindow : 0,
    sloAttainment: counts.measuredCompleted > 0 ? counts.metSlo / counts.measuredCompleted : 0,
    memory: {
      weightGbPerGpu: memory.weightBytesPerGpu / 1e9,
      kvCacheGbPerGpu: memory.kvCacheBytesPerGpu / 1e9,
      kvCapacityTokens: memory.kvCapacityTokens,
      ...(memory.localKvBytesPerGpu > 0 ? { localKvGbPerGpu: memory.localKvBytesPerGpu / 1e9 } : {}),
    },
    prefixCacheHitRate: hitRate(counts.cachedPromptTokens, counts.measuredPromptTokens),
    ...(run.offloadedBlocks === undefined
      ? {}
      : {
          kvOffload: {
            hostHitTokens: counts.hostPromptTokens,
            hostHitRate: hitRate(counts.hostPromptTokens, counts.measuredPromptTokens),
            blocksLoaded: counts.offloadLoadedBlocks,
            blocksOffloaded: run.offloadedBlocks,
            loadTimeS: counts.offloadLoadS,
          },
        }),
    ...(config.speculativeSpec === undefined ? {} : { speculative: speculativeStatistics(run) }),
    ...replicaStatistics(run.replicaCounts),
    stages: run.stageTracker?.summarize(config.simulationDurationS, config.warmupS, timeouts) ?? [],
    ...(run.sessions === undefined ? {} : { sessions: run.sessions }),
    ...(run.disaggregation === undefined ? {} : { disaggregation: run.disaggregation }),
    warnings: runWarnings(run),
    confidence: confidenceNotes(config, perf, run.customProfile),
  };
}

/** What the simulated duration T is decided from. */
export interface DurationInput {
  /** Time of the next queued event (Infinity when none). */
  readonly nextEvent: number;
  /** Where the run stops (Infinity when it drains). */
  readonly horizon: number;
  /** The run stopped early (RunOptions.stopAfterSloMisses). */
  readonly stoppedEarly: boolean;
  readonly lastEventTime: number;
  /** When arrivals ended (undefined while they may still come). */
  readonly arrivalsEndS: number | undefined;
  /** Each replica's pipeline stages are busy until `stageFree`. */
  readonly replicas: readonly { readonly stageFree: Float64Array }[];
}

/**
 * The simulated duration T every rate is divided by (docs/metrics.md): when the run stopped at
 * the duration with work left, the duration; otherwise the later of the last event and the end of
 * arrivals (the duration when it cut arrivals, else the last arrival), never past the horizon. A
 * run stopped early counts the iterations it already launched in full.
 */
export function simulatedDuration(run: DurationInput): number {
  if (!run.stoppedEarly && run.nextEvent !== Number.POSITIVE_INFINITY && run.nextEvent > run.horizon)
    return run.horizon;
  let end = Math.max(run.lastEventTime, run.arrivalsEndS ?? run.lastEventTime);
  if (run.stoppedEarly)
    for (const replica of run.replicas) for (const free of replica.stageFree) end = Math.max(end, free);
  return Math.min(run.horizon, end);
}
