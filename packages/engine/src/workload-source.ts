import { ConfigError, type ResolvedConfig, type Trace } from '@sim/specs';
import { createLengthSampler, type LengthSampler } from './length-sampler';
import { exponential, gamma, type RandomStreams } from './random-streams';
import { readTraceCached } from './trace-cache';

/** One request the workload produces. */
export interface Arrival {
  readonly time: number;
  readonly input: number;
  readonly output: number;
}

/**
 * Generates the open-loop arrivals lazily, in time order, until the duration or numRequests is
 * reached (closed-loop arrivals are driven by the simulator; this only supplies their lengths).
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

  constructor(config: ResolvedConfig, streams: RandomStreams) {
    this.config = config;
    this.streams = streams;
    const workload = config.workloadSpec;
    this.trace =
      workload.arrivalProcess === 'trace' ? readTraceCached(workload.traceFile as string) : undefined;
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
  }

  /** Requests produced so far. */
  get count(): number {
    return this.produced;
  }

  /** Draws a request's lengths (used for closed-loop clients). */
  drawLengths(): { input: number; output: number } {
    return this.lengths(this.streams.lengths);
  }

  /**
   * When arrivals ended, in seconds: `simulationDurationS` when the duration cut them, the last
   * arrival's time when numRequests or the trace did; undefined while arrivals may still come.
   */
  get arrivalsEndS(): number | undefined {
    if (this.cutByDuration) return this.config.simulationDurationS;
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
      const time = ((this.trace.arrivalTimesS as Float64Array)[index] as number) * workload.traceTimeScale;
      if (!this.withinLimits(time)) return undefined;
      this.produce(time);
      return {
        time,
        input: this.trace.inputTokens[index] as number,
        output: this.trace.outputTokens[index] as number,
      };
    }
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
        gap = exponential(random, mean);
    }
    const time = this.produced === 0 && workload.arrivalProcess === 'deterministic' ? 0 : this.clock + gap;
    if (!this.withinLimits(time)) return undefined;
    this.clock = time;
    this.produce(time);
    const { input, output } = this.lengths(this.streams.lengths);
    return { time, input, output };
  }

  /** Counts a closed-loop request against numRequests / the duration; false when no more may start. */
  claim(time: number): boolean {
    if (!this.withinLimits(time)) return false;
    this.produce(time);
    return true;
  }
}
