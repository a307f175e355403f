import { minimize } from '@sim/optimizer';
import type { EngineProfile } from '@sim/perf-model';
import type { CalibratedParameter } from '@sim/specs';

/** Start values for a parameter the base profile has at 0 (the `ideal` profile's CPU overhead, vllm-v0's admission delay): fitting is in log space. */
const NONZERO_START: Readonly<Record<CalibratedParameter, number>> = {
  computeEfficiencyScale: 1,
  memoryEfficiencyScale: 1,
  cpuOverheadBaseUs: 1000,
  cpuOverheadPerSequenceUs: 10,
  collectiveLatencyScale: 1,
  admissionDelayIterations: 1,
};

/** The parameters a calibration fits, where it starts, and the profile at a point of its search space. */
export interface ParameterSpace {
  /** Fitted parameters, in the optimizer's axis order. */
  readonly fitted: readonly CalibratedParameter[];
  /** Each fitted parameter's start value (the base profile's, or a nonzero stand-in for 0). */
  readonly start: readonly number[];
  /** The base profile with each fitted parameter at start × e^x[axis]. */
  profileAt(x: readonly number[]): EngineProfile;
  /** Whether x = 0 is the base profile itself (false when a parameter starts from a stand-in for the base's 0). */
  readonly startsAtBase: boolean;
}

/**
 * The search space of a calibration from `base`: computeEfficiencyScale, memoryEfficiencyScale,
 * cpuOverheadBaseUs, cpuOverheadPerSequenceUs, with tensor parallelism collectiveLatencyScale, and
 * with `fitAdmissionDelay` admissionDelayIterations, each as a log factor on its base value (x = 0
 * is the base profile; a parameter the base has at 0 starts from a stand-in, see NONZERO_START).
 */
export function parameterSpace(
  base: EngineProfile,
  tensorParallelSize: number,
  fitAdmissionDelay: boolean,
): ParameterSpace {
  const fitted: CalibratedParameter[] = [
    'computeEfficiencyScale',
    'memoryEfficiencyScale',
    'cpuOverheadBaseUs',
    'cpuOverheadPerSequenceUs',
    ...(tensorParallelSize > 1 ? (['collectiveLatencyScale'] as const) : []),
    ...(fitAdmissionDelay ? (['admissionDelayIterations'] as const) : []),
  ];
  const start = fitted.map((name) => (base[name] > 0 ? base[name] : NONZERO_START[name]));
  return {
    fitted,
    start,
    startsAtBase: fitted.every((name, axis) => start[axis] === base[name]),
    profileAt: (x) => {
      const values: Partial<Record<CalibratedParameter, number>> = {};
      fitted.forEach((name, axis) => {
        values[name] = (start[axis] ?? 0) * Math.exp(x[axis] ?? 0);
      });
      return { ...base, ...values };
    },
  };
}

/**
 * Nelder–Mead from x = 0, restarted from its best point (a fresh simplex) while that still helps
 * and `maxEvaluations` allows; `evaluations()` counts the objective's runs so far (the caller's
 * memoized objective counts only real simulations); `initialStep` sizes each start simplex (see
 * NelderMeadOptions). Returns the best point and its value.
 */
export function minimizeWithRestarts(
  objective: (x: number[]) => number,
  dimensions: number,
  startValue: number,
  maxEvaluations: number,
  evaluations: () => number,
  initialStep?: number,
): { x: number[]; value: number } {
  let best = { x: new Array<number>(dimensions).fill(0), value: startValue };
  while (maxEvaluations - evaluations() > 3 * (dimensions + 2)) {
    const run = minimize(objective, best.x, {
      maxEvaluations: maxEvaluations - evaluations(),
      ...(initialStep === undefined ? {} : { initialStep }),
    });
    const improved = run.value < best.value * (1 - 1e-6);
    if (run.value <= best.value) best = { x: run.x, value: run.value };
    if (!improved || run.converged) break;
  }
  return best;
}

/** The fitted parameters at 6 significant digits, over those a previous calibration file set. */
export function fittedParameters(
  space: ParameterSpace,
  profile: EngineProfile,
  previous: Readonly<Partial<Record<CalibratedParameter, number>>> | undefined,
): Partial<Record<CalibratedParameter, number>> {
  const parameters: Partial<Record<CalibratedParameter, number>> = { ...previous };
  for (const name of space.fitted) parameters[name] = Number(profile[name].toPrecision(6));
  return parameters;
}
