import {
  LLMInferenceSimulator,
  type RunOptions,
  type SimulationMetrics,
  type SimulatorConfig,
} from '@sim/engine';
import { Presets, SingleBar } from 'cli-progress';
import { colorEnabled, type Io } from './io';

/** Runs shorter than this never show a progress bar. */
const PROGRESS_AFTER_MS = 1000;

/**
 * Runs one simulation; on an interactive stderr, draws a progress bar once the run has taken more
 * than a second (simulated time or requests as a fraction of the run's bound).
 */
export async function runWithProgress(
  config: SimulatorConfig,
  options: RunOptions,
  io: Io,
  label = 'simulating',
): Promise<SimulationMetrics> {
  const simulator = new LLMInferenceSimulator(config);
  if (!io.stderrIsTty) return simulator.run(options);
  const started = Date.now();
  let bar: SingleBar | undefined;
  try {
    return await simulator.runAsync({
      ...options,
      onProgress: (progress) => {
        if (bar === undefined) {
          if (Date.now() - started < PROGRESS_AFTER_MS || !Number.isFinite(progress.fraction)) return;
          bar = new SingleBar(
            {
              format: `${label} [{bar}] {percentage}% | {completed} requests done | {eta}s left`,
              stream: process.stderr,
              hideCursor: true,
              barCompleteChar: colorEnabled(io) ? '\u2588' : '#',
              barIncompleteChar: colorEnabled(io) ? '\u2591' : '-',
            },
            Presets.legacy,
          );
          bar.start(100, 0, { completed: 0 });
        }
        bar.update(Math.round(progress.fraction * 100), { completed: progress.completedRequests });
      },
    });
  } finally {
    bar?.stop();
  }
}
