import { type EngineProfile, engineProfileNamed } from '@sim/perf-model';
import {
  type CalibrationProfileFile,
  camelizeKeys,
  findGpuPreset,
  readCalibrationFile,
  resolveConfig,
  type SimulatorConfig,
} from '@sim/specs';
import type { CalibrationOutcome, MetricComparison } from './calibrate';
import { fittedParameters, minimizeWithRestarts, parameterSpace } from './fit-parameters';
import { MeasurementError, modelMismatchNote } from './measurements';
import { isOverloaded, type MeasuredStage, type StageMeasurements } from './stage-measurements';
import {
  replayStage,
  type StagePrediction,
  type StageReplayOptions,
  stageReplayConfig,
} from './stage-replay';

/** Bounds and hooks of {@link calibrateFromStages}. */
export interface StageCalibrationOptions extends StageReplayOptions {
  /** Most simulations of the fit's objective (each replays every stage that was not overloaded). Default 200. */
  readonly maxEvaluations?: number;
  /**
   * Weight of the pull towards the base profile: the objective adds `priorWeight` × Σ ln(p / p₀)²
   * over the fitted parameters. Stage medians identify fewer directions than per-request records
   * (two numbers per stage), so the fit keeps the base profile's values along the directions the
   * data leaves flat. Default 0.001: a factor of 2 on one parameter costs as much as a 2.2% miss
   * on every target.
   */
  readonly priorWeight?: number;
  /** Called after each simulation of the fit. */
  readonly onProgress?: (evaluations: number, maxEvaluations: number) => void;
  /** The Nelder–Mead start simplex's step, in log units. Default 0.6. */
  readonly initialStep?: number;
}

/** One stage, measured and predicted. */
export interface StageComparison {
  readonly id: string;
  readonly rate: number;
  /** Requests failed at the client: compared on throughput, left out of the fit. */
  readonly overloaded: boolean;
  readonly ttftMedianS: MetricComparison;
  readonly e2eMedianS: MetricComparison;
  readonly outputTokensPerSec: MetricComparison;
}

/** How well a profile reproduces a run's stages. */
export interface StageFitQuality {
  /** The fit's objective without the prior: mean squared log error of the median TTFT and median e2e latency of the stages that were not overloaded. */
  readonly objective: number;
  /** Its square root: the root mean squared log error. */
  readonly rmsLogError: number;
  readonly stages: readonly StageComparison[];
}

/** What {@link calibrateFromStages} found. */
export interface StageCalibrationResult extends CalibrationOutcome {
  /** The base profile's fit, and the fitted profile's. */
  readonly before: StageFitQuality;
  readonly after: StageFitQuality;
  /** Stages the fit read (not overloaded). */
  readonly fittedStages: number;
}

function compare(measured: number, predicted: number): MetricComparison {
  return { measured, predicted, error: predicted / measured - 1 };
}

function squaredLogErrors(stage: MeasuredStage, prediction: StagePrediction): number {
  return (
    Math.log(prediction.ttftMedianS / stage.ttftS.median) ** 2 +
    Math.log(prediction.e2eMedianS / stage.e2eS.median) ** 2
  );
}

/**
 * Fits an engine profile to a run summarized per stage (median TTFT and request latency per
 * constant-rate stage, as inference-perf reports them; {@link readStageSummaries}): each stage is
 * replayed through the full engine on `baseConfig`'s deployment ({@link stageReplayConfig}: its
 * workload is replaced by the stage's), and computeEfficiencyScale, memoryEfficiencyScale,
 * cpuOverheadBaseUs, cpuOverheadPerSequenceUs and, with tensor parallelism, collectiveLatencyScale
 * are fitted by Nelder–Mead on their logarithms to the mean squared log error of the median TTFT
 * and median e2e latency of the stages that were not overloaded, plus a weak pull towards the base
 * profile (`priorWeight`). Overloaded stages are compared on throughput before and after, not
 * fitted (their throughput hinges on the clients' timeouts). Deterministic. Throws the ConfigError
 * of a bad base config, and a MeasurementError when every stage was overloaded.
 */
export function calibrateFromStages(
  measurements: StageMeasurements,
  baseConfig: SimulatorConfig,
  options: StageCalibrationOptions = {},
): StageCalibrationResult {
  const started = performance.now();
  const maxEvaluations = options.maxEvaluations ?? 200;
  const priorWeight = options.priorWeight ?? 0.001;
  const notes: string[] = [...measurements.notes];
  const deployment = camelizeKeys(baseConfig);
  if (deployment.workloadSpec !== undefined && Object.keys(deployment.workloadSpec).length > 0)
    notes.push(
      "the base config's workloadSpec is replaced by each stage's (rate, lengths and shared prompts as measured).",
    );
  const fittable = measurements.stages.filter((stage) => !isOverloaded(stage));
  const first = fittable[0];
  if (first === undefined)
    throw new MeasurementError(
      measurements.file,
      undefined,
      'out_of_range',
      `every stage of ${measurements.experiment} was overloaded (requests failed at the client), and an overloaded stage's latencies say more about the clients' timeout than about the server. Calibrate on a run with at least one stage that was not overloaded.`,
    );
  if (fittable.length < measurements.stages.length)
    notes.push(
      `${measurements.stages.length - fittable.length} overloaded stage(s) are compared on throughput only, not fitted.`,
    );
  const replay: StageReplayOptions = {
    ...(options.replaySeconds === undefined ? {} : { replaySeconds: options.replaySeconds }),
    ...(options.warmupS === undefined ? {} : { warmupS: options.warmupS }),
    ...(options.clientTimeoutS === undefined ? {} : { clientTimeoutS: options.clientTimeoutS }),
  };
  // Resolve once (a bad base config throws here, before any fit), from the first stage's replay.
  const config = resolveConfig(stageReplayConfig(deployment, first, replay));
  const tp = config.parallelismSpec.tensorParallelSize;
  if (measurements.tensorParallelSize !== undefined && measurements.tensorParallelSize !== tp)
    notes.push(
      `${measurements.experiment} ran with tensor parallelism ${measurements.tensorParallelSize}, the base config simulates ${tp}: the fit makes up for the difference, so the profile is wrong for both.`,
    );
  const mismatch = modelMismatchNote(measurements.experiment, measurements.model, config.modelSpec.name);
  if (mismatch !== undefined) notes.push(mismatch);
  const previous =
    config.calibrationFile === undefined ? undefined : readCalibrationFile(config.calibrationFile);
  const base: EngineProfile = { ...engineProfileNamed(config.engineProfile), ...previous?.parameters };
  const space = parameterSpace(base, tp, true);

  const quality = (engineProfile: EngineProfile, stages: readonly MeasuredStage[]): StageFitQuality => {
    let sum = 0;
    const comparisons = stages.map((stage): StageComparison => {
      const predicted = replayStage(deployment, stage, { ...replay, engineProfile });
      if (!isOverloaded(stage)) sum += squaredLogErrors(stage, predicted);
      return {
        id: stage.id,
        rate: stage.rate,
        overloaded: isOverloaded(stage),
        ttftMedianS: compare(stage.ttftS.median, predicted.ttftMedianS),
        e2eMedianS: compare(stage.e2eS.median, predicted.e2eMedianS),
        outputTokensPerSec: compare(stage.outputTokensPerSec, predicted.outputTokensPerSec),
      };
    });
    const objective = sum / (2 * fittable.length);
    return { objective, rmsLogError: Math.sqrt(objective), stages: comparisons };
  };

  let evaluations = 0;
  const memo = new Map<string, number>();
  const objective = (x: number[]): number => {
    const key = x.join(',');
    const known = memo.get(key);
    if (known !== undefined) return known;
    const profile = space.profileAt(x);
    let sum = 0;
    for (const stage of fittable)
      sum += squaredLogErrors(stage, replayStage(deployment, stage, { ...replay, engineProfile: profile }));
    const prior = priorWeight * x.reduce((total, value) => total + value * value, 0);
    const value = sum / (2 * fittable.length) + prior;
    evaluations++;
    options.onProgress?.(evaluations, maxEvaluations);
    const finite = Number.isFinite(value) ? value : Number.POSITIVE_INFINITY;
    memo.set(key, finite);
    return finite;
  };
  const start = space.fitted.map(() => 0);
  const before = quality(space.profileAt(start), measurements.stages);
  memo.set(start.join(','), before.objective);
  evaluations++;
  // Stage medians of a deterministic replay move in small steps as parameters change: a coarse start
  // simplex (a factor of e^0.6 ≈ 1.8 per parameter) looks past them.
  const best = minimizeWithRestarts(
    objective,
    space.fitted.length,
    before.objective,
    maxEvaluations,
    () => evaluations,
    options.initialStep ?? 0.6,
  );
  const engineProfile = space.profileAt(best.x);
  const after = quality(engineProfile, measurements.stages);

  const parameters = fittedParameters(space, engineProfile, previous?.parameters);
  const baseParameters = Object.fromEntries(space.fitted.map((name) => [name, base[name]]));
  const gpu = config.clusterSpec.gpuSpec.name;
  const profile: CalibrationProfileFile = {
    llmSimCalibration: 1,
    baseProfile: config.engineProfile,
    gpu: findGpuPreset(gpu)?.name ?? gpu,
    fittedOn: {
      file: `${measurements.file} (${measurements.experiment}, ${fittable.length} stage summaries)`,
      requests: fittable.reduce((total, stage) => total + stage.successes, 0),
      model: config.modelSpec.name,
      tp,
    },
    parameters,
    fit: {
      objective: `mean squared log error of each stage's median TTFT and median e2e latency + ${priorWeight} × Σ ln(parameter / base)²`,
      evaluations,
      baseParameters,
      before,
      after,
    },
  };
  return {
    profile,
    engineProfile,
    fitted: space.fitted,
    baseParameters,
    before,
    after,
    fittedStages: fittable.length,
    evaluations,
    wallTimeS: (performance.now() - started) / 1000,
    notes,
  };
}
