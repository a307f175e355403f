import type { Sequence } from '@sim/scheduler';
import type { SloSpec } from '@sim/specs';
import { LogHistogram, Samples } from './distribution';

/** A completed request's latencies, seconds (tpot NaN with one output token), and whether it met the SLO. */
export interface CompletionTimes {
  readonly ttft: number;
  readonly e2e: number;
  readonly queueing: number;
  readonly tpot: number;
  readonly metSlo: boolean;
}

/**
 * What a run observes, summed as it goes: request counts, tokens, iteration facts (busy time,
 * FLOPs, bytes, KV use) and the latency samples of measured requests (those arriving after the
 * warm-up). The event loop adds to the fields; `firstToken` and `completion` take a request's share.
 */
export class RunCounters {
  arrived = 0;
  rejected = 0;
  completed = 0;
  /** Requests whose client gave up (workloadSpec.requestTimeoutS). */
  timedOut = 0;
  /** Output tokens of completed requests. */
  completedOutputTokens = 0;
  outputTokens = 0;
  inputTokens = 0;
  preemptions = 0;
  ttftMisses = 0;
  tpotMisses = 0;
  iterations = 0;
  batchSizeSum = 0;
  /** Seconds the pipeline stages were busy, summed over stages and replicas (within the horizon). */
  stageBusyS = 0;
  flops = 0;
  bytes = 0;
  /** KV-cache utilization × seconds, summed over virtual engines, and its peak. */
  kvWeighted = 0;
  kvPeak = 0;
  metSlo = 0;
  measuredCompleted = 0;
  /** Sum of service times (first scheduling to last token) of measured completed requests. */
  serviceSum = 0;
  /** Prompt tokens of measured requests whose first prefill completed, and of those served from the prefix cache. */
  measuredPromptTokens = 0;
  cachedPromptTokens = 0;
  /** Of `cachedPromptTokens`, those loaded from host memory (`schedulerSpec.kvOffload`). */
  hostPromptTokens = 0;
  /** KV blocks loaded from host memory (`schedulerSpec.kvOffload`) by launched iterations, and the seconds their transfers took. */
  offloadLoadedBlocks = 0;
  offloadLoadS = 0;
  readonly ttft = new Samples();
  readonly e2e = new Samples();
  readonly tpot = new Samples();
  readonly queueing = new Samples();
  readonly itl = new LogHistogram();

  /** A request's first token at `time`: its prompt tokens count, and a measured one's TTFT against the SLO. */
  firstToken(sequence: Sequence, time: number, ttftSloS: number | undefined): void {
    this.inputTokens += sequence.inputTokens;
    if (!sequence.measured) return;
    this.measuredPromptTokens += sequence.inputTokens;
    this.cachedPromptTokens += sequence.cachedPromptTokens;
    this.hostPromptTokens += sequence.hostPromptTokens;
    if (ttftSloS !== undefined && time - sequence.arrivalTime > ttftSloS) this.ttftMisses++;
  }

  /** A request completed at `time`: counts it, and a measured one's latencies and SLO attainment. */
  completion(sequence: Sequence, time: number, slo: SloSpec): CompletionTimes {
    this.completed++;
    this.completedOutputTokens += sequence.outputTokens;
    const ttft = sequence.firstTokenTime - sequence.arrivalTime;
    const e2e = time - sequence.arrivalTime;
    const queueing = sequence.firstScheduledTime - sequence.arrivalTime;
    const tpot = sequence.outputTokens > 1 ? (e2e - ttft) / (sequence.outputTokens - 1) : Number.NaN;
    let metSlo = false;
    if (sequence.measured) {
      this.measuredCompleted++;
      this.ttft.push(ttft);
      this.e2e.push(e2e);
      this.queueing.push(queueing);
      this.serviceSum += e2e - queueing;
      if (!Number.isNaN(tpot)) this.tpot.push(tpot);
      if (slo.tpotS !== undefined && tpot > slo.tpotS) this.tpotMisses++;
      if (
        (slo.ttftS === undefined || ttft <= slo.ttftS) &&
        (slo.tpotS === undefined || Number.isNaN(tpot) || tpot <= slo.tpotS)
      ) {
        this.metSlo++;
        metSlo = true;
      }
    }
    return { ttft, e2e, queueing, tpot, metSlo };
  }
}
