import { type ResolvedConfig, resolveConfig, SimError, type SimulatorConfig } from '@sim/specs';
import type { SimulationMetrics } from './simulation-metrics';
import { type Progress, type RunOptions, SimulationRun } from './simulation-run';
import { yieldToEventLoop } from './yield-to-event-loop';

/** Options of an asynchronous run. */
export interface AsyncRunOptions extends RunOptions {
  /** Cancels the run; the promise rejects with a SimError of code `ABORTED`. */
  readonly signal?: AbortSignal;
  /** Called about every 100,000 events and at the end. */
  readonly onProgress?: (progress: Progress) => void;
}

const CHUNK = 100_000;

/**
 * The quick-start's simulator: `new LLMInferenceSimulator(config).run()` returns metrics whose
 * `computeStatistics()` gives throughput and latency percentiles. The config is a plain object
 * (every section optional, camelCase or snake_case keys); it is validated when `run` is called,
 * so it may be mutated between runs as in the quick-start.
 */
export class LLMInferenceSimulator {
  readonly config: SimulatorConfig;

  constructor(config: SimulatorConfig = {}) {
    this.config = config;
  }

  /** The validated, defaulted config the next run will use (throws ConfigError when invalid). */
  resolvedConfig(): ResolvedConfig {
    return resolveConfig(this.config);
  }

  /** Runs the simulation to the end, synchronously. */
  run(options: RunOptions = {}): SimulationMetrics {
    const simulation = new SimulationRun(this.resolvedConfig(), options);
    while (simulation.step(CHUNK)) {
      // keep stepping
    }
    return simulation.finish();
  }

  /** Runs the simulation in chunks, yielding to the event loop, with progress and cancellation. */
  async runAsync(options: AsyncRunOptions = {}): Promise<SimulationMetrics> {
    const simulation = new SimulationRun(this.resolvedConfig(), options);
    for (;;) {
      if (options.signal?.aborted) throw new SimError('ABORTED', 'The simulation was aborted.');
      const more = simulation.step(CHUNK);
      options.onProgress?.(simulation.progress(!more));
      if (!more) break;
      await yieldToEventLoop();
    }
    return simulation.finish();
  }
}
