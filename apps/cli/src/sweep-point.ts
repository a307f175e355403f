import {
  LLMInferenceSimulator,
  SimError,
  type SimulationStatistics,
  type SimulatorConfig,
} from '@sim/engine';
import { errorMessage } from '@sim/specs';

/** The outcome of one sweep point: statistics, or the error that stopped it (e.g. out of memory). */
export type PointOutcome =
  | { readonly ok: true; readonly statistics: SimulationStatistics }
  | { readonly ok: false; readonly code: string; readonly message: string };

/** Runs one point of a sweep. Never throws: a point that cannot run reports why. */
export function runPoint(config: SimulatorConfig): PointOutcome {
  try {
    return { ok: true, statistics: new LLMInferenceSimulator(config).run().computeStatistics() };
  } catch (error) {
    if (error instanceof SimError) return { ok: false, code: error.code, message: error.message };
    return { ok: false, code: 'INTERNAL', message: errorMessage(error) };
  }
}
