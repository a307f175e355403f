import type { IterationPlan } from '@sim/scheduler';
import type { TraceEvent } from './simulation-metrics';
import type { VirtualEngine } from './virtual-engine';

/** The Chrome trace span of one pipeline stage of an iteration (seconds in, microseconds out). */
export function iterationSpan(
  plan: IterationPlan,
  engine: VirtualEngine,
  stage: number,
  startS: number,
  durationS: number,
  tokens: number,
): TraceEvent {
  return {
    name: plan.prefillChunks.length > 0 ? (plan.decodeSequences > 0 ? 'mixed' : 'prefill') : 'decode',
    ph: 'X',
    ts: startS * 1e6,
    dur: durationS * 1e6,
    pid: engine.replica,
    tid: stage,
    args: {
      tokens,
      prefillChunks: plan.prefillChunks.length,
      decodes: plan.decodeSequences,
      virtualEngine: engine.stage,
    },
  };
}
