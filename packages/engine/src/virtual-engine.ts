import { type BatchingPolicy, createPolicy, type SchedulerEvents, type Sequence } from '@sim/scheduler';
import type { ResolvedConfig } from '@sim/specs';
import type { LogHistogram } from './distribution';
import { StageTokenGaps, type StageTracker } from './stage-statistics';
import { TokenGaps } from './token-gaps';

/** One scheduler of a replica: a pipeline stage's virtual engine (vLLM's), or the replica itself without pipeline parallelism. */
export interface VirtualEngine {
  /** Index of its replica, and the replica itself. */
  readonly replica: number;
  readonly host: Replica;
  readonly stage: number;
  readonly policy: BatchingPolicy;
  /** Inter-token gaps of this engine's sequences. */
  readonly gaps: TokenGaps;
  /** The same gaps split by load stage (`workloadSpec.stages`); undefined without stages. */
  readonly stageGaps: StageTokenGaps | undefined;
  /** The policy's listeners (metrics and gaps of this engine). */
  readonly events: SchedulerEvents;
  busy: boolean;
  wakeAt: number;
  /** Facts about the iteration in flight, read when it ends. */
  pendingSampled: number;
  /** Seconds of the iteration in flight (launch to end). */
  pendingDuration: number;
}

/** A data-parallel replica: its virtual engines, when each pipeline stage is next free, and its requests in flight. */
export interface Replica {
  /** Its serving pool (0: the only one, or prefill; 1: decode, with disaggregation). */
  readonly pool: number;
  readonly engines: VirtualEngine[];
  readonly stageFree: Float64Array;
  outstanding: number;
  /** Requests routed to it; of its measured requests whose first prefill completed, prompt tokens and those served from its prefix cache. */
  routed: number;
  promptTokens: number;
  cachedPromptTokens: number;
  /** Seconds its pipeline stages were busy, summed over stages (up to the horizon). */
  busyS: number;
}

/** What the engine's listeners report to the run (besides the gaps they keep themselves). */
export interface EngineListeners {
  onFirstToken(sequence: Parameters<SchedulerEvents['onFirstToken']>[0], time: number): void;
  onFinish(sequence: Parameters<SchedulerEvents['onFinish']>[0], time: number): void;
  onPreempt(): void;
  /** A swapped-out or transferred-in sequence joined the decoding batch (optional). */
  onSwapIn?(sequence: Parameters<SchedulerEvents['onFirstToken']>[0]): void;
}

/** A measured request's prompt, at its first token, in its replica's prefix-cache counts (as RunCounters' overall ones). */
function countPrompt(host: Replica, sequence: Sequence): void {
  if (!sequence.measured) return;
  host.promptTokens += sequence.inputTokens;
  host.cachedPromptTokens += sequence.cachedPromptTokens;
}

/**
 * The scheduler listeners of one virtual engine: the run's, plus its inter-token gaps (per load
 * stage too, with stages) and its replica's prefix-cache counts.
 */
export function engineEvents(
  gaps: TokenGaps,
  stageGaps: StageTokenGaps | undefined,
  run: EngineListeners,
  host: Replica,
): SchedulerEvents {
  if (stageGaps !== undefined)
    return {
      onFirstToken: (sequence, time) => {
        gaps.join(sequence, time);
        stageGaps.join(sequence, time);
        countPrompt(host, sequence);
        run.onFirstToken(sequence, time);
      },
      onFinish: (sequence, time) => {
        gaps.leave(sequence);
        stageGaps.leave(sequence);
        run.onFinish(sequence, time);
      },
      onPreempt: (sequence) => {
        gaps.leave(sequence);
        stageGaps.leave(sequence);
        run.onPreempt();
      },
      onSwapIn: (sequence) => {
        gaps.join(sequence, sequence.tokenTime);
        stageGaps.swapIn(sequence);
        run.onSwapIn?.(sequence);
      },
      onRecomputed: (sequence, time) => {
        gaps.recomputed(sequence, time);
        stageGaps.recomputed(sequence, time);
      },
      onDecodeStep: (time, _sequences, measured) => {
        gaps.decodeStep(time, measured);
        stageGaps.decodeStep(time);
      },
    };
  return {
    onFirstToken: (sequence, time) => {
      gaps.join(sequence, time);
      countPrompt(host, sequence);
      run.onFirstToken(sequence, time);
    },
    onFinish: (sequence, time) => {
      gaps.leave(sequence);
      run.onFinish(sequence, time);
    },
    onPreempt: (sequence) => {
      gaps.leave(sequence);
      run.onPreempt();
    },
    onSwapIn: (sequence) => {
      gaps.join(sequence, sequence.tokenTime);
      run.onSwapIn?.(sequence);
    },
    onRecomputed: (sequence, time) => gaps.recomputed(sequence, time),
    onDecodeStep: (time, _sequences, measured) => gaps.decodeStep(time, measured),
  };
}

/**
 * The run's replicas (dataParallelSize) of one serving pool (`pool`), numbered from `offset`, each
 * with one virtual engine per pipeline stage: its own batching policy over `blocksPerEngine` KV
 * blocks (and `offloadBlocksPerEngine` blocks of host memory with `schedulerSpec.kvOffload`),
 * inter-token gaps feeding `itl` (and the load stages' with `stageTracker`), and `run`'s listeners.
 */
export function createReplicas(
  config: ResolvedConfig,
  blocksPerEngine: number,
  offloadBlocksPerEngine: number,
  itl: LogHistogram,
  stageTracker: StageTracker | undefined,
  run: EngineListeners,
  offset = 0,
  pool = 0,
): Replica[] {
  const stages = config.parallelismSpec.pipelineParallelSize;
  const replicas: Replica[] = [];
  for (let replica = offset; replica < offset + config.parallelismSpec.dataParallelSize; replica++) {
    const host: Replica = {
      pool,
      engines: [],
      stageFree: new Float64Array(stages),
      outstanding: 0,
      routed: 0,
      promptTokens: 0,
      cachedPromptTokens: 0,
      busyS: 0,
    };
    for (let stage = 0; stage < stages; stage++) {
      const gaps = new TokenGaps(itl);
      const stageGaps = stageTracker === undefined ? undefined : new StageTokenGaps(stageTracker);
      host.engines.push({
        replica,
        host,
        stage,
        policy: createPolicy({
          ...config.schedulerSpec,
          totalBlocks: blocksPerEngine,
          offloadBlocks: offloadBlocksPerEngine,
        }),
        gaps,
        stageGaps,
        events: engineEvents(gaps, stageGaps, run, host),
        busy: false,
        wakeAt: Number.NaN,
        pendingSampled: 0,
        pendingDuration: 0,
      });
    }
    replicas.push(host);
  }
  return replicas;
}

/** The replica's virtual engine with the fewest requests (waiting plus running); the first on ties. */
export function leastLoadedEngine(replica: Replica): VirtualEngine {
  let engine: VirtualEngine | undefined;
  for (const candidate of replica.engines) {
    if (
      engine === undefined ||
      candidate.policy.waitingCount + candidate.policy.runningCount <
        engine.policy.waitingCount + engine.policy.runningCount
    )
      engine = candidate;
  }
  if (engine === undefined) throw new Error('internal: a replica without virtual engines');
  return engine;
}

/** Takes a timed-out request out of `engine`'s scheduler (nothing when it finished meanwhile); a decoding one leaves its gaps' bookkeeping too, as at a finish. */
export function abortOn(engine: VirtualEngine, sequence: Sequence): void {
  const decoding = sequence.status === 'decoding';
  if (engine.policy.abort === undefined || !engine.policy.abort(sequence)) return;
  if (decoding) {
    engine.gaps.leave(sequence);
    engine.stageGaps?.leave(sequence);
  }
}
