import { nelderMead } from '@sim/optimizer';
import { ENGINE_PROFILES, type EngineProfile } from '@sim/perf-model';
import { isOverloaded, predictStage, readVllmV1Stages, type VllmV1Stage } from './vllm-v1-runs';

/** The stages a fit may read: the training split only. */
export const VLLM_V1_FIT_STAGES = (): VllmV1Stage[] => readVllmV1Stages('train');

/** The free parameters of the vLLM V1 profile, in the order the optimizer sees them (log space). */
export const VLLM_V1_PARAMETERS = [
  'computeEfficiencyScale',
  'gemmHalfEfficiencyScale',
  'launchScale',
  'collectiveLatencyScale',
  'cpuOverheadBaseUs',
  'cpuOverheadPerSequenceUs',
  'admissionDelayIterations',
  'memoryEfficiencyScale',
] as const;

/**
 * Where the optimizer starts: a hand-tuned point on the training stages (kernels 30% faster at
 * large M and at half the token count for small M, launches and all-reduce latency at 0.3, 1 ms +
 * 5 µs/sequence of CPU, requests handed to the engine 1.5 iterations after arriving, decode attention 15% closer to peak bandwidth).
 */
const START = [1.3, 0.5, 0.3, 0.3, 1000, 5, 1.5, 1.15];

/** The vLLM V1 profile for parameter values `values` (in {@link VLLM_V1_PARAMETERS} order). */
export function vllmV1Profile(values: readonly number[], overlapsCpu: boolean): EngineProfile {
  const {
    computeEfficiencyScale: compute,
    gemmHalfEfficiencyScale: halfTokens,
    launchScale: launch,
    collectiveLatencyScale: collective,
    cpuOverheadBaseUs: cpuBase,
    cpuOverheadPerSequenceUs: cpuPerSequence,
    admissionDelayIterations: outputDelay,
    memoryEfficiencyScale: memory,
  } = namedParameters(values);
  return {
    ...ENGINE_PROFILES['vllm-v0'],
    name: 'vllm',
    computeEfficiencyScale: compute,
    memoryEfficiencyScale: memory,
    gemmHalfEfficiencyScale: halfTokens,
    collectiveLatencyScale: collective,
    cpuOverheadBaseUs: cpuBase,
    cpuOverheadPerSequenceUs: cpuPerSequence,
    overlapsCpu,
    cudaGraphs: { maxTokens: 512, launchScale: launch },
    admissionDelayIterations: outputDelay,
  };
}

/** Mean squared log error of the median TTFT and median e2e latency of the stages that were not overloaded. */
export function vllmV1Objective(
  stages: readonly VllmV1Stage[],
  engine: EngineProfile,
  replaySeconds?: number,
): number {
  let sum = 0;
  let count = 0;
  for (const stage of stages) {
    // Overloaded stages are left out: their whole-stage replays would make a fit take an hour, and
    // their throughput hinges on the clients' timeout behaviour more than on the profile.
    if (isOverloaded(stage)) continue;
    const predicted = predictStage(stage, engine, replaySeconds);
    sum += Math.log(predicted.ttftMedianS / stage.ttftS.median) ** 2;
    sum += Math.log(predicted.e2eMedianS / stage.e2eS.median) ** 2;
    count += 2;
  }
  return count === 0 ? 0 : sum / count;
}

export interface VllmV1Fit {
  readonly parameters: Readonly<Record<(typeof VLLM_V1_PARAMETERS)[number], number>>;
  readonly overlapsCpu: boolean;
  readonly objective: number;
  /** What to write to packages/perf-model/data/vllm-v1-profile.json. */
  readonly file: Record<string, unknown>;
}

/**
 * Fits the profile on `stages` (pass only training stages): Nelder–Mead over the log parameters,
 * once with the CPU work overlapped and once not; the better of the two is kept. Deterministic.
 */
export function fitVllmV1(
  stages: readonly VllmV1Stage[],
  options: {
    iterations?: number;
    rounds?: number;
    overlapVariants?: readonly boolean[];
    replaySeconds?: number;
    log?: (line: string) => void;
  } = {},
): VllmV1Fit {
  const iterations = options.iterations ?? 150;
  let best: VllmV1Fit | undefined;
  for (const overlapsCpu of options.overlapVariants ?? [false, true]) {
    const objective = (x: number[]) =>
      vllmV1Objective(stages, vllmV1Profile(x.map(Math.exp), overlapsCpu), options.replaySeconds);
    let x = START.map(Math.log);
    for (let round = 0; round < (options.rounds ?? 2); round++) x = nelderMead(objective, x, iterations);
    const values = x.map(Math.exp);
    const value = objective(x);
    options.log?.(
      `overlapsCpu ${overlapsCpu}: objective ${value.toPrecision(4)} at ${values.map((v) => v.toPrecision(4)).join(', ')}`,
    );
    if (best === undefined || value < best.objective) {
      const parameters = namedParameters(values.map((value) => Number(value.toPrecision(4))));
      best = {
        parameters,
        overlapsCpu,
        objective: value,
        file: {
          source: `fitted by packages/validation/scripts/fit-vllm-v1.ts end to end through the engine on the training stages of the vLLM V1 H100 runs (inference-perf, Feb 2026: Llama-2-7B TP1, Llama-2-70B TP4; Mixtral-8x7B TP2 held out): median TTFT and e2e latency of the ${stages.filter((stage) => !isOverloaded(stage)).length} stages that were not overloaded; root mean squared log error ${Math.sqrt(value).toPrecision(3)}`,
          overlapsCpu,
          cudaGraphMaxTokens: 512,
          ...parameters,
        },
      };
    }
  }
  if (best === undefined) throw new Error('fitVllmV1: no overlap variant to fit');
  return best;
}

/** Parameter values (in {@link VLLM_V1_PARAMETERS} order) by name, in that order. */
function namedParameters(values: readonly number[]): VllmV1Fit['parameters'] {
  const [
    computeEfficiencyScale = Number.NaN,
    gemmHalfEfficiencyScale = Number.NaN,
    launchScale = Number.NaN,
    collectiveLatencyScale = Number.NaN,
    cpuOverheadBaseUs = Number.NaN,
    cpuOverheadPerSequenceUs = Number.NaN,
    admissionDelayIterations = Number.NaN,
    memoryEfficiencyScale = Number.NaN,
  ] = values;
  return {
    computeEfficiencyScale,
    gemmHalfEfficiencyScale,
    launchScale,
    collectiveLatencyScale,
    cpuOverheadBaseUs,
    cpuOverheadPerSequenceUs,
    admissionDelayIterations,
    memoryEfficiencyScale,
  };
}
