import { createPerfModel, offloadCapacityBlocks, type PerfModel } from '@sim/perf-model';
import { type BatchingPolicy, PrefixCache, type Sequence } from '@sim/scheduler';
import { OutOfMemoryError, type ResolvedConfig } from '@sim/specs';
import { calibratedEngineProfile } from './calibration-file';
import { ClientTimeouts } from './client-timeouts';
import { EventQueue } from './event-queue';
import { IterationExecutor } from './iteration-executor';
import { KvHandover } from './kv-handover';
import { createRandomStreams, type RandomStreams } from './random-streams';
import { ReplicaRouter } from './replica-router';
import { RequestLedger } from './request-ledger';
import { RunCounters } from './run-counters';
import {
  ADMIT,
  ARRIVAL,
  FOLLOW_UP,
  ITERATION_END,
  OPEN_LOOP,
  type RunClock,
  type RunEvent,
  TIMEOUT,
  TRANSFER,
} from './run-events';
import { DEFAULT_MAX_REQUESTS, type Progress, type RunOptions } from './run-options';
import { RunProgress } from './run-progress';
import { checkRunSize, tooManyRequests } from './run-size';
import { runStatistics, simulatedDuration } from './run-statistics';
import {
  type DisaggregationStatistics,
  type PoolStatistics,
  peakCapacity,
  poolConfig,
  type ServingPool,
} from './serving-pool';
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
  /** The serving pools: one, or prefill and decode (`config.disaggregation`). */
  private readonly pools: readonly ServingPool[];
  /** The pool arrivals go to (the only one, or prefill). */
  private readonly entry: ServingPool;
  /** Hands prefilled requests to the decode pool (undefined without disaggregation). */
  private readonly handover: KvHandover | undefined;
  /** The run's clock (shared with the executor, whose bulk decoding moves it on). */
  private readonly clock: RunClock = { now: 0, lastEventTime: 0 };
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
    const disaggregation = config.disaggregation;
    // One pool, or a prefill and a decode pool, each with its own GPU, TP, replicas and scheduler.
    const poolConfigs: [ServingPool['role'], ResolvedConfig][] =
      disaggregation === undefined
        ? [['unified', config]]
        : [
            ['prefill', poolConfig(config, disaggregation.prefill)],
            ['decode', poolConfig(config, disaggregation.decode)],
          ];
    const perfs = poolConfigs.map(([role, pool]) => {
      const perf = createPerfModel(engineProfile === undefined ? pool : { ...pool, engineProfile });
      const memory = perf.memory;
      if (!memory.fits)
        throw new OutOfMemoryError(
          role === 'unified' ? memory.verdict : `The ${role} pool: ${memory.verdict}`,
          memory.weightBytesPerGpu,
          memory.usableBytesPerGpu,
        );
      return perf;
    });
    const entryPerf = perfs[0];
    if (entryPerf === undefined) throw new Error('internal: no serving pool');
    this.perf = entryPerf;
    this.admissionDelayIterations = this.perf.engine.admissionDelayIterations;
    this.streams = createRandomStreams(config.seed);
    this.workload = new WorkloadSource(config, this.streams);
    const sessions = config.workloadSpec.sessions;
    this.sessions = sessions === undefined ? undefined : new SessionTracker(sessions, this.streams.sessions);
    this.requestLimit = options.maxRequests ?? DEFAULT_MAX_REQUESTS;
    this.ledger = new RequestLedger(
      config.parallelismSpec.dataParallelSize > 1 ||
        disaggregation !== undefined ||
        options.recordRequests === true,
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
    const decodePerf = perfs[perfs.length - 1] ?? this.perf;
    checkRunSize({
      config,
      perf: this.perf,
      source: this.workload,
      decodeCost: (sequences) => decodePerf.decodeLinearCost(sequences),
      limit: this.requestLimit,
    });
    this.horizon = config.drain ? Number.POSITIVE_INFINITY : config.simulationDurationS;
    const loadStages = config.workloadSpec.stages;
    const stageStarts = this.workload.stageStarts;
    this.stageTracker =
      loadStages === undefined || stageStarts === undefined
        ? undefined
        : new StageTracker(loadStages, stageStarts);
    const onPreempt = () => {
      this.counts.preemptions++;
    };
    this.series = new TimeSeriesRecorder(this.workload.expectedArrivalWindow());
    this.runProgress = new RunProgress(config, this.workload);
    this.records = options.recordRequests ? [] : undefined;
    this.trace = options.chromeTrace ? [] : undefined;
    const replicas: Replica[] = [];
    this.pools = poolConfigs.map(([role, pool], index) => {
      const perf = perfs[index] ?? this.perf;
      const stages = pool.parallelismSpec.pipelineParallelSize;
      // With pipeline parallelism each stage count of virtual engines shares the replica's KV cache (as vLLM's virtual engines).
      const blocksPerEngine = Math.floor(perf.memory.kvCapacityBlocks / stages);
      // KV offload: the replica's host memory, in blocks, shared by its virtual engines likewise.
      const kvOffload = pool.schedulerSpec.kvOffload;
      const offloadBlocksPerEngine =
        kvOffload === undefined
          ? 0
          : Math.floor(
              offloadCapacityBlocks(perf.memory, kvOffload.cpuMemoryGb, perf.gpusPerReplica) / stages,
            );
      // A prefill instance hands its requests over at their first token; a decode instance admits them.
      const listeners = {
        onFirstToken: (sequence: Sequence, time: number) => this.onFirstToken(sequence, time),
        onFinish:
          role === 'prefill'
            ? (sequence: Sequence, time: number) => this.onPrefilled(sequence, time)
            : (sequence: Sequence, time: number) => this.onFinish(sequence, time),
        onPreempt,
        ...(role === 'decode' ? { onSwapIn: (sequence: Sequence) => this.handover?.admitted(sequence) } : {}),
      };
      const offset = replicas.length;
      const poolReplicas = createReplicas(
        pool,
        blocksPerEngine,
        offloadBlocksPerEngine,
        this.counts.itl,
        this.stageTracker,
        listeners,
        offset,
        index,
      );
      replicas.push(...poolReplicas);
      const parallelism = pool.parallelismSpec;
      const executor = new IterationExecutor({
        perf,
        queue: this.queue,
        clock: this.clock,
        counts: this.counts,
        series: this.series,
        trace: this.trace,
        maxTraceEvents: options.maxTraceEvents ?? 200_000,
        horizon: this.horizon,
        // Closed-form decode runs need a decode cost linear in the context (no local attention layers).
        bulkDecodes:
          stages === 1 &&
          perf.decodeIsLinear &&
          options.chromeTrace !== true &&
          options.exactIterations !== true,
        hostBandwidthGbs: pool.clusterSpec.gpuSpec.hostBandwidthGbs,
        host: {
          nextEventTime: () => this.nextEventTime(),
          waitingTotal: () => this.waitingTotal(),
          observeQueue: (time, waiting) => this.observeQueue(time, waiting),
        },
      });
      // Decode instances are picked by their KV use (what a P/D proxy balances); the rest by the config's router.
      const router =
        role === 'decode'
          ? new ReplicaRouter('least-kv', parallelism.routerOptions, this.streams.routing)
          : new ReplicaRouter(parallelism.router, parallelism.routerOptions, this.streams.routing);
      return { role, config: pool, perf, replicas: poolReplicas, offset, router, executor, blocksPerEngine };
    });
    this.replicas = replicas;
    const entry = this.pools[0];
    if (entry === undefined) throw new Error('internal: no serving pool');
    this.entry = entry;
    const decode = this.pools[1];
    this.handover =
      disaggregation === undefined || decode === undefined
        ? undefined
        : new KvHandover(disaggregation, entry, decode, config.modelSpec.nLayers, {
            queue: this.queue,
            ledger: this.ledger,
          });
    for (const replica of this.replicas)
      for (const engine of replica.engines) this.policies.push(engine.policy);
    const policy = this.replicas[0]?.engines[0]?.policy;
    if (this.timeouts !== undefined && policy !== undefined) ClientTimeouts.requireAbortable(policy);
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
    this.queue.push(arrival.time, ARRIVAL, { kind: ARRIVAL, arrival, client: OPEN_LOOP });
  }

  private scheduleClientRequest(client: number, time: number): void {
    if (!this.workload.claim(time)) return;
    this.queue.push(time, ARRIVAL, { kind: ARRIVAL, arrival: this.workload.drawLengths(time), client });
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
      else if (event.kind === TRANSFER) this.handleTransfer(event.sequence, event.engine);
      else if (event.kind === TIMEOUT) {
        // Queue the next deadline first: handling this one may launch (and bulk-advance) iterations.
        this.timeouts?.fired();
        this.handleTimeout(event.sequence, event.engine);
      } else {
        event.engine.wakeAt = Number.NaN;
        this.executorOf(event.engine).tryLaunch(event.engine);
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
      if (this.handover !== undefined) {
        let prefillWaiting = this.handingOff;
        for (const replica of this.entry.replicas)
          for (const engine of replica.engines) prefillWaiting += engine.policy.waitingCount;
        this.handover.observe(time, prefillWaiting);
      }
      this.lastObservation = time;
    }
  }

  /** The iteration executor of `engine`'s pool. */
  private executorOf(engine: VirtualEngine): IterationExecutor {
    return (this.pools[engine.host.pool] ?? this.entry).executor;
  }

  private handleArrival(arrival: Arrival, client: number): void {
    // The open-loop stream's next arrival (a session's later turn is queued when its previous one completes).
    if (client === OPEN_LOOP) this.scheduleNextArrival();
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
    if (!this.fits(arrival)) {
      counts.rejected++;
      this.stageTracker?.reject(id);
      this.sessions?.failedTurn(id);
      this.afterRequestLeaves(id, arrival.time);
      return;
    }
    const entry = this.entry;
    const replicaIndex = entry.offset + entry.router.pick(entry.replicas, sequence, this.clock.now);
    const replica = this.replicaAt(replicaIndex);
    replica.outstanding++;
    replica.routed++;
    this.ledger.route(id, replicaIndex);
    const engine = leastLoadedEngine(replica);
    // Disaggregated: the prefill instance's scheduler sees the prompt and one output token.
    const scheduled = this.handover === undefined ? sequence : this.handover.prefillSequence(sequence);
    this.timeouts?.watch(scheduled, engine);
    // The engine takes the request in after its hand-off (EngineProfile.admissionDelayIterations):
    // a share of the iteration in flight; an idle engine (waiting for input) takes it at once.
    const delay = engine.busy ? this.admissionDelayIterations * engine.pendingDuration : 0;
    if (delay > 0) {
      this.handingOff++;
      this.queue.push(this.clock.now + delay, ADMIT, { kind: ADMIT, sequence: scheduled, engine });
      return;
    }
    engine.policy.enqueue(scheduled, this.clock.now);
    this.executorOf(engine).tryLaunch(engine);
  }

  /**
   * Whether a request can ever be served: its prompt within the model's context and its KV cache
   * within one scheduler's blocks (disaggregated: the prompt on a prefill instance, prompt and
   * output on a decode instance).
   */
  private fits(arrival: Arrival): boolean {
    if (arrival.input > this.config.modelSpec.maxContextLength) return false;
    const decode = this.pools[1];
    if (decode === undefined) return fitsIn(this.entry, arrival.input + arrival.output);
    return fitsIn(this.entry, arrival.input + 1) && fitsIn(decode, arrival.input + arrival.output);
  }

  /** A prefilled request's KV cache reached its decode instance: the instance takes it over. */
  private handleTransfer(sequence: Sequence, engine: VirtualEngine): void {
    const enqueue = engine.policy.enqueueTransferred;
    if (enqueue === undefined)
      throw new Error('internal: a decode pool whose policy cannot take over a request');
    enqueue.call(engine.policy, sequence);
    this.executorOf(engine).tryLaunch(engine);
  }

  /**
   * A request's prefill finished on its prefill instance (disaggregated serving): it leaves that
   * instance, and is handed over to a decode instance, or is complete when it wanted one token.
   */
  private onPrefilled(sequence: Sequence, time: number): void {
    const handover = this.handover;
    if (handover === undefined) throw new Error('internal: a prefill pool without a hand-over');
    const replicaIndex = this.ledger.replicaOf(sequence.id);
    if (handover.handOver(sequence, time) === undefined) {
      this.onFinish(sequence, time);
      return;
    }
    this.replicaAt(replicaIndex).outstanding--;
  }

  /** A request handed off to its engine after the admission delay (dropped if its client gave up meanwhile). */
  private handleAdmit(sequence: Sequence, engine: VirtualEngine): void {
    this.handingOff--;
    if (this.ledger.hasLeft(sequence.id)) return;
    engine.policy.enqueue(sequence, this.clock.now);
    this.executorOf(engine).tryLaunch(engine);
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
    const executor = this.executorOf(engine);
    for (const candidate of engine.host.engines) executor.tryLaunch(candidate);
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
      this.queue.push(next.time, ARRIVAL, { kind: ARRIVAL, arrival: next, client: FOLLOW_UP });
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
    this.executorOf(engine).tryLaunch(engine);
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
      peakCapacity: peakCapacity(this.pools),
      disaggregation: this.disaggregationStatistics(duration),
      offloadedBlocks: this.pools.some((pool) => pool.config.schedulerSpec.kvOffload !== undefined)
        ? this.offloadedBlocks()
        : undefined,
    });
    return new SimulationMetrics(this.config, statistics, series, this.records, this.trace);
  }

  /** The KV transfers and each pool's figures over [0, duration]; undefined without disaggregation. */
  private disaggregationStatistics(duration: number): DisaggregationStatistics | undefined {
    const handover = this.handover;
    const [prefill, decode] = this.pools;
    if (handover === undefined || prefill === undefined || decode === undefined) return undefined;
    const waiting = handover.meanWaiting(duration);
    const pool = (serving: ServingPool, meanQueueLength: number): PoolStatistics => {
      let busyS = 0;
      let requests = 0;
      for (const replica of serving.replicas) {
        busyS += replica.busyS;
        requests += replica.routed;
      }
      const engines = serving.replicas.length * serving.perf.stages;
      const memory = serving.perf.memory;
      return {
        replicas: serving.replicas.length,
        gpus: serving.replicas.length * serving.perf.gpusPerReplica,
        gpu: serving.config.clusterSpec.gpuSpec.name,
        requests,
        gpuUtilization: duration > 0 ? busyS / (duration * engines) : 0,
        meanQueueLength,
        weightGbPerGpu: memory.weightBytesPerGpu / 1e9,
        kvCacheGbPerGpu: memory.kvCacheBytesPerGpu / 1e9,
        kvCapacityTokens: memory.kvCapacityTokens,
      };
    };
    return {
      kvTransferTime: handover.transfers.summarize(),
      prefill: pool(prefill, waiting.prefill),
      decode: pool(decode, waiting.decode),
    };
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
    const pool = this.pools[this.pools.length - 1] ?? this.entry;
    return pool.blocksPerEngine * pool.config.schedulerSpec.kvBlockSize;
  }
}

/** Whether `tokens` of KV fit in one scheduler of `pool`. */
function fitsIn(pool: ServingPool, tokens: number): boolean {
  return Math.ceil(tokens / pool.config.schedulerSpec.kvBlockSize) <= pool.blocksPerEngine;
}

/** @deprecated Renamed {@link SimulationRun} (one run of a resolved config); use `LLMInferenceSimulator` to run a config. */
export const Simulation = SimulationRun;
/** @deprecated Renamed {@link SimulationRun}. */
export type Simulation = SimulationRun;
