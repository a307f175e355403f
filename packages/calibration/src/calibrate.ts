import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SimulationRun } from '@sim/engine';
import { type EngineProfile, engineProfileNamed } from '@sim/perf-model';
import {
  type CalibratedParameter,
  type CalibrationProfileFile,
  camelizeKeys,
  findGpuPreset,
  type ResolvedConfig,
  readCalibrationFile,
  resolveConfig,
  type SimulatorConfig,
} from '@sim/specs';
import { fittedParameters, minimizeWithRestarts, parameterSpace } from './fit-parameters';
import {
  type MeasuredRequest,
  MeasurementError,
  type Measurements,
  modelMismatchNote,
  normalizeArrivals,
} from './measurements';

/** Bounds and hooks of {@link calibrateProfile}. */
export interface CalibrationOptions {
  /** Most measured requests replayed: the first ones in arrival order (a prefix keeps the load as measured). Default 2000. */
  readonly maxRequests?: number;
  /** Most simulations the fit runs (objective evaluations, the base profile's included). Default 300. */
  readonly maxEvaluations?: number;
  /** Called after each simulation of the fit. */
  readonly onProgress?: (evaluations: number, maxEvaluations: number) => void;
  /** Folder for the replayed trace CSV. Default: a temporary folder, removed afterwards. */
  readonly workDirectory?: string;
}

/** One metric, measured and predicted; `error` is predicted / measured − 1. */
export interface MetricComparison {
  readonly measured: number;
  readonly predicted: number;
  readonly error: number;
}

/** How well a profile reproduces the measurements. */
export interface FitQuality {
  /** The fit's objective: mean squared log error of TTFT plus that of decode time per token, plus the squared log error of throughput. */
  readonly objective: number;
  /** Root mean squared log error per request of TTFT, of decode time per output token, and the log error of throughput. */
  readonly rmsLogError: { readonly ttft: number; readonly tpot: number; readonly throughput: number };
  readonly medianTtftS: MetricComparison;
  readonly medianE2eS: MetricComparison;
  /** Decode time per output token after the first: (e2e − ttft) / (outputTokens − 1). */
  readonly medianTpotS: MetricComparison;
  /** Output tokens per second from the first arrival to the last token. */
  readonly throughputTokensPerS: MetricComparison;
}

/** What every calibration returns (per-request or stage summaries): the profile and the fit's bookkeeping. */
export interface CalibrationOutcome {
  /** The calibration file's contents (write it as JSON; a config's `calibrationFile` applies it). */
  readonly profile: CalibrationProfileFile;
  /** The fitted engine profile: the base profile with the fitted parameters. */
  readonly engineProfile: EngineProfile;
  /** The parameters that were fitted. */
  readonly fitted: readonly CalibratedParameter[];
  /** Their values in the base profile (the fit's start). */
  readonly baseParameters: Readonly<Partial<Record<CalibratedParameter, number>>>;
  /** Simulations run. */
  readonly evaluations: number;
  /** Wall-clock time of the fit, seconds. */
  readonly wallTimeS: number;
  /** What was assumed, left out or cut (for stderr). */
  readonly notes: readonly string[];
}

/** What {@link calibrateProfile} found. */
export interface CalibrationResult extends CalibrationOutcome {
  /** The base profile's fit, and the fitted profile's. */
  readonly before: FitQuality;
  readonly after: FitQuality;
  /** Measured requests replayed (after subsampling and leaving out those the simulator rejects). */
  readonly requests: number;
}

/** Shortest time a latency counts as (a TTFT or decode time of 0 has no logarithm). */
const TIME_FLOOR_S = 1e-6;

/** The median of finite values. */
function median(values: readonly number[]): number {
  const sorted = values.filter(Number.isFinite).sort((a, b) => a - b);
  if (sorted.length === 0) return Number.NaN;
  const middle = sorted.length >> 1;
  const upper = sorted[middle] ?? Number.NaN;
  return sorted.length % 2 === 1 ? upper : ((sorted[middle - 1] ?? Number.NaN) + upper) / 2;
}

/** Per-request times, aligned with the replayed requests (NaN where a request did not complete). */
interface Latencies {
  readonly ttft: Float64Array;
  readonly e2e: Float64Array;
}

function tpotOf(request: MeasuredRequest, ttft: number, e2e: number): number {
  return request.outputTokens >= 2 ? (e2e - ttft) / (request.outputTokens - 1) : Number.NaN;
}

/** A replayed request the base profile completes: the requests the fit compares. */
interface UsedRequest {
  /** Its position in the replay (its simulated request id). */
  readonly index: number;
  readonly request: MeasuredRequest;
  /** Its measured decode time per output token (NaN with fewer than 2 output tokens). */
  readonly measuredTpot: number;
}

/** Output tokens per second of the used requests, from the first arrival to the last end (`e2e`: by replay index). */
function throughputOf(used: readonly UsedRequest[], e2e: (entry: UsedRequest) => number): number {
  let tokens = 0;
  let end = 0;
  for (const entry of used) {
    tokens += entry.request.outputTokens;
    end = Math.max(end, entry.request.arrivalS + e2e(entry));
  }
  return end > 0 ? tokens / end : Number.NaN;
}

function compare(measured: number, predicted: number): MetricComparison {
  return { measured, predicted, error: predicted / measured - 1 };
}

/**
 * Fits an engine profile to measured requests: replays them (arrival times and lengths as
 * measured) through the simulator on `baseConfig`'s deployment (model, GPU, parallelism,
 * scheduler, engine profile; its workload is replaced by the replay) and fits, by Nelder–Mead on
 * the logarithms, computeEfficiencyScale, memoryEfficiencyScale, cpuOverheadBaseUs,
 * cpuOverheadPerSequenceUs and, with tensor parallelism, collectiveLatencyScale, minimizing the mean
 * squared log error of each request's TTFT and decode time per token ((e2e − ttft) / (output − 1)),
 * matched request by request, plus the squared log error of the overall throughput.
 *
 * Bounded: at most `maxRequests` requests (default 2000, the first ones) and `maxEvaluations`
 * simulations (default 300). Writes the replayed trace as a CSV in a temporary folder (Node only).
 * Throws the ConfigError of a bad base config.
 */
export function calibrateProfile(
  measurements: Measurements,
  baseConfig: SimulatorConfig,
  options: CalibrationOptions = {},
): CalibrationResult {
  const started = performance.now();
  const maxRequests = options.maxRequests ?? 2000;
  const maxEvaluations = options.maxEvaluations ?? 300;
  const notes: string[] = [...measurements.notes];
  const all = normalizeArrivals(measurements.requests);
  const requests = all.slice(0, maxRequests);
  if (requests.length < all.length)
    notes.push(
      `${measurements.file}: the first ${requests.length} of ${all.length} requests (by arrival) are replayed, to bound the fit's time.`,
    );

  const directory = options.workDirectory ?? mkdtempSync(join(tmpdir(), 'llm-sim-calibrate-'));
  try {
    if (options.workDirectory !== undefined) mkdirSync(directory, { recursive: true });
    const traceFile = join(directory, 'replay.csv');
    writeFileSync(
      traceFile,
      `arrival_time,input_tokens,output_tokens\n${requests.map((request) => `${request.arrivalS},${request.inputTokens},${request.outputTokens}`).join('\n')}\n`,
    );
    const {
      workloadSpec: baseWorkload,
      simulationDurationS: _duration,
      warmupS: _warmup,
      drain: _drain,
      ...deployment
    } = camelizeKeys(baseConfig);
    if (baseWorkload !== undefined && Object.keys(baseWorkload).length > 0)
      notes.push(
        "the base config's workloadSpec is replaced by the measured requests (arrival times and lengths as measured, no shared prefixes).",
      );
    const config = resolveConfig({
      ...deployment,
      workloadSpec: { traceFile, arrivalProcess: 'trace' },
      drain: true,
    });
    const mismatch = modelMismatchNote(measurements.file, measurements.model, config.modelSpec.name);
    if (mismatch !== undefined) notes.push(mismatch);
    return fit(measurements, requests, config, maxEvaluations, options, notes, started);
  } finally {
    if (options.workDirectory === undefined) rmSync(directory, { recursive: true, force: true });
  }
}

function fit(
  measurements: Measurements,
  requests: readonly MeasuredRequest[],
  config: ResolvedConfig,
  maxEvaluations: number,
  options: CalibrationOptions,
  notes: string[],
  started: number,
): CalibrationResult {
  const previous =
    config.calibrationFile === undefined ? undefined : readCalibrationFile(config.calibrationFile);
  const base: EngineProfile = { ...engineProfileNamed(config.engineProfile), ...previous?.parameters };
  const tp = config.parallelismSpec.tensorParallelSize;
  const space = parameterSpace(base, tp, false);
  const { fitted, profileAt } = space;

  const simulate = (profile: EngineProfile): Latencies => {
    const simulation = new SimulationRun(config, {
      recordRequests: true,
      engineProfile: profile,
      maxRequests: Number.POSITIVE_INFINITY,
    });
    while (simulation.step(100_000)) {
      // keep stepping
    }
    const ttft = new Float64Array(requests.length).fill(Number.NaN);
    const e2e = new Float64Array(requests.length).fill(Number.NaN);
    for (const record of simulation.finish().requestRecords()) {
      ttft[record.id] = record.firstTokenLatencyS;
      e2e[record.id] = record.endToEndLatencyS;
    }
    return { ttft, e2e };
  };

  let evaluations = 0;
  const baseRun = simulate(base);
  evaluations++;
  const used: UsedRequest[] = requests.flatMap((request, index) =>
    Number.isFinite(baseRun.e2e[index])
      ? [{ index, request, measuredTpot: tpotOf(request, request.ttftS, request.e2eS) }]
      : [],
  );
  if (used.length === 0)
    throw new MeasurementError(
      measurements.file,
      undefined,
      'out_of_range',
      `none of its ${requests.length} requests completes in the simulator on the base config (${config.modelSpec.name}, context ${config.modelSpec.maxContextLength} tokens): every one is longer than the model's context or the KV cache. Check the base config's model.`,
    );
  if (used.length < requests.length)
    notes.push(
      `${requests.length - used.length} of ${requests.length} requests never complete in the simulator (longer than the model's context or the KV cache) and are left out of the fit.`,
    );
  const measuredThroughput = throughputOf(used, ({ request }) => request.e2eS);
  const at = (values: Float64Array, index: number) => values[index] ?? Number.NaN;

  // A run in which a replayed request never completes cannot be compared (undefined: the worst objective).
  const quality = (run: Latencies): FitQuality | undefined => {
    let ttftSum = 0;
    let tpotSum = 0;
    let tpotCount = 0;
    for (const { index, request, measuredTpot: measured } of used) {
      const ttft = at(run.ttft, index);
      const e2e = at(run.e2e, index);
      if (!Number.isFinite(e2e)) return undefined;
      ttftSum += Math.log(Math.max(ttft, TIME_FLOOR_S) / Math.max(request.ttftS, TIME_FLOOR_S)) ** 2;
      if (Number.isFinite(measured)) {
        const predicted = tpotOf(request, ttft, e2e);
        tpotSum += Math.log(Math.max(predicted, TIME_FLOOR_S) / Math.max(measured, TIME_FLOOR_S)) ** 2;
        tpotCount++;
      }
    }
    const throughput = throughputOf(used, ({ index }) => at(run.e2e, index));
    const ttftMse = ttftSum / used.length;
    const tpotMse = tpotCount > 0 ? tpotSum / tpotCount : 0;
    const throughputSe = Math.log(throughput / measuredThroughput) ** 2;
    const pick = (values: Float64Array) => used.map(({ index }) => at(values, index));
    return {
      objective: ttftMse + tpotMse + throughputSe,
      rmsLogError: {
        ttft: Math.sqrt(ttftMse),
        tpot: Math.sqrt(tpotMse),
        throughput: Math.sqrt(throughputSe),
      },
      medianTtftS: compare(median(used.map(({ request }) => request.ttftS)), median(pick(run.ttft))),
      medianE2eS: compare(median(used.map(({ request }) => request.e2eS)), median(pick(run.e2e))),
      medianTpotS: compare(
        median(used.map(({ measuredTpot }) => measuredTpot)),
        median(used.map(({ index, request }) => tpotOf(request, at(run.ttft, index), at(run.e2e, index)))),
      ),
      throughputTokensPerS: compare(measuredThroughput, throughput),
    };
  };

  const before = quality(baseRun);
  // The search starts at x = 0: the base profile, or a stand-in where the base has a parameter at 0.
  const memo = new Map<string, number>(
    space.startsAtBase
      ? [[fitted.map(() => 0).join(','), before?.objective ?? Number.POSITIVE_INFINITY]]
      : [],
  );
  const objective = (x: number[]): number => {
    const key = x.join(',');
    const known = memo.get(key);
    if (known !== undefined) return known;
    const objectiveValue = quality(simulate(profileAt(x)))?.objective ?? Number.POSITIVE_INFINITY;
    const value = Number.isNaN(objectiveValue) ? Number.POSITIVE_INFINITY : objectiveValue;
    evaluations++;
    options.onProgress?.(evaluations, maxEvaluations);
    memo.set(key, value);
    return value;
  };
  const best = minimizeWithRestarts(
    objective,
    fitted.length,
    objective(fitted.map(() => 0)),
    maxEvaluations,
    () => evaluations,
  );
  const engineProfile = profileAt(best.x);
  const after = quality(simulate(engineProfile));
  evaluations++;
  // The base run completes every request the fit uses; the fitted one fails only when every profile tried did.
  if (before === undefined || after === undefined)
    throw new MeasurementError(
      measurements.file,
      undefined,
      'out_of_range',
      `no engine profile the fit tried completes all ${used.length} requests the base profile completes in the simulator. Check the base config.`,
    );

  const parameters = fittedParameters(space, engineProfile, previous?.parameters);
  const baseParameters = Object.fromEntries(fitted.map((name) => [name, base[name]]));
  const gpu = config.clusterSpec.gpuSpec.name;
  const profile: CalibrationProfileFile = {
    llmSimCalibration: 1,
    baseProfile: config.engineProfile,
    gpu: findGpuPreset(gpu)?.name ?? gpu,
    fittedOn: { file: measurements.file, requests: used.length, model: config.modelSpec.name, tp },
    parameters,
    fit: {
      objective:
        'mean squared log error of TTFT + mean squared log error of decode time per token + squared log error of throughput',
      evaluations,
      baseParameters,
      before,
      after,
    },
  };
  return {
    profile,
    engineProfile,
    fitted,
    baseParameters,
    before,
    after,
    requests: used.length,
    evaluations,
    wallTimeS: (performance.now() - started) / 1000,
    notes,
  };
}
