import { createPerfModel, type DecodeLinearCost, type EngineProfile, type PerfModel } from '@sim/perf-model';
import {
  type BatchingPolicy,
  createPolicy,
  type IterationPlan,
  type SchedulerEvents,
  Sequence,
  type SteadyDecodeWindow,
} from '@sim/scheduler';
import { ConfigError, configWarnings, OutOfMemoryError, type ResolvedConfig, SimError } from '@sim/specs';
import { calibratedEngineProfile, calibrationNotes } from './calibration-file';
import { type DistributionSummary, LogHistogram, Samples } from './distribution';
import { EventQueue } from './event-queue';
import { createRandomStreams, type RandomStreams } from './random-streams';
import { type RequestRecord, SimulationMetrics, type TraceEvent } from './simulation-metrics';
import { hitRate, StageTokenGaps, StageTracker } from './stage-statistics';
import type { SimulationStatistics } from './statistics';
import { TimeSeriesRecorder } from './time-series';
import { TokenGaps } from './token-gaps';
import { withRoomFor } from './typed-array-room';
import { type Arrival, WorkloadSource } from './workload-source';

/** Options of one run. */
export interface RunOptions {
  /** Keep one record per completed request (for CSV export). Default false. */
  readonly recordRequests?: boolean;
  /** Keep a Chrome trace span per iteration per stage (up to `maxTraceEvents`). Default false. */
  readonly chromeTrace?: boolean;
  /** Cap on Chrome trace spans. Default 200,000. */
  readonly maxTraceEvents?: number;
  /**
   * Stop the run early once more than this many requests miss the config's TTFT SLO, or more than
   * this many miss its TPOT SLO (`Simulation.stoppedEarly` then says so). Capacity searches use it
   * to abandon runs that are clearly over capacity: with 1% of N requests already missing, the p99
   * over N requests cannot meet the SLO. Default: never.
   */
  readonly stopAfterSloMisses?: number;
  /**
   * Take every iteration through the event queue, one at a time. By default runs of identical
   * decode-only iterations (single-stage replicas, no Chrome trace) are advanced in bulk: same
   * iteration times and latencies, metrics summed per run (time-series buckets take a run's
   * totals at its start). For checking that path; slower.
   */
  readonly exactIterations?: boolean;
  /**
   * Refuse runs expected to simulate more requests than this (a ConfigError naming the field that
   * makes the run large, with the estimate). Default {@link DEFAULT_MAX_REQUESTS}; Infinity disables.
   */
  readonly maxRequests?: number;
  /**
   * A custom engine profile used instead of the config's named `engineProfile` (its batching
   * defaults still come from the named one). For fitting a profile; see @sim/perf-model's EngineProfile.
   */
  readonly engineProfile?: EngineProfile;
}

/** Default bound on the requests one run may simulate: about a minute of computing on a laptop core. */
export const DEFAULT_MAX_REQUESTS = 10_000_000;

/** Rough simulation speed used to tell users what a refused run would cost (`pnpm bench`: 1M requests in a few seconds). */
const REQUESTS_PER_SECOND_OF_COMPUTE = 150_000;

function computeTime(seconds: number): string {
  if (seconds < 120) return `${seconds.toFixed(0)} s`;
  if (seconds < 7200) return `${(seconds / 60).toFixed(0)} minutes`;
  if (seconds < 172_800) return `${(seconds / 3600).toFixed(0)} hours`;
  if (seconds < 63_072_000) return `${(seconds / 86_400).toFixed(0)} days`;
  return `${(seconds / 31_536_000).toPrecision(2)} years`;
}

/** Progress of an asynchronous run. */
export interface Progress {
  readonly simulatedTimeS: number;
  /** 0..1 when the run is bounded by a duration or numRequests, else NaN. */
  readonly fraction: number;
  readonly completedRequests: number;
}

const ITERATION_END = 0;
const ARRIVAL = 1;
const WAKE = 2;
/** A request's client timeout (workloadSpec.requestTimeoutS): after everything else at the same instant. */
const TIMEOUT = 3;
const ADMIT = 4;

interface VirtualEngine {
  readonly replica: number;
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

interface Replica {
  readonly engines: VirtualEngine[];
  readonly stageFree: Float64Array;
  outstanding: number;
}

type Event =
  | { kind: typeof ITERATION_END | typeof WAKE; engine: VirtualEngine }
  | { kind: typeof ARRIVAL; arrival: Arrival; client: number }
  | { kind: typeof TIMEOUT | typeof ADMIT; sequence: Sequence; engine: VirtualEngine };

/** Most steady decode iterations advanced in one bulk step. */
const MAX_BULK_ITERATIONS = 4096;

/** Parameter counts (billions) spanned by the kernel-level profiles (Llama-2-7B … Qwen-72B). */
const PROFILED_PARAMS_B = [6, 73] as const;

/**
 * One simulation run: the discrete-event loop over arrivals, iterations of every replica's
 * pipeline virtual engines, and batching timeouts. The engine emits observations into counters
 * and samples; `finish()` turns them into statistics.
 */
export class Simulation {
  readonly config: ResolvedConfig;
  readonly perf: PerfModel;
  private readonly options: RunOptions;
  private readonly queue = new EventQueue<Event>();
  private readonly streams: RandomStreams;
  private readonly workload: WorkloadSource;
  private readonly replicas: Replica[] = [];
  /** Steady decode iterations are advanced in bulk (single-stage replicas, no Chrome trace). */
  private readonly bulkDecodes: boolean;
  /** Linear decode costs by number of decoding sequences. */
  private readonly decodeCosts: DecodeLinearCost[] = [];
  /** Every virtual engine's policy, flat (the queue length is summed over them on every event). */
  private readonly policies: BatchingPolicy[] = [];
  private readonly horizon: number;
  private readonly kvBlockBytes: number;
  private readonly blocksPerEngine: number;
  private routeCounter = 0;
  private now = 0;
  private nextId = 0;
  private clientOf = new Map<number, number>();
  private replicaOf: Int32Array | undefined;

  // Observations.
  private arrived = 0;
  private rejected = 0;
  private completed = 0;
  /** Requests whose client gave up (workloadSpec.requestTimeoutS), and the output tokens of completed requests. */
  private timedOut = 0;
  private completedOutputTokens = 0;
  private outputTokens = 0;
  private inputTokens = 0;
  private preemptions = 0;
  private ttftMisses = 0;
  private tpotMisses = 0;
  private readonly missLimit: number;
  private readonly requestLimit: number;
  private iterations = 0;
  private batchSizeSum = 0;
  private stageBusyS = 0;
  private flops = 0;
  private bytes = 0;
  private kvWeighted = 0;
  private kvPeak = 0;
  private metSlo = 0;
  private readonly ttft = new Samples();
  private readonly e2e = new Samples();
  private readonly tpot = new Samples();
  private readonly queueing = new Samples();
  private readonly itl = new LogHistogram();
  private readonly series: TimeSeriesRecorder;
  private readonly records: RequestRecord[] | undefined;
  private readonly trace: TraceEvent[] | undefined;
  private lastEventTime = 0;
  /** The engine profile's admissionDelayIterations (0: requests reach the scheduler when they arrive). */
  private readonly admissionDelayIterations: number;
  /** Requests in their hand-off to a scheduler (ADMIT events queued): they count as waiting. */
  private handingOff = 0;
  private lastObservation = 0;
  /** Requests arrived and not finished or rejected. */
  private inSystem = 0;
  private measuredCompleted = 0;
  /** Arrival time by request id, and which ids have left (finished or rejected), for the oldest in-flight age. */
  private arrivalTimes = new Float64Array(1024);
  private leftAt = new Uint8Array(1024);
  /** The last progress fraction reported (progress never goes back). */
  private lastProgress = 0;
  /** Lowest id that has not left. */
  private oldestOpen = 0;
  /** Sum of service times (first scheduling to last token) of measured completed requests. */
  private serviceSum = 0;
  /** Prompt tokens of measured requests whose first prefill completed, and of those served from the prefix cache. */
  private measuredPromptTokens = 0;
  private cachedPromptTokens = 0;
  /** Per-stage observations (`workloadSpec.stages`); undefined without stages. */
  private readonly stageTracker: StageTracker | undefined;
  /** workloadSpec.requestTimeoutS; undefined: clients wait forever and no timeout event is queued. */
  private readonly requestTimeoutS: number | undefined;
  /** Aborts of timed-out requests in an iteration in flight, by virtual engine, applied when it completes. */
  private readonly deferredAborts = new Map<VirtualEngine, Sequence[]>();
  /**
   * Admitted requests and their virtual engines in arrival order, which is deadline order (every
   * deadline is arrival + requestTimeoutS), from `timeoutHead` on. Only the first that has not left
   * has its TIMEOUT event in the queue (`timeoutQueued`): one event at a time, not one per request.
   */
  private timeoutSequences: Sequence[] = [];
  private timeoutEngines: VirtualEngine[] = [];
  private timeoutHead = 0;
  private timeoutQueued = false;

  constructor(config: ResolvedConfig, options: RunOptions = {}) {
    this.config = config;
    this.options = options;
    this.missLimit = options.stopAfterSloMisses ?? Number.POSITIVE_INFINITY;
    const engineProfile = options.engineProfile ?? calibratedEngineProfile(config);
    this.perf = createPerfModel(engineProfile === undefined ? config : { ...config, engineProfile });
    this.admissionDelayIterations = this.perf.engine.admissionDelayIterations;
    const memory = this.perf.memory;
    if (!memory.fits)
      throw new OutOfMemoryError(memory.verdict, memory.weightBytesPerGpu, memory.usableBytesPerGpu);
    this.streams = createRandomStreams(config.seed);
    this.workload = new WorkloadSource(config, this.streams);
    this.requestLimit = options.maxRequests ?? DEFAULT_MAX_REQUESTS;
    this.requestTimeoutS = config.workloadSpec.requestTimeoutS;
    this.checkRunSize();
    this.horizon = config.drain ? Number.POSITIVE_INFINITY : config.simulationDurationS;
    this.kvBlockBytes = memory.kvBytesPerToken * memory.blockSize;
    const stages = config.parallelismSpec.pipelineParallelSize;
    // With pipeline parallelism each stage count of virtual engines shares the replica's KV cache (as vLLM's virtual engines).
    this.blocksPerEngine = Math.floor(memory.kvCapacityBlocks / stages);
    const loadStages = config.workloadSpec.stages;
    const stageStarts = this.workload.stageStarts;
    this.stageTracker =
      loadStages === undefined || stageStarts === undefined
        ? undefined
        : new StageTracker(loadStages, stageStarts);
    for (let replica = 0; replica < config.parallelismSpec.dataParallelSize; replica++) {
      const engines: VirtualEngine[] = [];
      for (let stage = 0; stage < stages; stage++) {
        const gaps = new TokenGaps(this.itl);
        const stageGaps = this.stageTracker === undefined ? undefined : new StageTokenGaps(this.stageTracker);
        engines.push({
          replica,
          stage,
          policy: createPolicy({
            ...config.schedulerSpec,
            totalBlocks: this.blocksPerEngine,
            batchSize: config.workloadSpec.batchSize,
          }),
          gaps,
          stageGaps,
          events: this.engineEvents(gaps, stageGaps),
          busy: false,
          wakeAt: Number.NaN,
          pendingSampled: 0,
          pendingDuration: 0,
        });
      }
      this.replicas.push({ engines, stageFree: new Float64Array(stages), outstanding: 0 });
      for (const engine of engines) this.policies.push(engine.policy);
    }
    this.bulkDecodes = stages === 1 && options.chromeTrace !== true && options.exactIterations !== true;
    const policy = (this.replicas[0] as Replica).engines[0]?.policy as BatchingPolicy;
    if (this.requestTimeoutS !== undefined && policy.abort === undefined)
      throw new ConfigError([
        {
          code: 'invalid_value',
          path: 'workloadSpec.requestTimeoutS',
          message: `the "${policy.name}" batching policy cannot abort requests, so client timeouts cannot be simulated with it. Remove requestTimeoutS or use continuous batching.`,
        },
      ]);
    this.series = new TimeSeriesRecorder(this.expectedArrivalWindow());
    this.records = options.recordRequests ? [] : undefined;
    this.trace = options.chromeTrace ? [] : undefined;
    if (config.parallelismSpec.dataParallelSize > 1 || this.records !== undefined)
      this.replicaOf = new Int32Array(1024);
    this.start();
  }

  /** The scheduler listeners of one virtual engine: metrics, plus its inter-token gaps (per load stage too, with stages). */
  private engineEvents(gaps: TokenGaps, stageGaps: StageTokenGaps | undefined): SchedulerEvents {
    if (stageGaps !== undefined)
      return {
        onFirstToken: (sequence, time) => {
          gaps.join(sequence, time);
          stageGaps.join(sequence, time);
          this.onFirstToken(sequence, time);
        },
        onFinish: (sequence, time) => {
          gaps.leave(sequence);
          stageGaps.leave(sequence);
          this.onFinish(sequence, time);
        },
        onPreempt: (sequence) => {
          gaps.leave(sequence);
          stageGaps.leave(sequence);
          this.preemptions++;
        },
        onSwapIn: (sequence) => {
          gaps.join(sequence, sequence.tokenTime);
          stageGaps.swapIn(sequence);
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
        this.onFirstToken(sequence, time);
      },
      onFinish: (sequence, time) => {
        gaps.leave(sequence);
        this.onFinish(sequence, time);
      },
      onPreempt: (sequence) => {
        gaps.leave(sequence);
        this.preemptions++;
      },
      onSwapIn: (sequence) => gaps.join(sequence, sequence.tokenTime),
      onRecomputed: (sequence, time) => gaps.recomputed(sequence, time),
      onDecodeStep: (time, _sequences, measured) => gaps.decodeStep(time, measured),
    };
  }

  /**
   * Refuses runs whose expected request count exceeds the request limit: open loop, the arrival rate times
   * the duration (or numRequests, or the trace); closed loop, numRequests or each client's requests
   * over the duration at one request per (think time + a lower bound of its service time). The
   * same limit bounds the requests actually simulated (see `handleArrival`).
   */
  private checkRunSize(): void {
    const limit = this.requestLimit;
    const { workloadSpec: workload, simulationDurationS: duration, schedulerSpec } = this.config;
    const candidates: { expected: number; path: string; basis: string; fix: string }[] = [];
    if (workload.numRequests !== undefined)
      candidates.push({
        expected: workload.numRequests,
        path: 'workloadSpec.numRequests',
        basis: `numRequests ${workload.numRequests.toLocaleString('en-US')}`,
        fix: 'Lower numRequests',
      });
    const traceRows = this.workload.plannedRequests;
    if (workload.arrivalProcess === 'trace' && traceRows !== undefined)
      candidates.push({
        expected: traceRows,
        path: 'workloadSpec.traceFile',
        basis: `the trace's ${traceRows.toLocaleString('en-US')} requests`,
        fix: 'Set workloadSpec.numRequests or simulationDurationS to replay part of the trace',
      });
    if (workload.arrivalProcess === 'closed-loop') {
      const batch = Math.max(1, Math.min(workload.concurrency, schedulerSpec.maxBatchSize));
      const cost = this.decodeCost(batch);
      const context = batch * (workload.avgInputLength + workload.avgOutputLength / 2);
      const step = this.perf.iterationWallTime(
        this.perf.cpuOverhead(batch),
        cost.fixedS + cost.perContextTokenS * context,
      );
      const perRequest = workload.thinkTimeS + workload.avgOutputLength * step;
      candidates.push({
        expected: (workload.concurrency * duration) / Math.max(perRequest, 1e-9),
        path: 'simulationDurationS',
        basis: `${workload.concurrency} clients for ${duration} s at about ${perRequest.toPrecision(3)} s per request`,
        fix: 'Shorten simulationDurationS or set workloadSpec.numRequests',
      });
    } else if (workload.stages !== undefined) {
      candidates.push({
        expected: this.workload.expectedArrivals(duration),
        path: 'workloadSpec.stages',
        basis: `Σ rate × duration over ${workload.stages.length} load stage${workload.stages.length === 1 ? '' : 's'}${Number.isFinite(duration) ? ` within ${duration} s` : ''}`,
        fix: 'Shorten or slow the stages, or set workloadSpec.numRequests',
      });
    } else if (workload.arrivalProcess !== 'trace') {
      candidates.push({
        expected: workload.arrivalRate * duration,
        path: 'simulationDurationS',
        basis: `${workload.arrivalRate} req/s for ${duration} s`,
        fix: 'Shorten simulationDurationS or set workloadSpec.numRequests',
      });
    }
    let bound: (typeof candidates)[number] | undefined;
    for (const candidate of candidates)
      if (bound === undefined || candidate.expected < bound.expected) bound = candidate;
    if (bound === undefined || !(bound.expected > limit)) return;
    throw new ConfigError([
      {
        code: 'run_too_large',
        path: bound.path,
        message: `this run would simulate about ${bound.expected.toPrecision(3)} requests (${bound.basis}), more than the limit of ${limit.toLocaleString('en-US')} (continuous batching simulates roughly ${REQUESTS_PER_SECOND_OF_COMPUTE.toLocaleString('en-US')} requests per second of computing, so this would take ${computeTime(bound.expected / REQUESTS_PER_SECOND_OF_COMPUTE)} or more; pipeline parallelism, static batching and long outputs are slower). ${bound.fix}, or raise the limit (run option maxRequests; llm-sim run or compare --max-requests N).`,
      },
    ]);
  }

  /** The limit on requests actually simulated, for estimates the up-front check cannot make (see `handleArrival`). */
  private tooManyRequests(): ConfigError {
    const closedLoop = this.config.workloadSpec.arrivalProcess === 'closed-loop';
    const rejectedLoop = closedLoop && this.rejected > 0.9 * this.arrived;
    return new ConfigError([
      {
        code: 'run_too_large',
        path: rejectedLoop ? 'workloadSpec.thinkTimeS' : 'simulationDurationS',
        message: rejectedLoop
          ? `the run reached ${this.arrived.toLocaleString('en-US')} requests by ${this.now.toPrecision(3)} simulated seconds because ${this.rejected.toLocaleString('en-US')} of them were rejected (longer than the model context or than the whole KV cache, ${this.blocksPerEngine * this.config.schedulerSpec.kvBlockSize} tokens) and each closed-loop client sends its next request at once. Make the requests fit (shorter lengths, more memory or TP) or give the clients a thinkTimeS.`
          : `the run reached ${this.arrived.toLocaleString('en-US')} requests by ${this.now.toPrecision(3)} simulated seconds, more than the limit of ${this.requestLimit.toLocaleString('en-US')}. Shorten simulationDurationS or set workloadSpec.numRequests, or raise the limit (run option maxRequests; llm-sim run or compare --max-requests N).`,
      },
    ]);
  }

  /** When arrivals are expected to end (for the time series' first interval): numRequests / rate, the trace, or the duration. */
  private expectedArrivalWindow(): number {
    const { workloadSpec, simulationDurationS } = this.config;
    const planned = this.workload.plannedRequests;
    if (
      workloadSpec.arrivalProcess !== 'closed-loop' &&
      workloadSpec.arrivalProcess !== 'trace' &&
      planned !== undefined
    )
      return Math.min(simulationDurationS, this.workload.expectedTimeOfArrivals(planned));
    const starts = this.workload.stageStarts;
    if (starts !== undefined) return Math.min(simulationDurationS, starts[starts.length - 1] as number);
    return simulationDurationS;
  }

  private start(): void {
    const workload = this.config.workloadSpec;
    if (workload.arrivalProcess === 'closed-loop') {
      for (let client = 0; client < workload.concurrency; client++) this.scheduleClientRequest(client, 0);
    } else {
      this.scheduleNextArrival();
    }
  }

  private scheduleNextArrival(): void {
    const arrival = this.workload.next();
    if (arrival !== undefined) this.queue.push(arrival.time, ARRIVAL, { kind: ARRIVAL, arrival, client: -1 });
  }

  private scheduleClientRequest(client: number, time: number): void {
    if (!this.workload.claim(time)) return;
    const { input, output, prefixGroup, promptKey } = this.workload.drawLengths();
    this.queue.push(time, ARRIVAL, {
      kind: ARRIVAL,
      arrival: { time, input, output, prefixGroup, promptKey },
      client,
    });
  }

  /** Processes events up to `maxEvents`; returns false when the run is over. */
  step(maxEvents: number): boolean {
    for (let count = 0; count < maxEvents; count++) {
      const time = this.nextEventTime();
      if (time === Number.POSITIVE_INFINITY || time > this.horizon || this.stoppedEarly) return false;
      const event = this.queue.pop() as Event;
      this.observeQueue(time);
      this.now = time;
      this.lastEventTime = time;
      if (event.kind === ARRIVAL) this.handleArrival(event.arrival, event.client);
      else if (event.kind === ITERATION_END) this.handleIterationEnd(event.engine);
      else if (event.kind === ADMIT) this.handleAdmit(event.sequence, event.engine);
      else if (event.kind === TIMEOUT) {
        // Queue the next deadline first: handling this one may launch (and bulk-advance) iterations.
        this.timeoutHead++;
        this.scheduleTimeout();
        this.handleTimeout(event.sequence, event.engine);
      } else {
        event.engine.wakeAt = Number.NaN;
        this.tryLaunch(event.engine);
      }
    }
    return true;
  }

  /**
   * Time of the next event. A queued timeout whose request already left is replaced by the next
   * request's first: it would change nothing, so it must neither bound bulk decoding nor extend T.
   */
  private nextEventTime(): number {
    const queue = this.queue;
    if (this.requestTimeoutS === undefined) return queue.peekTime();
    for (;;) {
      const top = queue.peek();
      if (top === undefined || top.kind !== TIMEOUT || this.leftAt[top.sequence.id] !== 1)
        return queue.peekTime();
      queue.pop();
      this.scheduleTimeout();
    }
  }

  /** Queues the TIMEOUT event of the first watched request that has not left (none when all have). */
  private scheduleTimeout(): void {
    const sequences = this.timeoutSequences;
    let head = this.timeoutHead;
    while (head < sequences.length && this.leftAt[(sequences[head] as Sequence).id] === 1) head++;
    if (head >= 4096 && 2 * head >= sequences.length) {
      this.timeoutSequences = sequences.slice(head);
      this.timeoutEngines = this.timeoutEngines.slice(head);
      head = 0;
    }
    this.timeoutHead = head;
    const sequence = this.timeoutSequences[head];
    this.timeoutQueued = sequence !== undefined;
    if (sequence !== undefined)
      this.queue.push(sequence.arrivalTime + (this.requestTimeoutS as number), TIMEOUT, {
        kind: TIMEOUT,
        sequence,
        engine: this.timeoutEngines[head] as VirtualEngine,
      });
  }

  /** Requests waiting: in a scheduler's queue, or still in their hand-off to it (admission delay). */
  private waitingTotal(): number {
    const policies = this.policies;
    let waiting = this.handingOff;
    for (let index = 0; index < policies.length; index++)
      waiting += (policies[index] as BatchingPolicy).waitingCount;
    return waiting;
  }

  /** Integrates the waiting and in-system counts (constant since the last event) up to `time`. */
  private observeQueue(time: number, waiting?: number): void {
    if (time > this.lastObservation) {
      this.series.addLevels(this.lastObservation, time, waiting ?? this.waitingTotal(), this.inSystem);
      this.lastObservation = time;
    }
  }

  private handleArrival(arrival: Arrival, client: number): void {
    if (client < 0) this.scheduleNextArrival();
    this.arrived++;
    if (this.arrived > this.requestLimit) throw this.tooManyRequests();
    this.inSystem++;
    const id = this.nextId++;
    const sequence = new Sequence(id, arrival.time, arrival.input, arrival.output);
    sequence.measured = arrival.time >= this.config.warmupS;
    if (arrival.prefixGroup >= 0) {
      sequence.prefixGroup = arrival.prefixGroup;
      sequence.sharedPrefixTokens = Math.min(
        (this.config.workloadSpec.prefixSharing as { prefixLength: number }).prefixLength,
        arrival.input,
      );
      sequence.promptKey = arrival.promptKey;
    }
    this.stageTracker?.arrive(id, this.workload.stageOf(arrival.time));
    this.arrivalTimes = withRoomFor(this.arrivalTimes, id);
    this.leftAt = withRoomFor(this.leftAt, id);
    this.arrivalTimes[id] = arrival.time;
    if (client >= 0) this.clientOf.set(id, client);
    const model = this.config.modelSpec;
    const blocksNeeded = Math.ceil((arrival.input + arrival.output) / this.config.schedulerSpec.kvBlockSize);
    if (arrival.input > model.maxContextLength || blocksNeeded > this.blocksPerEngine) {
      this.rejected++;
      this.stageTracker?.reject(id);
      this.afterRequestLeaves(id, arrival.time);
      return;
    }
    const replicaIndex = this.route();
    const replica = this.replicas[replicaIndex] as Replica;
    replica.outstanding++;
    if (this.replicaOf !== undefined) {
      this.replicaOf = withRoomFor(this.replicaOf, id);
      this.replicaOf[id] = replicaIndex;
    }
    let engine = replica.engines[0] as VirtualEngine;
    for (const candidate of replica.engines) {
      if (
        candidate.policy.waitingCount + candidate.policy.runningCount <
        engine.policy.waitingCount + engine.policy.runningCount
      )
        engine = candidate;
    }
    if (this.requestTimeoutS !== undefined) {
      this.timeoutSequences.push(sequence);
      this.timeoutEngines.push(engine);
      if (!this.timeoutQueued) this.scheduleTimeout();
    }
    // The engine takes the request in after its hand-off (EngineProfile.admissionDelayIterations):
    // a share of the iteration in flight; an idle engine (waiting for input) takes it at once.
    const delay = engine.busy ? this.admissionDelayIterations * engine.pendingDuration : 0;
    if (delay > 0) {
      this.handingOff++;
      this.queue.push(this.now + delay, ADMIT, { kind: ADMIT, sequence, engine });
      return;
    }
    engine.policy.enqueue(sequence, this.now);
    this.tryLaunch(engine);
  }

  /** A request handed off to its engine after the admission delay (dropped if its client gave up meanwhile). */
  private handleAdmit(sequence: Sequence, engine: VirtualEngine): void {
    this.handingOff--;
    if (this.leftAt[sequence.id] === 1) return;
    engine.policy.enqueue(sequence, this.now);
    this.tryLaunch(engine);
  }

  private route(): number {
    const count = this.replicas.length;
    if (count === 1) return 0;
    switch (this.config.parallelismSpec.router) {
      case 'least-outstanding': {
        let best = 0;
        for (let index = 1; index < count; index++)
          if ((this.replicas[index] as Replica).outstanding < (this.replicas[best] as Replica).outstanding)
            best = index;
        return best;
      }
      case 'least-kv': {
        let best = 0;
        let bestLoad = Number.POSITIVE_INFINITY;
        for (let index = 0; index < count; index++) {
          let load = 0;
          for (const engine of (this.replicas[index] as Replica).engines)
            load += engine.policy.blocks.usedBlocks + engine.policy.waitingCount;
          if (load < bestLoad) {
            bestLoad = load;
            best = index;
          }
        }
        return best;
      }
      default:
        return this.routeCounter++ % count;
    }
  }

  private tryLaunch(engine: VirtualEngine): void {
    if (engine.busy) return;
    if (this.bulkDecodes) {
      const window = engine.policy.steadyDecodeWindow?.();
      if (window !== undefined) this.advanceSteadyDecodes(engine, window);
    }
    const plan = engine.policy.plan(this.now);
    if (plan === undefined) {
      const wake = engine.policy.nextWakeTime();
      // A timeout already past means the policy could not form a batch (KV full): the next iteration end retries.
      if (Number.isFinite(wake) && wake > this.now && wake !== engine.wakeAt) {
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
    const cost = this.decodeCost(decodes);
    const cpu = this.perf.cpuOverhead(decodes);
    const overlapsCpu = this.perf.engine.overlapsCpu;
    const nextEvent = this.nextEventTime();
    const runStart = this.now;
    // First the iterations that end before the next event, by time alone; then the policy says how
    // many of those the KV cache can grow into.
    let fits = 0;
    {
      let time = runStart;
      let context = window.contextTokens;
      const limit = Math.min(window.iterations, MAX_BULK_ITERATIONS);
      while (fits < limit) {
        const gpu = cost.fixedS + cost.perContextTokenS * context;
        // (start + cpu) + gpu, in this order: the same rounding as an iteration launched one at a time.
        const end = overlapsCpu ? time + Math.max(cpu, gpu) : time + cpu + gpu;
        if (!(end < nextEvent && end <= this.horizon)) break;
        time = end;
        context += decodes;
        fits++;
      }
    }
    if (fits === 0) return;
    const iterations = (engine.policy.steadyDecodeBlocks as (iterations: number) => number).call(
      engine.policy,
      fits,
    );
    if (iterations === 0) return;
    const used = window.usedBlocks;
    const total = window.totalBlocks;
    let start = runStart;
    let context = window.contextTokens;
    const gaps = engine.gaps;
    const stageGaps = engine.stageGaps;
    const measured = window.measuredSequences;
    let count = 0;
    let busy = 0;
    let flops = 0;
    let bytes = 0;
    let kvTime = 0;
    let kvPeak = this.kvPeak;
    while (count < iterations) {
      const stageTime = cost.fixedS + cost.perContextTokenS * context;
      const end = overlapsCpu ? start + Math.max(cpu, stageTime) : start + cpu + stageTime;
      const kv = total === 0 ? 0 : (used[count] as number) / total;
      kvTime += kv * (end - start);
      if (kv > kvPeak) kvPeak = kv;
      busy += stageTime;
      flops += cost.flops0 + cost.flops1 * context;
      bytes += cost.bytes0 + cost.bytes1 * context;
      gaps.decodeStep(end, measured);
      stageGaps?.decodeStep(end);
      start = end;
      context += decodes;
      count++;
    }
    (engine.policy.advanceSteadyDecode as (iterations: number) => void).call(engine.policy, count);
    const span = start - runStart;
    const waiting = this.waitingTotal();
    (this.replicas[engine.replica] as Replica).stageFree[0] = start;
    this.stageBusyS += busy;
    this.flops += flops;
    this.bytes += bytes;
    this.kvWeighted += kvTime;
    this.kvPeak = kvPeak;
    this.iterations += count;
    this.batchSizeSum += decodes * count;
    this.outputTokens += decodes * count;
    this.series.addIteration(runStart, span, decodes, kvTime / span);
    this.series.addTokens(start, decodes * count);
    this.observeQueue(start, waiting);
    this.now = start;
    this.lastEventTime = start;
  }

  /** The perf model's linear decode cost for `sequences` decoding sequences (cached). */
  private decodeCost(sequences: number): DecodeLinearCost {
    let cost = this.decodeCosts[sequences];
    if (cost === undefined) {
      cost = this.perf.decodeLinearCost(sequences);
      this.decodeCosts[sequences] = cost;
    }
    return cost;
  }

  private launch(engine: VirtualEngine, plan: IterationPlan): void {
    const perf = this.perf;
    const replica = this.replicas[engine.replica] as Replica;
    let tokens = plan.decodeSequences;
    for (const chunk of plan.prefillChunks) tokens += chunk;
    const sequences = plan.prefillChunks.length + plan.decodeSequences;
    const start = this.now;
    // An overlapped engine prepares this iteration while the GPU runs the previous one: its CPU
    // time delays the iteration only where it is longer than the GPU work (added after the stages).
    const cpu = perf.cpuOverhead(sequences);
    const overlapsCpu = perf.engine.overlapsCpu;
    let time = overlapsCpu ? start : start + cpu;
    if (plan.swapBlocks > 0)
      time +=
        (plan.swapBlocks * this.kvBlockBytes) / (this.config.clusterSpec.gpuSpec.hostBandwidthGbs * 1e9);
    const attention = tokens > 0 ? perf.attentionTime(plan, undefined, tokens) : 0;
    for (let stage = 0; stage < perf.stages; stage++) {
      const stageTime = tokens > 0 ? perf.stageTime(plan, stage, tokens, attention) : 0;
      const stageStart = Math.max(time, replica.stageFree[stage] as number);
      const stageEnd = stageStart + stageTime;
      replica.stageFree[stage] = stageEnd;
      this.stageBusyS += Math.max(0, Math.min(stageEnd, this.horizon) - Math.min(stageStart, this.horizon));
      if (this.trace !== undefined && this.trace.length < (this.options.maxTraceEvents ?? 200_000)) {
        this.trace.push({
          name: plan.prefillChunks.length > 0 ? (plan.decodeSequences > 0 ? 'mixed' : 'prefill') : 'decode',
          ph: 'X',
          ts: stageStart * 1e6,
          dur: stageTime * 1e6,
          pid: engine.replica,
          tid: stage,
          args: {
            tokens,
            prefillChunks: plan.prefillChunks.length,
            decodes: plan.decodeSequences,
            virtualEngine: engine.stage,
          },
        });
      }
      time = stageEnd;
    }
    const end = overlapsCpu ? Math.max(time, start + cpu) : time;
    const duration = end - start;
    const inside = duration > 0 ? Math.max(0, Math.min(end, this.horizon) - start) / duration : 0;
    if (tokens > 0) {
      this.flops += perf.flopsOf(plan) * inside;
      this.bytes += perf.bytesOf(plan) * inside;
    }
    const kv = engine.policy.blocks.utilization;
    this.kvWeighted += kv * Math.max(0, Math.min(end, this.horizon) - start);
    if (kv > this.kvPeak) this.kvPeak = kv;
    this.iterations++;
    this.batchSizeSum += sequences;
    this.series.addIteration(start, duration, sequences, kv);
    engine.busy = true;
    engine.pendingSampled = plan.sampledSequences;
    engine.pendingDuration = end - start;
    this.queue.push(end, ITERATION_END, { kind: ITERATION_END, engine });
  }

  private handleIterationEnd(engine: VirtualEngine): void {
    const end = this.now;
    engine.busy = false;
    this.outputTokens += engine.pendingSampled;
    this.series.addTokens(end, engine.pendingSampled);
    engine.policy.complete(end, engine.events);
    if (this.deferredAborts.size !== 0) this.applyDeferredAborts(engine);
    // Every idle engine of this replica may now use the freed stage or capacity.
    for (const candidate of (this.replicas[engine.replica] as Replica).engines) this.tryLaunch(candidate);
  }

  private onFirstToken(sequence: Sequence, computed: number): void {
    const time = computed;
    this.inputTokens += sequence.inputTokens;
    if (sequence.measured) {
      this.measuredPromptTokens += sequence.inputTokens;
      this.cachedPromptTokens += sequence.cachedPromptTokens;
    }
    this.stageTracker?.firstToken(sequence);
    const ttftSlo = this.config.slo.ttftS;
    if (sequence.measured && ttftSlo !== undefined && time - sequence.arrivalTime > ttftSlo)
      this.ttftMisses++;
  }

  /** True when the run stopped early because `stopAfterSloMisses` was exceeded. */
  get stoppedEarly(): boolean {
    return this.ttftMisses > this.missLimit || this.tpotMisses > this.missLimit;
  }

  private onFinish(sequence: Sequence, computed: number): void {
    const time = computed;
    // Delivered after its client's deadline: the timeout (queued, or already past) counts it as timed out.
    const timeout = this.requestTimeoutS;
    if (timeout !== undefined && time > sequence.arrivalTime + timeout) return;
    this.completed++;
    this.completedOutputTokens += sequence.outputTokens;
    const replicaIndex = this.replicaOf === undefined ? 0 : (this.replicaOf[sequence.id] as number);
    (this.replicas[replicaIndex] as Replica).outstanding--;
    const ttft = sequence.firstTokenTime - sequence.arrivalTime;
    const e2e = time - sequence.arrivalTime;
    const queueing = sequence.firstScheduledTime - sequence.arrivalTime;
    const tpot = sequence.outputTokens > 1 ? (e2e - ttft) / (sequence.outputTokens - 1) : Number.NaN;
    this.series.addCompletion(time);
    let metSlo = false;
    if (sequence.measured) {
      this.measuredCompleted++;
      this.ttft.push(ttft);
      this.e2e.push(e2e);
      this.queueing.push(queueing);
      this.serviceSum += e2e - queueing;
      if (!Number.isNaN(tpot)) this.tpot.push(tpot);
      const slo = this.config.slo;
      if (slo.tpotS !== undefined && tpot > slo.tpotS) this.tpotMisses++;
      if (
        (slo.ttftS === undefined || ttft <= slo.ttftS) &&
        (slo.tpotS === undefined || Number.isNaN(tpot) || tpot <= slo.tpotS)
      ) {
        this.metSlo++;
        metSlo = true;
      }
    }
    this.stageTracker?.finish(
      sequence,
      sequence.measured ? { ttft, e2e, queueing, tpot, metSlo } : undefined,
    );
    this.records?.push({
      id: sequence.id,
      arrivalS: sequence.arrivalTime,
      inputTokens: sequence.inputTokens,
      outputTokens: sequence.outputTokens,
      queueingDelayS: queueing,
      firstTokenLatencyS: ttft,
      endToEndLatencyS: e2e,
      preemptions: sequence.preemptions,
      replica: replicaIndex,
    });
    this.afterRequestLeaves(sequence.id, time);
  }

  /** A request finished or was rejected: it leaves the system; a closed-loop client sends its next. */
  private afterRequestLeaves(id: number, time: number): void {
    this.inSystem--;
    this.leftAt[id] = 1;
    while (this.oldestOpen < this.nextId && this.leftAt[this.oldestOpen] === 1) this.oldestOpen++;
    const client = this.clientOf.get(id);
    if (client === undefined) return;
    this.clientOf.delete(id);
    this.scheduleClientRequest(client, time + this.config.workloadSpec.thinkTimeS);
  }

  /**
   * A request's client timeout (its arrival + requestTimeoutS). If the request has not finished, its
   * client gives up now: the request leaves the system (a closed-loop client sends its next) and
   * counts as timed out, and the server aborts it — at once when its virtual engine is idle, else
   * right after the iteration in flight completes (not at all if it finishes in that iteration,
   * whose response then comes too late). A request still in its hand-off to the engine (the engine
   * profile's admission delay) is simply never enqueued.
   */
  private handleTimeout(sequence: Sequence, engine: VirtualEngine): void {
    if (this.leftAt[sequence.id] === 1) return;
    this.timedOut++;
    const replicaIndex = this.replicaOf === undefined ? 0 : (this.replicaOf[sequence.id] as number);
    (this.replicas[replicaIndex] as Replica).outstanding--;
    this.stageTracker?.timeOut(sequence.id);
    this.afterRequestLeaves(sequence.id, this.now);
    // A server that does not abort keeps computing it; its response comes too late (onFinish drops it).
    if (sequence.status === 'finished' || !this.config.workloadSpec.abortOnTimeout) return;
    if (engine.busy) {
      const deferred = this.deferredAborts.get(engine);
      if (deferred === undefined) this.deferredAborts.set(engine, [sequence]);
      else deferred.push(sequence);
      return;
    }
    this.abort(sequence, engine);
    this.tryLaunch(engine);
  }

  /** Aborts the requests that timed out while this engine's iteration was in flight (call after its `complete`). */
  private applyDeferredAborts(engine: VirtualEngine): void {
    const deferred = this.deferredAborts.get(engine);
    if (deferred === undefined) return;
    this.deferredAborts.delete(engine);
    for (const sequence of deferred) this.abort(sequence, engine);
  }

  /** Takes a timed-out request out of its scheduler (nothing when it finished meanwhile). */
  private abort(sequence: Sequence, engine: VirtualEngine): void {
    const decoding = sequence.status === 'decoding';
    if (!(engine.policy.abort as (sequence: Sequence) => boolean).call(engine.policy, sequence)) return;
    // It leaves the decoding set: its inter-token bookkeeping follows, as at a finish.
    if (decoding) {
      engine.gaps.leave(sequence);
      engine.stageGaps?.leave(sequence);
    }
  }

  /**
   * Fraction of the run done (for progress), never decreasing; NaN when unbounded. A run that stops
   * at the duration counts simulated time; a drained or count-bounded run counts requests that have
   * left (finished or rejected) against the requests it will have: the arrivals once they ended,
   * before that numRequests, the trace's rows, or rate × duration.
   */
  progress(done = false): Progress {
    const { simulationDurationS: duration, drain, workloadSpec } = this.config;
    let fraction = Number.NaN;
    if (done) fraction = 1;
    else if (!drain && Number.isFinite(duration) && this.workload.plannedRequests === undefined) {
      fraction = this.now / duration;
    } else {
      const openLoop =
        workloadSpec.arrivalProcess !== 'closed-loop' && workloadSpec.arrivalProcess !== 'trace';
      const total =
        this.workload.arrivalsEndS !== undefined
          ? this.arrived
          : (this.workload.plannedRequests ??
            (openLoop && Number.isFinite(duration) ? this.workload.expectedArrivals(duration) : Number.NaN));
      const left = this.completed + this.rejected + this.timedOut;
      const byRequests = total > 0 ? left / Math.max(total, this.arrived) : Number.NaN;
      // Time counts when the run stops at the duration, or (closed loop) when nothing else is known.
      const byTime =
        Number.isFinite(duration) && (!drain || Number.isNaN(total)) ? this.now / duration : Number.NaN;
      const known = [byRequests, byTime].filter((value) => !Number.isNaN(value));
      if (known.length > 0) fraction = Math.max(...known);
    }
    if (!Number.isNaN(fraction)) {
      fraction = Math.min(1, Math.max(fraction, this.lastProgress));
      this.lastProgress = fraction;
    }
    return { simulatedTimeS: this.now, fraction, completedRequests: this.completed };
  }

  /**
   * The simulated duration T every rate is divided by (docs/metrics.md): when the run stopped at
   * the duration with work left, the duration; otherwise the later of the last event and the end of
   * arrivals (the duration when it cut arrivals, else the last arrival), never past the horizon.
   */
  private simulatedDuration(): number {
    const pending = this.nextEventTime();
    if (!this.stoppedEarly && pending !== Number.POSITIVE_INFINITY && pending > this.horizon)
      return this.horizon;
    const arrivalsEnd = this.workload.arrivalsEndS ?? this.lastEventTime;
    let end = Math.max(this.lastEventTime, arrivalsEnd);
    // Stopped early (stopAfterSloMisses): iterations already launched count in full, so T covers them.
    if (this.stoppedEarly)
      for (const replica of this.replicas) for (const free of replica.stageFree) end = Math.max(end, free);
    return Math.min(this.horizon, end);
  }

  /** Summarizes the observations. */
  finish(): SimulationMetrics {
    const config = this.config;
    const duration = this.simulatedDuration();
    this.observeQueue(duration);
    const safe = (value: number) => (Number.isFinite(value) ? value : 0);
    const perSecond = (value: number) => (duration > 0 ? value / duration : 0);
    const measuredWindow = duration - Math.min(config.warmupS, duration);
    const totalGpus = this.perf.gpusPerReplica * config.parallelismSpec.dataParallelSize;
    const engineCount = this.replicas.length * this.perf.stages;
    const inFlight = this.arrived - this.completed - this.rejected - this.timedOut;
    const timeouts = this.requestTimeoutS !== undefined;
    const memory = this.perf.memory;
    const series = this.series.result(duration);
    const queueingDelay = this.queueing.summarize();
    const statistics: SimulationStatistics = {
      completedRequests: this.completed,
      totalRequests: this.arrived,
      rejectedRequests: this.rejected,
      ...(timeouts ? { timedOutRequests: this.timedOut } : {}),
      inFlightRequests: inFlight,
      simulatedDurationS: duration,
      throughputTokensPerSec: perSecond(this.outputTokens),
      ...(timeouts ? { completedOutputTokensPerSec: perSecond(this.completedOutputTokens) } : {}),
      totalTokensPerSec: perSecond(this.outputTokens + this.inputTokens),
      requestsPerSec: perSecond(this.completed),
      outputTokens: this.outputTokens,
      inputTokens: this.inputTokens,
      firstTokenLatency: this.ttft.summarize(),
      timePerOutputToken: this.tpot.summarize(),
      interTokenLatency: this.itl.summarize(),
      endToEndLatency: this.e2e.summarize(),
      queueingDelay,
      gpuUtilization: safe(
        duration > 0 ? this.stageBusyS / (duration * this.replicas.length * this.perf.stages) : 0,
      ),
      mfu: safe(duration > 0 ? this.flops / (duration * this.perf.peaks.flopsPerSecond * totalGpus) : 0),
      mbu: safe(duration > 0 ? this.bytes / (duration * this.perf.peaks.bytesPerSecond * totalGpus) : 0),
      kvCacheUtilization: {
        mean: safe(duration > 0 ? this.kvWeighted / (duration * engineCount) : 0),
        peak: this.kvPeak,
      },
      meanBatchSize: this.iterations > 0 ? this.batchSizeSum / this.iterations : 0,
      iterations: this.iterations,
      preemptions: this.preemptions,
      goodput: measuredWindow > 0 ? this.metSlo / measuredWindow : 0,
      sloAttainment: this.measuredCompleted > 0 ? this.metSlo / this.measuredCompleted : 0,
      memory: {
        weightGbPerGpu: memory.weightBytesPerGpu / 1e9,
        kvCacheGbPerGpu: memory.kvCacheBytesPerGpu / 1e9,
        kvCapacityTokens: memory.kvCapacityTokens,
      },
      prefixCacheHitRate: hitRate(this.cachedPromptTokens, this.measuredPromptTokens),
      stages: this.stageTracker?.summarize(config.simulationDurationS, config.warmupS, timeouts) ?? [],
      warnings: this.warnings(duration, inFlight, series.queueLength, queueingDelay),
      confidence: this.confidence(),
    };
    return new SimulationMetrics(config, statistics, series, this.records, this.trace);
  }

  private warnings(
    duration: number,
    inFlight: number,
    queueLength: readonly number[],
    queueing: DistributionSummary,
  ): string[] {
    const config = this.config;
    const warnings = [...configWarnings(config), ...this.perf.memory.warnings];
    if (this.completed === 0 && this.arrived > 0 && (this.rejected === this.arrived || this.timedOut > 0)) {
      // Every request was refused, or requests timed out: the rejection or timeout warning below says why.
    } else if (this.completed === 0) {
      warnings.push(
        `Completed requests is 0: no request finished within the simulated ${duration.toFixed(1)} s (${this.arrived} arrived). The simulation is too short for requests to finish: increase simulationDurationS, reduce avgOutputLength, or set drain: true.`,
      );
    } else if (config.warmupS > 0 && this.measuredCompleted === 0) {
      warnings.push(
        `No completed request arrived after warmupS ${config.warmupS} s (the last arrival was at ${(this.workload.arrivalsEndS ?? this.now).toFixed(1)} s): every latency statistic is empty. Lower warmupS or run longer.`,
      );
    } else if (this.measuredCompleted < 30) {
      warnings.push(
        `Only ${this.measuredCompleted} requests completed${config.warmupS > 0 ? ' after the warm-up' : ''}: percentiles are unreliable. Lengthen simulationDurationS or raise numRequests.`,
      );
    }
    if (this.rejected > 0) {
      warnings.push(
        `${this.rejected} requests rejected: longer than the model context (${config.modelSpec.maxContextLength} tokens) or than the whole KV cache (${this.blocksPerEngine * config.schedulerSpec.kvBlockSize} tokens per scheduler). Use a bigger GPU, more TP, or shorter requests.`,
      );
    }
    const traceRows = this.workload.plannedRequests;
    if (
      config.workloadSpec.arrivalProcess === 'trace' &&
      traceRows !== undefined &&
      this.workload.count < traceRows &&
      this.workload.arrivalsEndS === config.simulationDurationS
    ) {
      warnings.push(
        `simulationDurationS ${config.simulationDurationS} s replayed ${this.workload.count.toLocaleString('en-US')} of the trace's ${traceRows.toLocaleString('en-US')} requests (the rest arrive later). Leave simulationDurationS out to replay the whole trace.`,
      );
    }
    const overload = this.overloadWarning(duration, queueLength, queueing);
    if (overload !== undefined) warnings.push(overload);
    const admitted = this.arrived - this.rejected;
    if (this.timedOut > 0) {
      warnings.push(
        `${this.timedOut} of ${admitted} admitted requests (${((100 * this.timedOut) / admitted).toFixed(1)}%) timed out: not finished ${this.requestTimeoutS} s (workloadSpec.requestTimeoutS) after arriving, so their clients gave up and the server aborted them; the tokens generated for them are wasted (throughputTokensPerSec counts them, completedOutputTokensPerSec does not). Latency statistics cover completed requests only, so they understate what clients waited. Lower the arrival rate, add replicas (dataParallelSize), use a faster deployment, or raise requestTimeoutS.`,
      );
    }
    if (inFlight > 0 && inFlight > 0.01 * admitted) {
      const oldest =
        this.oldestOpen < this.nextId ? duration - (this.arrivalTimes[this.oldestOpen] as number) : 0;
      warnings.push(
        `${inFlight} of ${admitted} admitted requests (${((100 * inFlight) / admitted).toFixed(1)}%) had not finished when the run stopped at ${duration.toFixed(1)} s: latency statistics cover completed requests only and understate latency (the oldest unfinished request had been in the system for ${oldest.toFixed(1)} s). Set drain: true to finish them.`,
      );
    }
    if (this.preemptions > 0) {
      warnings.push(
        `${this.preemptions} preemptions: the KV cache ran out and sequences were ${config.schedulerSpec.preemptionMode === 'swap' ? 'swapped to host memory' : 'evicted and recomputed'}. Lower maxBatchSize or add memory to avoid them.`,
      );
    }
    if (
      this.stageBusyS / Math.max(1e-9, duration * this.replicas.length * this.perf.stages) < 0.2 &&
      this.completed > 0
    ) {
      warnings.push(
        'GPU utilization is low (< 20%): the deployment is mostly idle at this load. Increase the batch size or the arrival rate, or use fewer GPUs.',
      );
    }
    return warnings;
  }

  /**
   * Overload, judged by what grows: the waiting queue over the arrival window (open loop: its mean
   * over the last quarter against the second quarter), and waiting times (90% of requests waiting
   * more than twice the mean service time, and over a second) — not by completions within the
   * window, which lag arrivals on any stable deployment whose requests are long.
   */
  private overloadWarning(
    duration: number,
    queueLength: readonly number[],
    queueing: DistributionSummary,
  ): string | undefined {
    const config = this.config;
    const advice = 'Lower the arrival rate, add replicas (dataParallelSize), or use a faster deployment.';
    const arrivalsEnd = Math.min(duration, this.workload.arrivalsEndS ?? duration);
    const buckets = Math.min(
      queueLength.length,
      Math.floor((queueLength.length * arrivalsEnd) / Math.max(duration, 1e-12)),
    );
    if (config.workloadSpec.arrivalProcess !== 'closed-loop' && buckets >= 8) {
      const mean = (from: number, to: number) => {
        let sum = 0;
        for (let index = from; index < to; index++) sum += queueLength[index] as number;
        return sum / Math.max(1, to - from);
      };
      const quarter = Math.floor(buckets / 4);
      const early = mean(quarter, 2 * quarter);
      const late = mean(buckets - quarter, buckets);
      if (late >= 5 && late > 1.5 * early + 2) {
        const arrivalRate = arrivalsEnd > 0 ? this.arrived / arrivalsEnd : 0;
        const completionRate = duration > 0 ? this.completed / duration : 0;
        const consequence =
          this.timedOut > 0
            ? `waiting times grow until clients give up (${this.timedOut} requests timed out), so the completed requests' latencies depend on the timeout`
            : "waiting times grow with the run's length, so its latencies depend on how long it ran";
        return `Overloaded: the waiting queue grew from ${early.toFixed(0)} to ${late.toFixed(0)} requests on average (second vs last quarter of the arrivals) while requests arrived at ${arrivalRate.toFixed(2)} req/s and completed at ${completionRate.toFixed(2)} req/s: ${consequence}. ${advice}`;
      }
    }
    if (this.queueing.size >= 20) {
      const service = this.serviceSum / Math.max(1, this.measuredCompleted);
      // Request-level batching waits up to batchWaitTimeoutS to form a batch by design: not overload.
      const scheduler = config.schedulerSpec;
      const formation = scheduler.batchingType === 'continuous' ? 0 : scheduler.batchWaitTimeoutS;
      if (queueing.p90 > 1 + formation && queueing.p90 > 2 * service + formation) {
        const waited = `10% of requests waited more than ${queueing.p90.toFixed(1)} s before being scheduled (longest ${queueing.max.toFixed(1)} s), more than twice their mean service time of ${service.toFixed(2)} s${formation > 0 ? ` plus the ${formation} s batch wait` : ''}`;
        if (config.workloadSpec.arrivalProcess === 'closed-loop')
          return `Saturated: ${waited}: ${config.workloadSpec.concurrency} clients keep more requests in flight than the deployment batches (maxBatchSize ${scheduler.maxBatchSize}), so they queue. Use fewer clients (concurrency), a larger maxBatchSize if memory allows, or more replicas.`;
        const timedOut = this.timedOut > 0 ? ` (and ${this.timedOut} requests timed out)` : '';
        return `Overloaded: ${waited}: the queue, not the GPUs, sets latency at this load${timedOut}. ${advice}`;
      }
    }
    return undefined;
  }

  /** Notes on what the prediction extrapolates beyond the calibration data (statistics.confidence). */
  private confidence(): string[] {
    const notes: string[] = [];
    const choice = this.perf.profileChoice;
    if (choice.extrapolated) notes.push(choice.note);
    if (this.options.engineProfile === undefined) notes.push(...calibrationNotes(this.config));
    if (!this.perf.engine.calibrated)
      notes.push(
        `engine profile "${this.perf.engine.name}" is not fitted to measurements: ${this.perf.engine.source}`,
      );
    const model = this.config.modelSpec;
    if (model.numExperts > 1)
      notes.push(
        'mixture-of-experts routing is modelled as uniform over experts; no MoE kernel was profiled',
      );
    if (model.weightDtype === 'int8' || model.weightDtype === 'int4')
      notes.push(
        `${model.weightDtype} weight-only GEMMs: the dequantization efficiency is fitted to gpt-fast batch-1 decode on A100 only`,
      );
    if (model.weightDtype === 'fp8')
      notes.push(
        'fp8 weights: checked end to end only against TensorRT-LLM static and TTFT tables (H100, H200, L40S); no FP8 kernel was profiled',
      );
    const billions = model.nParams / 1e9;
    if (billions < PROFILED_PARAMS_B[0] || billions > PROFILED_PARAMS_B[1])
      notes.push(
        `${billions.toFixed(1)}B parameters is outside the ${PROFILED_PARAMS_B[0]}–${PROFILED_PARAMS_B[1]}B range of the kernel profiles: GEMM shapes are extrapolated`,
      );
    if (this.config.parallelismSpec.tensorParallelSize > this.config.clusterSpec.nGpusPerNode)
      notes.push('tensor parallelism across nodes uses the A100 DGX inter-node all-reduce fit');
    return notes;
  }

  /** Throws when aborted. */
  static abortError(): SimError {
    return new SimError('ABORTED', 'The simulation was aborted.');
  }
}
