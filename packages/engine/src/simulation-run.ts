import { createPerfModel, offloadCapacityBlocks, type PerfModel } from '@sim/perf-model';
import { type BatchingPolicy, PrefixCache, type Sequence } from '@sim/scheduler';
import { OutOfMemoryError, type ResolvedConfig } from '@sim/specs';
import { calibratedEngineProfile } from './calibration-file';
import { ClientTimeouts } from './client-timeouts';
import { EventQueue } from './event-queue';
import { IterationExecutor } from './iteration-executor';
import { createRandomStreams, type RandomStreams } from './random-streams';
import { ReplicaRouter } from './replica-router';
import { RequestLedger } from './request-ledger';
import { RunCounters } from './run-counters';
import { ADMIT, ARRIVAL, ITERATION_END, type RunClock, type RunEvent, TIMEOUT } from './run-events';
import { DEFAULT_MAX_REQUESTS, type Progress, type RunOptions } from './run-options';
import { RunProgress } from './run-progress';
import { checkRunSize, tooManyRequests } from './run-size';
import { runStatistics, simulatedDuration } from './run-statistics';
import { SessionTracker } from './session-tracker';
import { type RequestRecord, requestRecord, SimulationMetrics, type TraceEvent } from './simulation-metrics';
import { StageTracker } from './stage-statistics';
import { TimeSeriesRecorder } from './time-series';
import {
  abortOn,
  createReplicas,
  leastLoadedEngine,
  type Replica,
  type VirtualEngine,
} from './virtual-engine';
import { type Arrival, WorkloadSource } from './workload-source';

export { DEFAULT_MAX_REQUESTS, type Progress, type RunOptions };

/**
 * One simulation run of a resolved config: the discrete-event loop over arrivals, iterations of
 * every replica's pipeline virtual engines, and batching timeouts. The engine emits observations
 * into counters and samples; `finish()` turns them into statistics. `LLMInferenceSimulator` (the
 * public entry) validates a config and drives one of these; capacity searches and calibration
 * drive it directly to stop early or swap the engine profile.
 */
export class SimulationRun {
  readonly config: ResolvedConfig;
  readonly perf: PerfModel;
  private readonly options: RunOptions;
  private readonly queue = new EventQueue<RunEvent>();
  private readonly streams: RandomStreams;
  private readonly workload: WorkloadSource;
  private readonly replicas: readonly Replica[];
  /** Every virtual engine's policy, flat (the queue length is summed over them on every event). */
  private readonly policies: BatchingPolicy[] = [];
  private readonly horizon: number;
  private readonly blocksPerEngine: number;
  private readonly router: ReplicaRouter;
  /** The run's clock (shared with the executor, whose bulk decoding moves it on). */
  private readonly clock: RunClock = { now: 0, lastEventTime: 0 };
  /** Runs the virtual engines' iterations. */
  private readonly executor: IterationExecutor;
  /** The run's requests by id: arrivals, departures, replicas, clients. */
  private readonly ledger: RequestLedger;

  /** What the run observes (metrics are summed there). */
  private readonly counts = new RunCounters();
  private readonly missLimit: number;
  private readonly requestLimit: number;
  private readonly series: TimeSeriesRecorder;
  private readonly records: RequestRecord[] | undefined;
  private readonly trace: TraceEvent[] | undefined;
  /** The engine profile's admissionDelayIterations (0: requests reach the scheduler when they arrive). */
  private readonly admissionDelayIterations: number;
  /** Requests in their hand-off to a scheduler (ADMIT events queued): they count as waiting. */
  private handingOff = 0;
  private lastObservation = 0;
  private readonly runProgress: RunProgress;
  /** Per-stage observations (`workloadSpec.stages`); undefined without stages. */
  private readonly stageTracker: StageTracker | undefined;
  /** Client timeouts (workloadSpec.requestTimeoutS); undefined: clients wait forever and no timeout event is queued. */
  private readonly timeouts: ClientTimeouts | undefined;
  /** Multi-turn sessions (workloadSpec.sessions); undefined without them. */
  private readonly sessions: SessionTracker | undefined;

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
    const sessions = config.workloadSpec.sessions;
    this.sessions = sessions === undefined ? undefined : new SessionTracker(sessions, this.streams.sessions);
    this.requestLimit = options.maxRequests ?? DEFAULT_MAX_REQUESTS;
    this.ledger = new RequestLedger(
      config.parallelismSpec.dataParallelSize > 1 || options.recordRequests === true,
    );
    const timeoutS = config.workloadSpec.requestTimeoutS;
    this.timeouts =
      timeoutS === undefined
        ? undefined
        : new ClientTimeouts(
            timeoutS,
            (id) => this.ledger.hasLeft(id),
            (time, sequence, engine) => this.queue.push(time, TIMEOUT, { kind: TIMEOUT, sequence, engine }),
          );
    this.router = new ReplicaRouter(config.parallelismSpec.router, this.streams.routing);
    checkRunSize({
      config,
      perf: this.perf,
      source: this.workload,
      decodeCost: (sequences) => this.perf.decodeLinearCost(sequences),
      limit: this.requestLimit,
    });
    this.horizon = config.drain ? Number.POSITIVE_INFINITY : config.simulationDurationS;
    const stages = config.parallelismSpec.pipelineParallelSize;
    // With pipeline parallelism each stage count of virtual engines shares the replica's KV cache (as vLLM's virtual engines).
    this.blocksPerEngine = Math.floor(memory.kvCapacityBlocks / stages);
    // KV offload: the replica's host memory, in blocks, shared by its virtual engines likewise.
    const kvOffload = config.schedulerSpec.kvOffload;
    const offloadBlocksPerEngine =
      kvOffload === undefined
        ? 0
        : Math.floor(offloadCapacityBlocks(memory, kvOffload.cpuMemoryGb, this.perf.gpusPerReplica) / stages);
    const loadStages = config.workloadSpec.stages;
    const stageStarts = this.workload.stageStarts;
    this.stageTracker =
      loadStages === undefined || stageStarts === undefined
        ? undefined
        : new StageTracker(loadStages, stageStarts);
    const listeners = {
      onFirstToken: (sequence: Sequence, time: number) => this.onFirstToken(sequence, time),
      onFinish: (sequence: Sequence, time: number) => this.onFinish(sequence, time),
      onPreempt: () => {
        this.counts.preemptions++;
      },
    };
    this.replicas = createReplicas(
      config,
      this.blocksPerEngine,
      offloadBlocksPerEngine,
      this.counts.itl,
      this.stageTracker,
      listeners,
    );
    for (const replica of this.replicas)
      for (const engine of replica.engines) this.policies.push(engine.policy);
    const policy = this.replicas[0]?.engines[0]?.policy;
    if (this.timeouts !== undefined && policy !== undefined) ClientTimeouts.requireAbortable(policy);
    this.series = new TimeSeriesRecorder(this.workload.expectedArrivalWindow());
    this.runProgress = new RunProgress(config, this.workload);
    this.records = options.recordRequests ? [] : undefined;
    this.trace = options.chromeTrace ? [] : undefined;
    this.executor = new IterationExecutor({
      perf: this.perf,
      queue: this.queue,
      clock: this.clock,
      counts: this.counts,
      series: this.series,
      trace: this.trace,
      maxTraceEvents: options.maxTraceEvents ?? 200_000,
      horizon: this.horizon,
      bulkDecodes: stages === 1 && options.chromeTrace !== true && options.exactIterations !== true,
      hostBandwidthGbs: config.clusterSpec.gpuSpec.hostBandwidthGbs,
      host: {
        nextEventTime: () => this.nextEventTime(),
        waitingTotal: () => this.waitingTotal(),
        observeQueue: (time, waiting) => this.observeQueue(time, waiting),
      },
    });
    this.start();
  }

  private start(): void {
    const workload = this.config.workloadSpec;
    if (workload.arrivalProcess !== 'closed-loop') this.scheduleNextArrival();
    else for (let client = 0; client < workload.concurrency; client++) this.scheduleClientRequest(client, 0);
  }

  /** Queues the next open-loop arrival (with sessions, a new session's first turn). */
  private scheduleNextArrival(): void {
    const next = this.workload.next();
    if (next === undefined) return;
    const arrival = this.sessions === undefined ? next : this.sessions.startSession(next);
    this.queue.push(arrival.time, ARRIVAL, { kind: ARRIVAL, arrival, client: -1 });
  }

  private scheduleClientRequest(client: number, time: number): void {
    if (!this.workload.claim(time)) return;
    const { input, output, prefixGroup, promptKey } = this.workload.drawLengths();
    this.queue.push(time, ARRIVAL, {
      kind: ARRIVAL,
      arrival: { time, input, output, prefixGroup, promptKey, session: -1, turn: 0, contextTokens: 0 },
      client,
    });
  }

  /** Processes events up to `maxEvents`; returns false when the run is over. */
  step(maxEvents: number): boolean {
    for (let count = 0; count < maxEvents; count++) {
      const time = this.nextEventTime();
      if (time === Number.POSITIVE_INFINITY || time > this.horizon || this.stoppedEarly) return false;
      const event = this.queue.pop();
      if (event === undefined) return false;
      this.observeQueue(time);
      this.clock.now = time;
      this.clock.lastEventTime = time;
      if (event.kind === ARRIVAL) this.handleArrival(event.arrival, event.client);
      else if (event.kind === ITERATION_END) this.handleIterationEnd(event.engine);
      else if (event.kind === ADMIT) this.handleAdmit(event.sequence, event.engine);
      else if (event.kind === TIMEOUT) {
        // Queue the next deadline first: handling this one may launch (and bulk-advance) iterations.
        this.timeouts?.fired();
        this.handleTimeout(event.sequence, event.engine);
      } else {
        event.engine.wakeAt = Number.NaN;
        this.executor.tryLaunch(event.engine);
      }
    }
    return true;
  }

  /** Time of the next event (queued timeouts of requests that already left are skipped, see ClientTimeouts). */
  private nextEventTime(): number {
    return this.timeouts === undefined ? this.queue.peekTime() : this.timeouts.nextEventTime(this.queue);
  }

  /** Requests waiting: in a scheduler's queue, or still in their hand-off to it (admission delay). */
  private waitingTotal(): number {
    let waiting = this.handingOff;
    for (const policy of this.policies) waiting += policy.waitingCount;
    return waiting;
  }

  /** Integrates the waiting and in-system counts (constant since the last event) up to `time`. */
  private observeQueue(time: number, waiting?: number): void {
    if (time > this.lastObservation) {
      this.series.addLevels(this.lastObservation, time, waiting ?? this.waitingTotal(), this.ledger.inSystem);
      this.lastObservation = time;
    }
  }

  private handleArrival(arrival: Arrival, client: number): void {
    // The open-loop stream's next arrival (a session's later turn is queued when its previous one completes).
    if (client < 0 && arrival.turn === 0) this.scheduleNextArrival();
    const counts = this.counts;
    counts.arrived++;
    if (counts.arrived > this.requestLimit)
      throw tooManyRequests({
        config: this.config,
        limit: this.requestLimit,
        arrived: counts.arrived,
        rejected: counts.rejected,
        now: this.clock.now,
        kvTokensPerEngine: this.kvTokensPerEngine(),
      });
    const id = this.ledger.open(arrival.time, client);
    this.sessions?.arrived(id, arrival);
    const sequence = this.workload.sequenceOf(id, arrival);
    this.stageTracker?.arrive(id, this.workload.stageOf(arrival.time));
    const model = this.config.modelSpec;
    const blocksNeeded = Math.ceil((arrival.input + arrival.output) / this.config.schedulerSpec.kvBlockSize);
    if (arrival.input > model.maxContextLength || blocksNeeded > this.blocksPerEngine) {
      counts.rejected++;
      this.stageTracker?.reject(id);
      this.sessions?.failedTurn(id);
      this.afterRequestLeaves(id, arrival.time);
      return;
    }
    const replicaIndex = this.router.pick(this.replicas, sequence);
    const replica = this.replicaAt(replicaIndex);
    replica.outstanding++;
    replica.routed++;
    this.ledger.route(id, replicaIndex);
    const engine = leastLoadedEngine(replica);
    this.timeouts?.watch(sequence, engine);
    // The engine takes the request in after its hand-off (EngineProfile.admissionDelayIterations):
    // a share of the iteration in flight; an idle engine (waiting for input) takes it at once.
    const delay = engine.busy ? this.admissionDelayIterations * engine.pendingDuration : 0;
    if (delay > 0) {
      this.handingOff++;
      this.queue.push(this.clock.now + delay, ADMIT, { kind: ADMIT, sequence, engine });
      return;
    }
    engine.policy.enqueue(sequence, this.clock.now);
    this.executor.tryLaunch(engine);
  }

  /** A request handed off to its engine after the admission delay (dropped if its client gave up meanwhile). */
  private handleAdmit(sequence: Sequence, engine: VirtualEngine): void {
    this.handingOff--;
    if (this.ledger.hasLeft(sequence.id)) return;
    engine.policy.enqueue(sequence, this.clock.now);
    this.executor.tryLaunch(engine);
  }

  private handleIterationEnd(engine: VirtualEngine): void {
    const end = this.clock.now;
    engine.busy = false;
    this.counts.outputTokens += engine.pendingSampled;
    this.series.addTokens(end, engine.pendingSampled);
    engine.policy.complete(end, engine.events);
    const deferred = this.timeouts?.takeDeferred(engine);
    if (deferred !== undefined) for (const sequence of deferred) abortOn(engine, sequence);
    // Every idle engine of this replica may now use the freed stage or capacity.
    for (const candidate of engine.host.engines) this.executor.tryLaunch(candidate);
  }

  private onFirstToken(sequence: Sequence, time: number): void {
    this.counts.firstToken(sequence, time, this.config.slo.ttftS);
    this.stageTracker?.firstToken(sequence);
    this.sessions?.firstToken(sequence);
  }

  /** True when the run stopped early because `stopAfterSloMisses` was exceeded. */
  get stoppedEarly(): boolean {
    return this.counts.ttftMisses > this.missLimit || this.counts.tpotMisses > this.missLimit;
  }

  private onFinish(sequence: Sequence, time: number): void {
    // Delivered after its client's deadline: the timeout (queued, or already past) counts it as timed out.
    const timeouts = this.timeouts;
    if (timeouts !== undefined && time > sequence.arrivalTime + timeouts.timeoutS) return;
    const times = this.counts.completion(sequence, time, this.config.slo);
    const replicaIndex = this.ledger.replicaOf(sequence.id);
    this.replicaAt(replicaIndex).outstanding--;
    this.series.addCompletion(time);
    this.stageTracker?.finish(sequence, sequence.measured ? times : undefined);
    this.records?.push(requestRecord(sequence, times, replicaIndex));
    this.afterRequestLeaves(sequence.id, time);
    if (this.sessions !== undefined) this.sendNextTurn(this.sessions, sequence, time);
  }

  /** A session's turn completed at `time`: queues the session's next turn, unless arrivals have stopped. */
  private sendNextTurn(sessions: SessionTracker, sequence: Sequence, time: number): void {
    const next = sessions.next(sequence, time, () => this.workload.drawTurnLengths());
    if (next === undefined) return;
    if (this.workload.claim(next.time))
      this.queue.push(next.time, ARRIVAL, { kind: ARRIVAL, arrival: next, client: -1 });
    else sessions.notSent(next);
  }

  /** A request finished or was rejected: it leaves the system; a closed-loop client sends its next. */
  private afterRequestLeaves(id: number, time: number): void {
    const client = this.ledger.leave(id);
    if (client === undefined) return;
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
    if (this.ledger.hasLeft(sequence.id)) return;
    this.counts.timedOut++;
    this.replicaAt(this.ledger.replicaOf(sequence.id)).outstanding--;
    this.stageTracker?.timeOut(sequence.id);
    this.sessions?.failedTurn(sequence.id);
    this.afterRequestLeaves(sequence.id, this.clock.now);
    // A server that does not abort keeps computing it; its response comes too late (onFinish drops it).
    if (sequence.status === 'finished' || !this.config.workloadSpec.abortOnTimeout) return;
    if (engine.busy) {
      this.timeouts?.defer(engine, sequence);
      return;
    }
    abortOn(engine, sequence);
    this.executor.tryLaunch(engine);
  }

  /** The run's progress so far (see RunProgress); `done` when it is over. */
  progress(done = false): Progress {
    return this.runProgress.at(this.clock.now, this.counts, done);
  }

  /** Summarizes the observations over the simulated duration T (see run-statistics' simulatedDuration). */
  finish(): SimulationMetrics {
    const duration = simulatedDuration({
      nextEvent: this.nextEventTime(),
      horizon: this.horizon,
      stoppedEarly: this.stoppedEarly,
      lastEventTime: this.clock.lastEventTime,
      arrivalsEndS: this.workload.arrivalsEndS,
      replicas: this.replicas,
    });
    this.observeQueue(duration);
    const counts = this.counts;
    const series = this.series.result(duration);
    const statistics = runStatistics({
      config: this.config,
      perf: this.perf,
      counts,
      duration,
      inFlight: counts.arrived - counts.completed - counts.rejected - counts.timedOut,
      queueLength: series.queueLength,
      queueing: counts.queueing.summarize(),
      workload: this.workload,
      now: this.clock.now,
      engineCount: this.replicas.length * this.perf.stages,
      kvTokensPerEngine: this.kvTokensPerEngine(),
      oldestInFlightS: this.ledger.oldestAge(duration),
      stageTracker: this.stageTracker,
      timeouts: this.timeouts !== undefined,
      customProfile: this.options.engineProfile !== undefined,
      replicaCounts: this.replicas,
      sessions: this.sessions?.summarize(),
      offloadedBlocks: this.config.schedulerSpec.kvOffload === undefined ? undefined : this.offloadedBlocks(),
    });
    return new SimulationMetrics(this.config, statistics, series, this.records, this.trace);
  }

  /** Replica `index` (an index the router or the ledger gave: always one of the run's). */
  private replicaAt(index: number): Replica {
    const replica = this.replicas[index];
    if (replica === undefined) throw new Error(`internal: no replica ${index}`);
    return replica;
  }

  /** Blocks written to host memory (`schedulerSpec.kvOffload`), all schedulers together. */
  private offloadedBlocks(): number {
    let blocks = 0;
    for (const policy of this.policies)
      if (policy.blocks instanceof PrefixCache) blocks += policy.blocks.offloadedBlocks;
    return blocks;
  }

  /** KV-cache tokens one scheduler holds. */
  private kvTokensPerEngine(): number {
    return this.blocksPerEngine * this.config.schedulerSpec.kvBlockSize;
  }
}

/** @deprecated Renamed {@link SimulationRun} (one run of a resolved config); use `LLMInferenceSimulator` to run a config. */
export const Simulation = SimulationRun;
/** @deprecated Renamed {@link SimulationRun}. */
export type Simulation = SimulationRun;
