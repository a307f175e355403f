import { type DecodeLinearCost, kvSwapSeconds, type PerfModel } from '@sim/perf-model';
import type { IterationPlan, SteadyDecodeWindow } from '@sim/scheduler';
import type { EventQueue } from './event-queue';
import { iterationSpan } from './iteration-span';
import type { RunCounters } from './run-counters';
import { ITERATION_END, type RunClock, type RunEvent, WAKE } from './run-events';
import type { TraceEvent } from './simulation-metrics';
import { runSteadyDecodes, type SteadyDecodeCost, steadyIterationsBefore } from './steady-decode';
import type { TimeSeriesRecorder } from './time-series';
import type { VirtualEngine } from './virtual-engine';

/** What the executor reads from, and reports to, the run it belongs to. */
export interface ExecutorHost {
  /** Time of the next queued event (bulk decoding stops before it). */
  nextEventTime(): number;
  /** Requests waiting, all schedulers together. */
  waitingTotal(): number;
  /** Integrates the waiting and in-system counts up to `time`. */
  observeQueue(time: number, waiting?: number): void;
}

/** The parts of a run the executor shares. */
export interface ExecutorParts {
  readonly perf: PerfModel;
  readonly queue: EventQueue<RunEvent>;
  readonly clock: RunClock;
  readonly counts: RunCounters;
  readonly series: TimeSeriesRecorder;
  /** Chrome trace spans (undefined: none are kept), and their cap. */
  readonly trace: TraceEvent[] | undefined;
  readonly maxTraceEvents: number;
  /** Arrivals stop and metrics are cut here (Infinity when the run drains). */
  readonly horizon: number;
  /** Steady decode iterations are advanced in bulk (single-stage replicas, no Chrome trace). */
  readonly bulkDecodes: boolean;
  /** The host link's bandwidth, GB/s (swap traffic, KV offload loads). */
  readonly hostBandwidthGbs: number;
  readonly host: ExecutorHost;
}

/**
 * Runs iterations on virtual engines: asks the engine's policy for the next iteration, times it
 * with the perf model through every pipeline stage (CPU time overlapped or not, swap traffic and
 * KV offload loads, stages waiting for each other), records its metrics and queues its end — or, for runs of
 * identical decode-only iterations, advances them in bulk in closed form.
 */
export class IterationExecutor {
  private readonly perf: PerfModel;
  private readonly queue: EventQueue<RunEvent>;
  private readonly clock: RunClock;
  private readonly counts: RunCounters;
  private readonly series: TimeSeriesRecorder;
  private readonly trace: TraceEvent[] | undefined;
  private readonly maxTraceEvents: number;
  private readonly horizon: number;
  private readonly bulkDecodes: boolean;
  private readonly hostBandwidthGbs: number;
  private readonly host: ExecutorHost;
  /** Linear decode costs by number of decoding sequences. */
  private readonly decodeCosts: DecodeLinearCost[] = [];

  constructor(parts: ExecutorParts) {
    this.perf = parts.perf;
    this.queue = parts.queue;
    this.clock = parts.clock;
    this.counts = parts.counts;
    this.series = parts.series;
    this.trace = parts.trace;
    this.maxTraceEvents = parts.maxTraceEvents;
    this.horizon = parts.horizon;
    this.bulkDecodes = parts.bulkDecodes;
    this.hostBandwidthGbs = parts.hostBandwidthGbs;
    this.host = parts.host;
  }

  /** Launches `engine`'s next iteration if it is idle and has work (after advancing steady decodes in bulk), or queues its wake-up. */
  tryLaunch(engine: VirtualEngine): void {
    if (engine.busy) return;
    if (this.bulkDecodes) {
      const window = engine.policy.steadyDecodeWindow?.();
      if (window !== undefined) this.advanceSteadyDecodes(engine, window);
    }
    const plan = engine.policy.plan(this.clock.now);
    if (plan === undefined) {
      const wake = engine.policy.nextWakeTime();
      // A timeout already past means the policy could not form a batch (KV full): the next iteration end retries.
      if (Number.isFinite(wake) && wake > this.clock.now && wake !== engine.wakeAt) {
        engine.wakeAt = wake;
        this.queue.push(wake, WAKE, { kind: WAKE, engine });
      }
      return;
    }
    this.launch(engine, plan);
  }

  /**
   * Steady decoding in bulk: the policy's window says how many decode-only iterations over the same
   * sequences come next; those that end strictly before the next queued event (so no arrival,
   * other replica or timeout acts in between) and within the horizon are advanced here, in closed
   * form: a decode iteration's time, FLOPs and bytes are linear in the total context, which grows
   * by one token per sequence per iteration. Each iteration still adds its token gap to the ITL
   * histogram; the other metrics are summed per run. The iteration after the run is planned and
   * launched as usual.
   */
  private advanceSteadyDecodes(engine: VirtualEngine, window: SteadyDecodeWindow): void {
    const decodes = window.sequences;
    const perf = this.perf;
    const cost: SteadyDecodeCost = {
      linear: this.decodeCost(decodes),
      cpuS: perf.cpuOverhead(decodes),
      overlapsCpu: perf.engine.overlapsCpu,
    };
    const runStart = this.clock.now;
    // First the iterations that end before the next event, by time alone; then the policy says how
    // many of those the KV cache can grow into.
    const fits = steadyIterationsBefore(cost, window, runStart, this.host.nextEventTime(), this.horizon);
    if (fits === 0) return;
    const policy = engine.policy;
    if (policy.steadyDecodeBlocks === undefined || policy.advanceSteadyDecode === undefined) return;
    const iterations = policy.steadyDecodeBlocks(fits);
    if (iterations === 0) return;
    const counts = this.counts;
    const run = runSteadyDecodes(
      cost,
      window,
      runStart,
      iterations,
      counts.kvPeak,
      engine.gaps,
      engine.stageGaps,
    );
    policy.advanceSteadyDecode(run.count);
    const end = run.end;
    const span = end - runStart;
    const waiting = this.host.waitingTotal();
    engine.host.stageFree[0] = end;
    counts.stageBusyS += run.busyS;
    engine.host.busyS += run.busyS;
    counts.flops += run.flops;
    counts.bytes += run.bytes;
    counts.kvWeighted += run.kvTime;
    counts.kvPeak = run.kvPeak;
    counts.iterations += run.count;
    counts.batchSizeSum += decodes * run.count;
    counts.outputTokens += decodes * run.count;
    this.series.addIteration(runStart, span, decodes, run.kvTime / span);
    this.series.addTokens(end, decodes * run.count);
    this.host.observeQueue(end, waiting);
    this.clock.now = end;
    this.clock.lastEventTime = end;
  }

  /** The perf model's linear decode cost for `sequences` decoding sequences (cached). */
  decodeCost(sequences: number): DecodeLinearCost {
    let cost = this.decodeCosts[sequences];
    if (cost === undefined) {
      cost = this.perf.decodeLinearCost(sequences);
      this.decodeCosts[sequences] = cost;
    }
    return cost;
  }

  private launch(engine: VirtualEngine, plan: IterationPlan): void {
    const perf = this.perf;
    const counts = this.counts;
    const replica = engine.host;
    let tokens = plan.decodeSequences;
    for (const chunk of plan.prefillChunks) tokens += chunk;
    const sequences = plan.prefillChunks.length + plan.decodeSequences;
    const start = this.clock.now;
    // An overlapped engine prepares this iteration while the GPU runs the previous one: its CPU
    // time delays the iteration only where it is longer than the GPU work (added after the stages).
    const cpu = perf.cpuOverhead(sequences);
    const overlapsCpu = perf.engine.overlapsCpu;
    let time = overlapsCpu ? start : start + cpu;
    if (plan.swapBlocks > 0) time += kvSwapSeconds(perf.memory, this.hostBandwidthGbs, plan.swapBlocks);
    // Offloaded prefix blocks are loaded before the forward pass (vLLM's connector waits for them).
    if (plan.offloadLoadBlocks > 0) {
      const load = kvSwapSeconds(perf.memory, this.hostBandwidthGbs, plan.offloadLoadBlocks);
      time += load;
      counts.offloadLoadS += load;
      counts.offloadLoadedBlocks += plan.offloadLoadBlocks;
    }
    const attention = tokens > 0 ? perf.attentionTime(plan, undefined, tokens) : 0;
    for (let stage = 0; stage < perf.stages; stage++) {
      const stageTime = tokens > 0 ? perf.stageTime(plan, stage, tokens, attention) : 0;
      const stageStart = Math.max(time, replica.stageFree[stage] ?? time);
      const stageEnd = stageStart + stageTime;
      replica.stageFree[stage] = stageEnd;
      const busy = Math.max(0, Math.min(stageEnd, this.horizon) - Math.min(stageStart, this.horizon));
      counts.stageBusyS += busy;
      replica.busyS += busy;
      if (this.trace !== undefined && this.trace.length < this.maxTraceEvents)
        this.trace.push(iterationSpan(plan, engine, stage, stageStart, stageTime, tokens));
      time = stageEnd;
    }
    const end = overlapsCpu ? Math.max(time, start + cpu) : time;
    const duration = end - start;
    const inside = duration > 0 ? Math.max(0, Math.min(end, this.horizon) - start) / duration : 0;
    if (tokens > 0) {
      counts.flops += perf.flopsOf(plan) * inside;
      counts.bytes += perf.bytesOf(plan) * inside;
    }
    const kv = engine.policy.blocks.utilization;
    counts.kvWeighted += kv * Math.max(0, Math.min(end, this.horizon) - start);
    if (kv > counts.kvPeak) counts.kvPeak = kv;
    counts.iterations++;
    counts.batchSizeSum += sequences;
    this.series.addIteration(start, duration, sequences, kv);
    engine.busy = true;
    engine.pendingSampled = plan.sampledSequences;
    engine.pendingDuration = end - start;
    this.queue.push(end, ITERATION_END, { kind: ITERATION_END, engine });
  }
}
