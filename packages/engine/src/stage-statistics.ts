import type { Sequence } from '@sim/scheduler';
import type { LoadStage } from '@sim/specs';
import { LogHistogram, Samples } from './distribution';
import type { StageStatistics } from './statistics';
import { withRoomFor } from './typed-array-room';

/** Observations of the requests that arrived in one load stage (see {@link StageStatistics}). */
class StageAccumulator {
  arrived = 0;
  rejected = 0;
  completed = 0;
  /** Requests whose client gave up (`workloadSpec.requestTimeoutS`). */
  timedOut = 0;
  measuredCompleted = 0;
  /** Output tokens of the stage's completed requests. */
  outputTokens = 0;
  /** Prompt tokens of the stage's requests whose first prefill completed. */
  inputTokens = 0;
  /** Of those, the measured requests' prompt tokens, and how many of them the prefix cache served. */
  measuredPromptTokens = 0;
  cachedPromptTokens = 0;
  metSlo = 0;
  readonly ttft = new Samples();
  readonly tpot = new Samples();
  readonly e2e = new Samples();
  readonly queueing = new Samples();
  readonly itl = new LogHistogram();
}

/**
 * Per-stage observations of a run with `workloadSpec.stages`: each request is attributed to the
 * stage it arrived in, and everything about it (its latencies, tokens, inter-token gaps, prefix
 * cache hits) counts in that stage, even when it happens after the stage ended.
 */
export class StageTracker {
  private readonly stages: readonly LoadStage[];
  private readonly starts: Float64Array;
  private readonly accumulators: StageAccumulator[];
  /** Stage of each request, by id. */
  private stageOfId = new Int32Array(1024);
  /**
   * Inter-token bookkeeping of each request, by id, mirroring `Sequence.tokenTime` / `tokenGroup`
   * (kept here so the engine's own {@link TokenGaps} state on the sequence is left alone).
   */
  tokenTime = new Float64Array(1024);
  tokenGroup = new Int32Array(1024);

  /** @param starts the stages' boundaries (stageBoundaries in workload-source.ts) */
  constructor(stages: readonly LoadStage[], starts: Float64Array) {
    this.stages = stages;
    this.starts = starts;
    this.accumulators = stages.map(() => new StageAccumulator());
  }

  get stageCount(): number {
    return this.stages.length;
  }

  /** Records that request `id` arrived in `stage`. */
  arrive(id: number, stage: number): void {
    this.stageOfId = withRoomFor(this.stageOfId, id);
    this.tokenTime = withRoomFor(this.tokenTime, id);
    this.tokenGroup = withRoomFor(this.tokenGroup, id);
    this.stageOfId[id] = stage;
    this.tokenGroup[id] = -1;
    this.accumulator(stage).arrived++;
  }

  /** The observations of stage `stage` (an index the tracker gave: always one of the stages). */
  private accumulator(stage: number): StageAccumulator {
    const accumulator = this.accumulators[stage];
    if (accumulator === undefined) throw new Error(`internal: no load stage ${stage}`);
    return accumulator;
  }

  stageOf(id: number): number {
    return this.stageOfId[id] ?? 0;
  }

  /** The inter-token histogram of a stage (the engines' {@link StageTokenGaps} add to it). */
  histogram(stage: number): LogHistogram {
    return this.accumulator(stage).itl;
  }

  reject(id: number): void {
    this.accumulator(this.stageOf(id)).rejected++;
  }

  /** The request's client gave up on it (`workloadSpec.requestTimeoutS`). */
  timeOut(id: number): void {
    this.accumulator(this.stageOf(id)).timedOut++;
  }

  /** The request's first prefill completed. */
  firstToken(sequence: Sequence): void {
    const stage = this.accumulator(this.stageOf(sequence.id));
    stage.inputTokens += sequence.inputTokens;
    if (sequence.measured) {
      stage.measuredPromptTokens += sequence.inputTokens;
      stage.cachedPromptTokens += sequence.cachedPromptTokens;
    }
  }

  /** The request finished; the latencies are only passed for measured requests. */
  finish(
    sequence: Sequence,
    latencies: { ttft: number; e2e: number; queueing: number; tpot: number; metSlo: boolean } | undefined,
  ): void {
    const stage = this.accumulator(this.stageOf(sequence.id));
    stage.completed++;
    stage.outputTokens += sequence.outputTokens;
    if (latencies === undefined) return;
    stage.measuredCompleted++;
    stage.ttft.push(latencies.ttft);
    stage.e2e.push(latencies.e2e);
    stage.queueing.push(latencies.queueing);
    if (!Number.isNaN(latencies.tpot)) stage.tpot.push(latencies.tpot);
    if (latencies.metSlo) stage.metSlo++;
  }

  /**
   * One entry per stage. Rates divide by the stage's window [start, min(end, D)); goodput by the
   * part of that window after the warm-up W. With `timeouts` (the run has a requestTimeoutS) each
   * entry also has `timedOutRequests`.
   */
  summarize(durationS: number, warmupS: number, timeouts = false): StageStatistics[] {
    return this.stages.map((spec, index) => {
      const stage = this.accumulator(index);
      const start = this.starts[index] ?? 0;
      const end = Math.min(this.starts[index + 1] ?? 0, durationS);
      const window = Math.max(0, end - start);
      const measuredWindow = Math.max(0, end - Math.max(start, warmupS));
      const perSecond = (value: number) => (window > 0 ? value / window : 0);
      return {
        index,
        rate: spec.rate,
        startS: start,
        durationS: spec.durationS,
        totalRequests: stage.arrived,
        completedRequests: stage.completed,
        rejectedRequests: stage.rejected,
        ...(timeouts ? { timedOutRequests: stage.timedOut } : {}),
        inFlightRequests: stage.arrived - stage.completed - stage.rejected - stage.timedOut,
        outputTokens: stage.outputTokens,
        inputTokens: stage.inputTokens,
        throughputTokensPerSec: perSecond(stage.outputTokens),
        totalTokensPerSec: perSecond(stage.outputTokens + stage.inputTokens),
        requestsPerSec: perSecond(stage.completed),
        firstTokenLatency: stage.ttft.summarize(),
        timePerOutputToken: stage.tpot.summarize(),
        interTokenLatency: stage.itl.summarize(),
        endToEndLatency: stage.e2e.summarize(),
        queueingDelay: stage.queueing.summarize(),
        goodput: measuredWindow > 0 ? stage.metSlo / measuredWindow : 0,
        sloAttainment: stage.measuredCompleted > 0 ? stage.metSlo / stage.measuredCompleted : 0,
        prefixCacheHitRate: hitRate(stage.cachedPromptTokens, stage.measuredPromptTokens),
      };
    });
  }
}

/** Cached ÷ prompt tokens, 0 when there were none. */
export function hitRate(cached: number, prompt: number): number {
  return prompt > 0 ? cached / prompt : 0;
}

/**
 * Inter-token gaps of one virtual engine's sequences, split by load stage. It mirrors
 * {@link TokenGaps} call for call (the engine calls both with the same events), with joiner groups
 * keyed by (token time, stage) and the decoding set counted per stage, so each stage's histogram
 * receives exactly the gaps of its own measured requests and the stages' histograms add up to the
 * overall one.
 */
export class StageTokenGaps {
  private readonly tracker: StageTracker;
  private readonly histograms: LogHistogram[];
  private group = 0;
  private decodedAt = 0;
  private joinTimes = new Float64Array(16);
  private joinStages = new Int32Array(16);
  private joinCounts = new Int32Array(16);
  private joinMeasured = new Int32Array(16);
  private joined = 0;
  /** Measured sequences of each stage in the decoding set (joiners included). */
  private readonly decoding: Int32Array;
  /** Scratch: measured joiners of each stage at a decode step. */
  private readonly joinedPerStage: Int32Array;

  constructor(tracker: StageTracker) {
    this.tracker = tracker;
    this.histograms = [];
    for (let stage = 0; stage < tracker.stageCount; stage++) this.histograms.push(tracker.histogram(stage));
    this.decoding = new Int32Array(tracker.stageCount);
    this.joinedPerStage = new Int32Array(tracker.stageCount);
  }

  join(sequence: Sequence, time: number): void {
    const tracker = this.tracker;
    const id = sequence.id;
    const stage = tracker.stageOf(id);
    const measured = sequence.measured ? 1 : 0;
    const last = this.joined - 1;
    if (last >= 0 && this.joinTimes[last] === time && this.joinStages[last] === stage) {
      this.joinCounts[last] = (this.joinCounts[last] ?? 0) + 1;
      this.joinMeasured[last] = (this.joinMeasured[last] ?? 0) + measured;
    } else {
      this.joinTimes = withRoomFor(this.joinTimes, this.joined);
      this.joinStages = withRoomFor(this.joinStages, this.joined);
      this.joinCounts = withRoomFor(this.joinCounts, this.joined);
      this.joinMeasured = withRoomFor(this.joinMeasured, this.joined);
      this.joinTimes[this.joined] = time;
      this.joinStages[this.joined] = stage;
      this.joinCounts[this.joined] = 1;
      this.joinMeasured[this.joined] = measured;
      this.joined++;
    }
    if ((tracker.tokenGroup[id] ?? 0) < 0 && measured === 1)
      this.decoding[stage] = (this.decoding[stage] ?? 0) + 1;
    tracker.tokenTime[id] = time;
    tracker.tokenGroup[id] = this.group;
  }

  /** A swapped-out sequence rejoins: its next gap runs from its last token before the swap. */
  swapIn(sequence: Sequence): void {
    this.join(sequence, this.tracker.tokenTime[sequence.id] ?? 0);
  }

  recomputed(sequence: Sequence, time: number): void {
    const id = sequence.id;
    if (sequence.measured)
      this.histograms[this.tracker.stageOf(id)]?.add(time - (this.tracker.tokenTime[id] ?? 0), 1);
    this.join(sequence, time);
  }

  leave(sequence: Sequence): void {
    const tracker = this.tracker;
    const id = sequence.id;
    const stage = tracker.stageOf(id);
    const group = tracker.tokenGroup[id] ?? 0;
    if (group !== this.group) {
      tracker.tokenTime[id] = this.decodedAt;
    } else {
      const time = tracker.tokenTime[id] ?? 0;
      for (let index = this.joined - 1; index >= 0; index--) {
        if (
          this.joinTimes[index] !== time ||
          this.joinStages[index] !== stage ||
          this.joinCounts[index] === 0
        )
          continue;
        this.joinCounts[index] = (this.joinCounts[index] ?? 0) - 1;
        if (sequence.measured) this.joinMeasured[index] = (this.joinMeasured[index] ?? 0) - 1;
        break;
      }
      while (this.joined > 0 && this.joinCounts[this.joined - 1] === 0) this.joined--;
    }
    if (group >= 0 && sequence.measured) this.decoding[stage] = (this.decoding[stage] ?? 0) - 1;
    tracker.tokenGroup[id] = -1;
  }

  decodeStep(time: number): void {
    const joinedPerStage = this.joinedPerStage;
    joinedPerStage.fill(0);
    for (let index = 0; index < this.joined; index++) {
      const measured = this.joinMeasured[index] ?? 0;
      if (measured <= 0) continue;
      const stage = this.joinStages[index] ?? 0;
      this.histograms[stage]?.add(time - (this.joinTimes[index] ?? 0), measured);
      joinedPerStage[stage] = (joinedPerStage[stage] ?? 0) + measured;
    }
    this.joined = 0;
    const decoding = this.decoding;
    for (let stage = 0; stage < decoding.length; stage++) {
      const rest = (decoding[stage] ?? 0) - (joinedPerStage[stage] ?? 0);
      if (rest > 0) this.histograms[stage]?.add(time - this.decodedAt, rest);
    }
    this.decodedAt = time;
    this.group++;
  }
}
