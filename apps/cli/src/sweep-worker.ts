import type { SimulatorConfig } from '@sim/engine';
import { type PointOutcome, runPoint } from './sweep-point';

/** Tinypool worker entry: one sweep point per task. */
export default function runSweepPoint(config: SimulatorConfig): PointOutcome {
  return runPoint(config);
}
