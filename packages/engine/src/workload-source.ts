import { Sequence } from '@sim/scheduler';
import { ConfigError, type ResolvedConfig, type Trace } from '@sim/specs';
import { type Arrival, arrivalOf, sessionArrival } from './arrival';
import { type ArrivalGap, registeredArrivalGap } from './arrival-processes';
import { createLengthSampler, type LengthSampler } from './length-sampler';
import { exponential, gamma, type RandomStreams } from './random-streams';
import { meanTurns } from './session-tracker';
import { readTraceCached } from './trace-cache';
import { checkTraceHashIds, sharedHashIdCounts } from './trace-hash-ids';

export type { Arrival } from './arrival';

/** A request's lengths and shared-prefix group (closed-loop clients draw these). */
export interface RequestShape {
  readonly input: number;
  readonly output: number;
  /** −1 without `workloadSpec.prefixSharing`. */
  readonly prefixGroup: number;
  /** −1 without `prefixSharing.promptsPerGroup`. */
  readonly promptKey: number;
}

/**
 * Start of each load stage and, last, the end of the last one (`workloadSpec.stages`), in seconds:
 * stage i covers [starts[i], starts[i + 1]).
 */
export function stageBoundaries(stages: ResolvedConfig['workloadSpec']['stages']): Float64Array | undefined {
  if (stages === undefined) return undefined;
  const starts = new Float64Array(stages.length + 1);
  stages.forEach((stage, index) => {
    starts[index + 1] = (starts[index] ?? 0) + stage.durationS;
  });
  return starts;
}

/**
 * Generates the open-loop arrivals lazily, in time order, until the duration, numRequests or the
 * end of the load stages is reached (closed-loop arrivals are driven by the simulator; this only
 * supplies their lengths). With `workloadSpec.stages`, each stage's arrivals start at its start:
 * deterministic ones at start + k / rate while before its end, Poisson ones with exponential gaps at
 * its rate, the first gap drawn from its start (a gap that crosses the end is dropped: by
 * memorylessness that is the Poisson process of each stage's rate). With
 * `workloadSpec.prefixSharing`, every request's group is drawn uniformly from its own random stream
 * after its lengths.
 */
export class WorkloadSource {
  private readonly config: ResolvedConfig;
  private readonly streams: RandomStreams;
  private readonly lengths: LengthSampler;
  private readonly trace: Trace | undefined;
  private produced = 0;
  private clock = 0;
  private lastArrival = 0;
  private cutByDuration = false;
  private exhausted = false;
  /** Load stages' boundaries (see {@link stageBoundaries}); undefined without stages. */
  readonly stageStarts: Float64Array | undefined;
  /** The stage the next arrival is drawn in, and arrivals produced in it so far. */
  private stage = 0;
  private inStage = 0;
  /** The last stage ended (no more arrivals). */
  private stagesEnded = false;
  /** A registered arrival process's gap sampler (registerArrivalProcess); undefined for the built-ins. */
  private readonly customGap: ArrivalGap | undefined;

  constructor(config: ResolvedConfig, streams: RandomStreams) {
    this.config = config;
    this.streams = streams;
    const workload = config.workloadSpec;
    this.trace =
      workload.arrivalProcess === 'trace' && workload.traceFile !== undefined
        ? readTraceCached(workload.traceFile)
        : undefined;
    if (this.trace !== undefined && this.trace.arrivalTimesS === undefined) {
      throw new ConfigError([
        {
          code: 'trace_malformed',
          path: 'workloadSpec.traceFile',
          message: `${workload.traceFile} has no arrival-time column, so it cannot drive arrivalProcess "trace". Use it for lengths instead: lengthDistribution: { type: "empirical", file: ... } with a poisson arrival rate.`,
        },
      ]);
    }
    this.lengths = createLengthSampler(
      workload.lengthDistribution,
      workload.avgInputLength,
      workload.avgOutputLength,
    );
    this.stageStarts = workload.arrivalProcess === 'trace' ? undefined : stageBoundaries(workload.stages);
    this.customGap = registeredArrivalGap(workload);
    this.hashBlockTokens = workload.traceHashBlockTokens ?? 0;
    if (this.trace !== undefined) checkTraceHashIds(this.trace, workload, this.hashBlockTokens);
    const offload =
      config.schedulerSpec.kvOffload !== undefined ||
      config.disaggregation?.prefill.schedulerSpec.kvOffload !== undefined ||
      config.disaggregation?.decode.schedulerSpec.kvOffload !== undefined;
    this.sharedHashIds = this.trace === undefined || offload ? undefined : sharedHashIdCounts(this.trace);
  }

  /** Per trace request, its leading hash ids another request also has (see `sharedHashIdCounts`); undefined: all. */
  private readonly sharedHashIds: Int32Array | undefined;

  /** Prompt tokens each trace hash id names (`workloadSpec.traceHashBlockTokens`). */
  private readonly hashBlockTokens: number;

  /** The load stage (index into `workloadSpec.stages`) an arrival at `time` belongs to; −1 without stages. */
  stageOf(time: number): number {
    const starts = this.stageStarts;
    if (starts === undefined) return -1;
    let stage = 0;
    while (stage + 2 < starts.length && time >= (starts[stage + 1] ?? Number.POSITIVE_INFINITY)) stage++;
    return stage;
  }

  /**
   * Open-loop arrivals expected in [0, until): the arrival rate × until, or with stages Σ rate × the
   * part of each stage before `until` (NaN for traces and closed loops); with sessions, × the mean
   * turns per session (every turn is a request; turns that would come after `until` included).
   */
  expectedArrivals(until: number): number {
    const workload = this.config.workloadSpec;
    if (workload.arrivalProcess === 'trace' || workload.arrivalProcess === 'closed-loop') return Number.NaN;
    const turns = workload.sessions === undefined ? 1 : meanTurns(workload.sessions.turnsPerSession);
    const starts = this.stageStarts;
    const stages = workload.stages;
    if (starts === undefined || stages === undefined) return workload.arrivalRate * until * turns;
    let expected = 0;
    stages.forEach((stage, index) => {
      const overlap = Math.min(until, starts[index + 1] ?? 0) - (starts[index] ?? 0);
      if (overlap > 0) expected += stage.rate * overlap;
    });
    return expected * turns;
  }

  /**
   * When `count` open-loop arrivals are expected to have come: count / arrivalRate, or with stages
   * the time at which Σ rate × elapsed stage time reaches `count` (the stages' end when it never does).
   */
  expectedTimeOfArrivals(count: number): number {
    const workload = this.config.workloadSpec;
    const starts = this.stageStarts;
    const stages = workload.stages;
    if (starts === undefined || stages === undefined) return count / workload.arrivalRate;
    let remaining = count;
    for (const [index, { rate, durationS }] of stages.entries()) {
      if (rate * durationS >= remaining) return (starts[index] ?? 0) + remaining / rate;
      remaining -= rate * durationS;
    }
    return starts[stages.length] ?? 0;
  }

  /**
   * When arrivals are expected to end (the time series' first interval): numRequests over the
   * arrival rate (or the stages), the last stage's end, or the duration, whichever is first.
   */
  expectedArrivalWindow(): number {
    const { workloadSpec, simulationDurationS } = this.config;
    const planned = this.plannedRequests;
    if (
      workloadSpec.arrivalProcess !== 'closed-loop' &&
      workloadSpec.arrivalProcess !== 'trace' &&
      planned !== undefined
    )
      return Math.min(simulationDurationS, this.expectedTimeOfArrivals(planned));
    const starts = this.stageStarts;
    if (starts !== undefined)
      return Math.min(simulationDurationS, starts[starts.length - 1] ?? simulationDurationS);
    return simulationDurationS;
  }

  /**
   * The scheduler's sequence for arrival `arrival` with request id `id`: measured when it arrives
   * after the warm-up; with prefix sharing, its group's shared prefix (up to its prompt length) and
   * its prompt key.
   */
  sequenceOf(id: number, arrival: Arrival): Sequence {
    const sequence = new Sequence(id, arrival.time, arrival.input, arrival.output);
    sequence.measured = arrival.time >= this.config.warmupS;
    const sharing = this.config.workloadSpec.prefixSharing;
    if (arrival.prefixGroup >= 0 && sharing !== undefined) {
      sequence.prefixGroup = arrival.prefixGroup;
      sequence.sharedPrefixTokens = Math.min(sharing.prefixLength, arrival.input);
      sequence.promptKey = arrival.promptKey;
    }
    if (arrival.hashIds !== undefined) {
      sequence.hashIds = arrival.hashIds;
      sequence.hashBlockTokens = this.hashBlockTokens;
    }
    if (arrival.session >= 0) {
      // A session's conversation: every turn's prompt and answer continue one token stream.
      sequence.promptKey = arrival.session;
      sequence.outputCached = true;
      sequence.sessionContextTokens = arrival.contextTokens;
    }
    return sequence;
  }

  /** Requests produced so far. */
  get count(): number {
    return this.produced;
  }

  /** Draws a request's lengths and shared-prefix group (used for closed-loop clients): its arrival at `time`. */
  drawLengths(time = 0): Arrival {
    const { input, output } = this.lengths(this.streams.lengths);
    return this.share(time, input, output);
  }

  /** Draws a follow-up turn's new question and answer lengths (a session keeps its group). */
  drawTurnLengths(): { readonly input: number; readonly output: number } {
    return this.lengths(this.streams.lengths);
  }

  /** Input length of each repeated prompt, fixed by its first request (0: not sent yet). */
  private promptInputs: Int32Array | undefined;

  /**
   * A request with its shared prefix: without prefix sharing, none (no draw); with groups only, a
   * uniformly drawn group; with promptsPerGroup, a uniformly drawn prompt among groups ×
   * promptsPerGroup (its group is prompt ÷ promptsPerGroup), whose input length is the one its
   * first request drew: a repeated prompt has the same tokens every time.
   */
  private share(time: number, input: number, output: number): Arrival {
    const sharing = this.config.workloadSpec.prefixSharing;
    if (sharing === undefined) return arrivalOf(time, input, output, -1, -1);
    const perGroup = sharing.promptsPerGroup;
    if (perGroup === undefined) {
      const group = Math.min(sharing.groups - 1, Math.floor(this.streams.prefixGroups() * sharing.groups));
      return arrivalOf(time, input, output, group, -1);
    }
    const prompts = sharing.groups * perGroup;
    const prompt = Math.min(prompts - 1, Math.floor(this.streams.prefixGroups() * prompts));
    if (this.promptInputs === undefined) this.promptInputs = new Int32Array(prompts);
    if (this.promptInputs[prompt] === 0) this.promptInputs[prompt] = input;
    return arrivalOf(time, this.promptInputs[prompt] ?? input, output, Math.floor(prompt / perGroup), prompt);
  }

  /**
   * When arrivals ended, in seconds: `simulationDurationS` when the duration cut them, the end of the
   * last load stage (or the duration, if earlier) when the stages did, the last arrival's time when
   * numRequests or the trace did; undefined while arrivals may still come.
   */
  get arrivalsEndS(): number | undefined {
    if (this.cutByDuration) return this.config.simulationDurationS;
    const starts = this.stageStarts;
    if (this.stagesEnded && starts !== undefined)
      return Math.min(this.config.simulationDurationS, starts[starts.length - 1] ?? Number.POSITIVE_INFINITY);
    return this.exhausted ? this.lastArrival : undefined;
  }

  /** Requests the run will produce, when known in advance (numRequests, trace length); else undefined. */
  get plannedRequests(): number | undefined {
    const { numRequests } = this.config.workloadSpec;
    const traceCount = this.trace?.inputTokens.length;
    if (traceCount === undefined) return numRequests;
    return numRequests === undefined ? traceCount : Math.min(numRequests, traceCount);
  }

  /** True while more requests may be produced (records why arrivals stop otherwise). */
  private withinLimits(time: number): boolean {
    const { numRequests } = this.config.workloadSpec;
    if (numRequests !== undefined && this.produced >= numRequests) {
      this.exhausted = true;
      return false;
    }
    if (time >= this.config.simulationDurationS) {
      this.cutByDuration = true;
      return false;
    }
    return true;
  }

  private produce(time: number): void {
    this.produced++;
    this.lastArrival = time;
  }

  /** The next open-loop arrival, or undefined when arrivals have stopped. */
  next(): Arrival | undefined {
    const workload = this.config.workloadSpec;
    if (this.trace !== undefined) {
      const index = this.produced;
      if (index >= this.trace.inputTokens.length) {
        this.exhausted = true;
        return undefined;
      }
      const time = (this.trace.arrivalTimesS?.[index] ?? 0) * workload.traceTimeScale;
      if (!this.withinLimits(time)) return undefined;
      this.produce(time);
      const arrival = this.share(
        time,
        this.trace.inputTokens[index] ?? 0,
        this.trace.outputTokens[index] ?? 0,
      );
      const { hashIds, hashIdOffsets } = this.trace;
      const start = hashIdOffsets?.[index] ?? 0;
      if (hashIds !== undefined && (hashIdOffsets?.[index + 1] ?? 0) > start) {
        // Hash ids name the prompt's content: they key its cache blocks (its session adds nothing).
        const end =
          this.sharedHashIds === undefined
            ? (hashIdOffsets?.[index + 1] ?? 0)
            : start + (this.sharedHashIds[index] ?? 0);
        if (end === start) return arrival;
        const { time, input, output, prefixGroup, promptKey } = arrival;
        return arrivalOf(time, input, output, prefixGroup, promptKey, hashIds.subarray(start, end));
      }
      const session = this.trace.sessionIds?.[index] ?? -1;
      return session < 0 ? arrival : this.continueTraceSession(arrival, session);
    }
    if (this.stageStarts !== undefined) return this.nextInStages(this.stageStarts);
    const mean = 1 / workload.arrivalRate;
    const random = this.streams.arrivals;
    let gap: number;
    switch (workload.arrivalProcess) {
      case 'deterministic':
        gap = mean;
        break;
      case 'gamma': {
        const shape = 1 / (workload.burstinessCv * workload.burstinessCv);
        gap = gamma(random, shape, mean / shape);
        break;
      }
      default:
        gap =
          this.customGap === undefined
            ? exponential(random, mean)
            : this.customGap(workload.arrivalRate, random);
    }
    const time = this.produced === 0 && workload.arrivalProcess === 'deterministic' ? 0 : this.clock + gap;
    if (!this.withinLimits(time)) return undefined;
    this.clock = time;
    this.produce(time);
    const { input, output } = this.lengths(this.streams.lengths);
    return this.share(time, input, output);
  }

  /**
   * A trace row of conversation `session` (its `session_id`): when its prompt is at least its
   * session's previous prompt and answer, it resends them (a chat's next turn) and continues that
   * token stream (one prompt key; the previous turn's replica may hold it); otherwise (a shorter,
   * truncated history) it starts a new stream of the session.
   */
  private continueTraceSession(arrival: Arrival, session: number): Arrival {
    const previous = this.traceSessions.get(session);
    const continues = previous !== undefined && arrival.input >= previous.context;
    const stream = continues ? previous.stream : this.traceStreams++;
    const turn = continues ? previous.turn + 1 : 0;
    this.traceSessions.set(session, { stream, turn, context: arrival.input + arrival.output });
    const sharing = this.config.workloadSpec.prefixSharing;
    // Stream keys follow the repeated prompts' keys (groups × promptsPerGroup).
    const offset = sharing?.promptsPerGroup === undefined ? 0 : sharing.groups * sharing.promptsPerGroup;
    const { time, input, output, prefixGroup } = arrival;
    return sessionArrival(
      time,
      input,
      output,
      prefixGroup,
      offset + stream,
      turn,
      continues ? previous.context : 0,
    );
  }

  /** Trace sessions: each one's current token stream, turn and context (its last prompt and answer). */
  private readonly traceSessions = new Map<number, { stream: number; turn: number; context: number }>();
  private traceStreams = 0;

  /** The next arrival of the load stages (deterministic or Poisson within each stage). */
  private nextInStages(starts: Float64Array): Arrival | undefined {
    const workload = this.config.workloadSpec;
    const stages = workload.stages ?? [];
    const deterministic = workload.arrivalProcess === 'deterministic';
    let time: number;
    for (;;) {
      if (this.stage >= stages.length) {
        // The stages are over; numRequests, when reached at the same time, is the reason given.
        const { numRequests } = workload;
        if (numRequests !== undefined && this.produced >= numRequests) this.exhausted = true;
        else this.stagesEnded = true;
        return undefined;
      }
      const rate = stages[this.stage]?.rate ?? 0;
      time = deterministic
        ? (starts[this.stage] ?? 0) + this.inStage / rate
        : this.clock +
          (this.customGap === undefined
            ? exponential(this.streams.arrivals, 1 / rate)
            : this.customGap(rate, this.streams.arrivals));
      if (time < (starts[this.stage + 1] ?? 0)) break;
      this.stage++;
      this.inStage = 0;
      this.clock = starts[this.stage] ?? 0;
    }
    if (!this.withinLimits(time)) return undefined;
    this.clock = time;
    this.inStage++;
    this.produce(time);
    const { input, output } = this.lengths(this.streams.lengths);
    return this.share(time, input, output);
  }

  /** Counts a closed-loop request against numRequests / the duration; false when no more may start. */
  claim(time: number): boolean {
    if (!this.withinLimits(time)) return false;
    this.produce(time);
    return true;
  }
}
