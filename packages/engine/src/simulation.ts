import { createPerfModel, type DecodeLinearCost, type PerfModel } from '@sim/perf-model';
import {
  type BatchingPolicy,
  createPolicy,
  type IterationPlan,
  type SchedulerEvents,
  Sequence,
  type SteadyDecodeWindow,
} from '@sim/scheduler';
import { configWarnings, OutOfMemoryError, type ResolvedConfig, SimError } from '@sim/specs';
import { LogHistogram, Samples } from './distribution';
import { EventQueue } from './event-queue';
import { createRandomStreams, type RandomStreams } from './random-streams';
import { type RequestRecord, SimulationMetrics, type TraceEvent } from './simulation-metrics';
import type { SimulationStatistics } from './statistics';
import { TimeSeriesRecorder } from './time-series';
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

interface VirtualEngine {
  readonly replica: number;
  readonly stage: number;
  readonly policy: BatchingPolicy;
  busy: boolean;
  wakeAt: number;
  lastDecodeEnd: number;
  previousHadDecodes: boolean;
  /** Facts about the iteration in flight, read when it ends. */
  pendingDecodes: number;
  pendingSampled: number;
  pendingStart: number;
  lastEnd: number;
}

interface Replica {
  readonly engines: VirtualEngine[];
  readonly stageFree: Float64Array;
  outstanding: number;
}

type Event =
  | { kind: typeof ITERATION_END | typeof WAKE; engine: VirtualEngine }
  | { kind: typeof ARRIVAL; arrival: Arrival; client: number };

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
  private outputTokens = 0;
  private inputTokens = 0;
  private preemptions = 0;
  private ttftMisses = 0;
  private tpotMisses = 0;
  private readonly missLimit: number;
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
  private readonly events: SchedulerEvents;
  private lastEventTime = 0;
  private lastObservation = 0;

  constructor(config: ResolvedConfig, options: RunOptions = {}) {
    this.config = config;
    this.options = options;
    this.missLimit = options.stopAfterSloMisses ?? Number.POSITIVE_INFINITY;
    this.perf = createPerfModel(config);
    const memory = this.perf.memory;
    if (!memory.fits)
      throw new OutOfMemoryError(memory.verdict, memory.weightBytesPerGpu, memory.usableBytesPerGpu);
    this.streams = createRandomStreams(config.seed);
    this.workload = new WorkloadSource(config, this.streams);
    this.horizon = config.drain ? Number.POSITIVE_INFINITY : config.simulationDurationS;
    this.kvBlockBytes = memory.kvBytesPerToken * memory.blockSize;
    const stages = config.parallelismSpec.pipelineParallelSize;
    // With pipeline parallelism each stage count of virtual engines shares the replica's KV cache (as vLLM's virtual engines).
    this.blocksPerEngine = Math.floor(memory.kvCapacityBlocks / stages);
    for (let replica = 0; replica < config.parallelismSpec.dataParallelSize; replica++) {
      const engines: VirtualEngine[] = [];
      for (let stage = 0; stage < stages; stage++) {
        engines.push({
          replica,
          stage,
          policy: createPolicy({
            ...config.schedulerSpec,
            totalBlocks: this.blocksPerEngine,
            batchSize: config.workloadSpec.batchSize,
          }),
          busy: false,
          wakeAt: Number.NaN,
          lastDecodeEnd: 0,
          previousHadDecodes: false,
          pendingDecodes: 0,
          pendingSampled: 0,
          pendingStart: 0,
          lastEnd: 0,
        });
      }
      this.replicas.push({ engines, stageFree: new Float64Array(stages), outstanding: 0 });
      for (const engine of engines) this.policies.push(engine.policy);
    }
    this.bulkDecodes = stages === 1 && options.chromeTrace !== true && options.exactIterations !== true;
    this.series = new TimeSeriesRecorder(config.simulationDurationS);
    this.records = options.recordRequests ? [] : undefined;
    this.trace = options.chromeTrace ? [] : undefined;
    if (config.parallelismSpec.dataParallelSize > 1 || this.records !== undefined)
      this.replicaOf = new Int32Array(1024);
    this.events = {
      onFirstToken: (sequence, time) => this.onFirstToken(sequence, time),
      onFinish: (sequence, time) => this.onFinish(sequence, time),
      onPreempt: () => {
        this.preemptions++;
      },
    };
    this.start();
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
    const { input, output } = this.workload.drawLengths();
    this.queue.push(time, ARRIVAL, { kind: ARRIVAL, arrival: { time, input, output }, client });
  }

  /** Processes events up to `maxEvents`; returns false when the run is over. */
  step(maxEvents: number): boolean {
    for (let count = 0; count < maxEvents; count++) {
      const time = this.queue.peekTime();
      if (time === Number.POSITIVE_INFINITY || time > this.horizon || this.stoppedEarly) return false;
      const event = this.queue.pop() as Event;
      this.observeQueue(time);
      this.now = time;
      this.lastEventTime = time;
      if (event.kind === ARRIVAL) this.handleArrival(event.arrival, event.client);
      else if (event.kind === ITERATION_END) this.handleIterationEnd(event.engine);
      else {
        event.engine.wakeAt = Number.NaN;
        this.tryLaunch(event.engine);
      }
    }
    return true;
  }

  private waitingTotal(): number {
    const policies = this.policies;
    let waiting = 0;
    for (let index = 0; index < policies.length; index++)
      waiting += (policies[index] as BatchingPolicy).waitingCount;
    return waiting;
  }

  private observeQueue(time: number): void {
    if (time > this.lastObservation) {
      this.series.observe(this.lastObservation, this.waitingTotal(), time - this.lastObservation);
      this.lastObservation = time;
    }
  }

  private handleArrival(arrival: Arrival, client: number): void {
    if (client < 0) this.scheduleNextArrival();
    this.arrived++;
    const id = this.nextId++;
    const sequence = new Sequence(id, arrival.time, arrival.input, arrival.output);
    if (client >= 0) this.clientOf.set(id, client);
    const model = this.config.modelSpec;
    const blocksNeeded = Math.ceil((arrival.input + arrival.output) / this.config.schedulerSpec.kvBlockSize);
    if (arrival.input > model.maxContextLength || blocksNeeded > this.blocksPerEngine) {
      this.rejected++;
      this.afterRequestLeaves(id, arrival.time);
      return;
    }
    const replicaIndex = this.route();
    const replica = this.replicas[replicaIndex] as Replica;
    replica.outstanding++;
    if (this.replicaOf !== undefined) {
      if (id >= this.replicaOf.length) {
        const grown = new Int32Array(this.replicaOf.length * 2);
        grown.set(this.replicaOf);
        this.replicaOf = grown;
      }
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
    const nextEvent = this.queue.peekTime();
    const runStart = this.now;
    // First the iterations that end before the next event, by time alone; then the policy says how
    // many of those the KV cache can grow into.
    let fits = 0;
    {
      let time = runStart;
      let context = window.contextTokens;
      const limit = Math.min(window.iterations, MAX_BULK_ITERATIONS);
      while (fits < limit) {
        const end = time + cpu + (cost.fixedS + cost.perContextTokenS * context);
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
    let lastDecodeEnd = engine.lastDecodeEnd;
    let count = 0;
    let busy = 0;
    let flops = 0;
    let bytes = 0;
    let kvTime = 0;
    let kvPeak = this.kvPeak;
    while (count < iterations) {
      const stageTime = cost.fixedS + cost.perContextTokenS * context;
      const end = start + cpu + stageTime;
      const kv = total === 0 ? 0 : (used[count] as number) / total;
      kvTime += kv * (end - start);
      if (kv > kvPeak) kvPeak = kv;
      busy += stageTime;
      flops += cost.flops0 + cost.flops1 * context;
      bytes += cost.bytes0 + cost.bytes1 * context;
      this.itl.add(end - lastDecodeEnd, decodes);
      lastDecodeEnd = end;
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
    this.series.addIteration(runStart, span, decodes, kvTime / span, waiting);
    this.series.addTokens(start, decodes * count);
    if (start > this.lastObservation) {
      this.series.observe(this.lastObservation, waiting, start - this.lastObservation);
      this.lastObservation = start;
    }
    engine.lastEnd = start;
    engine.lastDecodeEnd = lastDecodeEnd;
    engine.previousHadDecodes = true;
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
    // After idling, nobody was waiting for a token: gaps start again from the next prefill.
    if (start > engine.lastEnd) engine.previousHadDecodes = false;
    let time = start + perf.cpuOverhead(sequences);
    if (plan.swapBlocks > 0)
      time +=
        (plan.swapBlocks * this.kvBlockBytes) / (this.config.clusterSpec.gpuSpec.hostBandwidthGbs * 1e9);
    const attention = tokens > 0 ? perf.attentionTime(plan) : 0;
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
    const end = time;
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
    this.series.addIteration(start, duration, sequences, kv, this.waitingTotal());
    engine.busy = true;
    engine.pendingDecodes = plan.decodeSequences;
    engine.pendingSampled = plan.sampledSequences;
    engine.pendingStart = start;
    this.queue.push(end, ITERATION_END, { kind: ITERATION_END, engine });
  }

  private handleIterationEnd(engine: VirtualEngine): void {
    const end = this.now;
    engine.busy = false;
    engine.lastEnd = end;
    if (engine.pendingDecodes > 0) {
      this.itl.add(end - engine.lastDecodeEnd, engine.pendingDecodes);
      engine.lastDecodeEnd = end;
      engine.previousHadDecodes = true;
    } else {
      // Sequences that join after a prefill are measured from it; a prefill that stalls running decodes counts in their gap.
      if (!engine.previousHadDecodes) engine.lastDecodeEnd = end;
      engine.previousHadDecodes = false;
    }
    this.outputTokens += engine.pendingSampled;
    this.series.addTokens(end, engine.pendingSampled);
    engine.policy.complete(end, this.events);
    // Every idle engine of this replica may now use the freed stage or capacity.
    for (const candidate of (this.replicas[engine.replica] as Replica).engines) this.tryLaunch(candidate);
  }

  private onFirstToken(sequence: Sequence, time: number): void {
    this.inputTokens += sequence.inputTokens;
    const ttftSlo = this.config.slo.ttftS;
    if (ttftSlo !== undefined && time - sequence.arrivalTime > ttftSlo) this.ttftMisses++;
  }

  /** True when the run stopped early because `stopAfterSloMisses` was exceeded. */
  get stoppedEarly(): boolean {
    return this.ttftMisses > this.missLimit || this.tpotMisses > this.missLimit;
  }

  private onFinish(sequence: Sequence, time: number): void {
    this.completed++;
    const replicaIndex = this.replicaOf === undefined ? 0 : (this.replicaOf[sequence.id] as number);
    (this.replicas[replicaIndex] as Replica).outstanding--;
    const ttft = sequence.firstTokenTime - sequence.arrivalTime;
    const e2e = time - sequence.arrivalTime;
    const queueing = sequence.firstScheduledTime - sequence.arrivalTime;
    this.ttft.push(ttft);
    this.e2e.push(e2e);
    this.queueing.push(queueing);
    let tpot = Number.NaN;
    if (sequence.outputTokens > 1) {
      tpot = (e2e - ttft) / (sequence.outputTokens - 1);
      this.tpot.push(tpot);
    }
    const slo = this.config.slo;
    if (slo.tpotS !== undefined && tpot > slo.tpotS) this.tpotMisses++;
    if (
      (slo.ttftS === undefined || ttft <= slo.ttftS) &&
      (slo.tpotS === undefined || Number.isNaN(tpot) || tpot <= slo.tpotS)
    )
      this.metSlo++;
    this.series.addCompletion(time);
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

  private afterRequestLeaves(id: number, time: number): void {
    const client = this.clientOf.get(id);
    if (client === undefined) return;
    this.clientOf.delete(id);
    this.scheduleClientRequest(client, time + this.config.workloadSpec.thinkTimeS);
  }

  /** Fraction of the run done (for progress), NaN when unbounded. */
  progress(done = false): Progress {
    const { simulationDurationS: duration, workloadSpec } = this.config;
    const fraction = done
      ? 1
      : Number.isFinite(duration)
        ? Math.min(1, this.now / duration)
        : workloadSpec.numRequests !== undefined
          ? Math.min(1, this.completed / workloadSpec.numRequests)
          : Number.NaN;
    return { simulatedTimeS: this.now, fraction, completedRequests: this.completed };
  }

  /** Summarizes the observations. */
  finish(): SimulationMetrics {
    const config = this.config;
    const duration = Number.isFinite(this.horizon)
      ? this.horizon
      : Math.max(
          this.lastEventTime,
          Number.isFinite(config.simulationDurationS) ? config.simulationDurationS : 0,
        );
    const safe = (value: number) => (Number.isFinite(value) ? value : 0);
    const perSecond = (value: number) => (duration > 0 ? value / duration : 0);
    const totalGpus = this.perf.gpusPerReplica * config.parallelismSpec.dataParallelSize;
    const engineCount = this.replicas.length * this.perf.stages;
    const inFlight = this.arrived - this.completed - this.rejected;
    const memory = this.perf.memory;
    const statistics: SimulationStatistics = {
      completedRequests: this.completed,
      totalRequests: this.arrived,
      rejectedRequests: this.rejected,
      inFlightRequests: inFlight,
      simulatedDurationS: duration,
      throughputTokensPerSec: perSecond(this.outputTokens),
      totalTokensPerSec: perSecond(this.outputTokens + this.inputTokens),
      requestsPerSec: perSecond(this.completed),
      outputTokens: this.outputTokens,
      inputTokens: this.inputTokens,
      firstTokenLatency: this.ttft.summarize(),
      timePerOutputToken: this.tpot.summarize(),
      interTokenLatency: this.itl.summarize(),
      endToEndLatency: this.e2e.summarize(),
      queueingDelay: this.queueing.summarize(),
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
      goodput: perSecond(this.metSlo),
      sloAttainment: this.completed > 0 ? this.metSlo / this.completed : 0,
      memory: {
        weightGbPerGpu: memory.weightBytesPerGpu / 1e9,
        kvCacheGbPerGpu: memory.kvCacheBytesPerGpu / 1e9,
        kvCapacityTokens: memory.kvCapacityTokens,
      },
      warnings: this.warnings(duration, inFlight),
      confidence: this.confidence(),
    };
    return new SimulationMetrics(config, statistics, this.series.result(duration), this.records, this.trace);
  }

  private warnings(duration: number, inFlight: number): string[] {
    const config = this.config;
    const warnings = configWarnings(config);
    if (this.completed === 0) {
      warnings.push(
        `Completed requests is 0: no request finished within the simulated ${duration.toFixed(1)} s (${this.arrived} arrived). The simulation is too short for requests to finish: increase simulationDurationS, reduce avgOutputLength, or set drain: true.`,
      );
    } else if (this.completed < 30) {
      warnings.push(
        `Only ${this.completed} requests completed: percentiles are unreliable. Lengthen simulationDurationS or raise numRequests.`,
      );
    }
    if (this.rejected > 0) {
      warnings.push(
        `${this.rejected} requests rejected: longer than the model context (${config.modelSpec.maxContextLength} tokens) or than the whole KV cache (${this.blocksPerEngine * config.schedulerSpec.kvBlockSize} tokens per scheduler). Use a bigger GPU, more TP, or shorter requests.`,
      );
    }
    const openLoop = config.workloadSpec.arrivalProcess !== 'closed-loop';
    const completionRate = duration > 0 ? this.completed / duration : 0;
    const arrivalRate = duration > 0 ? this.arrived / duration : 0;
    const waiting = this.waitingTotal();
    if (
      openLoop &&
      !config.drain &&
      this.arrived >= 20 &&
      inFlight > 0.2 * this.arrived &&
      waiting > 0 &&
      completionRate < 0.9 * arrivalRate
    ) {
      warnings.push(
        `Overloaded: requests arrive at ${arrivalRate.toFixed(2)} req/s but complete at ${completionRate.toFixed(2)} req/s; ${waiting} were still waiting at the end and latency grows with time. Lower the arrival rate, add replicas (dataParallelSize), or use a faster deployment.`,
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

  /** Notes on what the prediction extrapolates beyond the calibration data (statistics.confidence). */
  private confidence(): string[] {
    const notes: string[] = [];
    const choice = this.perf.profileChoice;
    if (choice.extrapolated) notes.push(choice.note);
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
