import { readCalibrationFile } from './calibration-profile';
import { camelizeKeys } from './case-keys';
import type { ResolvedClusterSpec } from './cluster-spec';
import { simulatorConfigSchema } from './config-schema';
import type { Dtype } from './dtype';
import { ConfigError, type ConfigIssue } from './errors';
import { getFileReader, noFileAccessIssue } from './file-reader';
import {
  type GpuArchitecture,
  inferGpuArchitecture,
  inferMemoryType,
  type MemoryType,
  type ResolvedGPUSpec,
} from './gpu-spec';
import { deriveParamCount, type ResolvedModelSpec } from './model-spec';
import type { ResolvedParallelismSpec } from './parallelism-spec';
import {
  closestNames,
  findGpuPreset,
  findModelPreset,
  gpuPresetNames,
  modelPresetNames,
} from './presets/preset-lookup';
import type { ResolvedSchedulerSpec } from './scheduler-spec';
import type {
  CalibrationProfileFile,
  EngineProfileName,
  ResolvedConfig,
  SimulatorConfig,
} from './simulator-config';
import { TRACE_COLUMNS, traceHasArrivalTimes } from './trace-file';
import type { LengthDistribution, LengthDistributionInput, ResolvedWorkloadSpec } from './workload-spec';
import { toConfigIssues } from './zod-issues';

/** Default GPU when the config names none: the quick-start's A100-80GB. */
export const DEFAULT_GPU = 'A100-80GB';
/** Default model when the config names none: the quick-start's llama-7b. */
export const DEFAULT_MODEL = 'llama-7b';

const GEOMETRY_KEYS = [
  'hiddenSize',
  'nLayers',
  'nHeads',
  'nKvHeads',
  'headDim',
  'ffnDim',
  'vocabSize',
  'gatedMlp',
  'tieWordEmbeddings',
  'numExperts',
  'expertFfnDim',
] as const;

type Input = Record<string, unknown>;

/**
 * Validates a configuration (camelCase or snake_case keys, any section omitted), resolves preset
 * names, fills defaults and derived fields, and checks cross-field rules. Throws one
 * {@link ConfigError} listing every problem. Files the config names (trace, empirical lengths,
 * calibration profile) are checked and read through the current `FileReader` (the file
 * system under Node; see `setFileReader`). Relative file paths are kept as given (the caller
 * resolves them; `loadConfigFile` of `@sim/engine/node` makes them relative to the config file).
 */
export function resolveConfig(input: SimulatorConfig | Record<string, unknown> = {}): ResolvedConfig {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    throw new ConfigError([
      { code: 'invalid_type', path: '', message: 'the configuration must be an object.' },
    ]);
  }
  const camel = camelizeKeys(input) as Input;
  const parsed = simulatorConfigSchema.safeParse(camel);
  if (!parsed.success) throw new ConfigError(toConfigIssues(parsed.error, camel, simulatorConfigSchema));
  const config = parsed.data as Input;
  const issues: ConfigIssue[] = [];

  const modelSpec = resolveModel((config.modelSpec as Input | undefined) ?? { name: DEFAULT_MODEL }, issues);
  const clusterInput = (config.clusterSpec as Input | undefined) ?? {};
  const gpuSpec = resolveGpu((clusterInput.gpuSpec as Input | undefined) ?? { name: DEFAULT_GPU }, issues);
  const clusterSpec: ResolvedClusterSpec = {
    nGpusPerNode: (clusterInput.nGpusPerNode as number | undefined) ?? 1,
    nNodes: (clusterInput.nNodes as number | undefined) ?? 1,
    gpuSpec: gpuSpec ?? (findGpuPreset(DEFAULT_GPU) as ResolvedGPUSpec),
    interNodeBandwidthGbs: (clusterInput.interNodeBandwidthGbs as number | undefined) ?? 50,
  };
  const parallelInput = (config.parallelismSpec as Input | undefined) ?? {};
  const parallelismSpec: ResolvedParallelismSpec = {
    tensorParallelSize: (parallelInput.tensorParallelSize as number | undefined) ?? 1,
    pipelineParallelSize: (parallelInput.pipelineParallelSize as number | undefined) ?? 1,
    dataParallelSize: (parallelInput.dataParallelSize as number | undefined) ?? 1,
    router: (parallelInput.router as ResolvedParallelismSpec['router'] | undefined) ?? 'round-robin',
  };
  const workloadInput = (config.workloadSpec as Input | undefined) ?? {};
  const lengths = workloadInput.lengthDistribution as LengthDistributionInput | undefined;
  const fixedLengths =
    lengths === undefined || lengths === 'fixed' || (typeof lengths === 'object' && lengths.type === 'fixed');
  const fixedInputLength = fixedLengths ? ((workloadInput.avgInputLength as number | undefined) ?? 512) : 0;
  const calibrationFile = config.calibrationFile as string | undefined;
  const calibration = calibrationFile === undefined ? undefined : checkCalibration(calibrationFile, issues);
  const namedProfile = config.engineProfile as EngineProfileName | undefined;
  if (calibration !== undefined && namedProfile !== undefined && namedProfile !== calibration.baseProfile)
    issues.push({
      code: 'invalid_value',
      path: 'engineProfile',
      message: `"${namedProfile}" is not the base profile of calibrationFile ${calibrationFile}, which was fitted from "${calibration.baseProfile}". Remove engineProfile (it defaults to the calibration's base profile), or calibrate again from "${namedProfile}".`,
    });
  const engineProfile = namedProfile ?? calibration?.baseProfile ?? 'vllm';
  const schedulerSpec = resolveScheduler(
    (config.schedulerSpec as Input | undefined) ?? {},
    modelSpec,
    fixedInputLength,
    engineProfile,
  );
  const workloadSpec = resolveWorkload(workloadInput, schedulerSpec, issues);

  if (modelSpec !== undefined) {
    checkParallelism(modelSpec, clusterSpec, parallelismSpec, issues);
    checkWorkloadAgainstModel(modelSpec, workloadSpec, schedulerSpec, issues);
  }
  const numRequests = workloadSpec.numRequests;
  // A replayed trace or a request count bounds the arrivals; otherwise 60 s (the quick-start's).
  const stagesTotalS = workloadSpec.stages?.reduce((sum, stage) => sum + stage.durationS, 0);
  const simulationDurationS =
    (config.simulationDurationS as number | undefined) ??
    stagesTotalS ??
    (numRequests === undefined && workloadSpec.arrivalProcess !== 'trace' ? 60 : Number.POSITIVE_INFINITY);
  const warmupS = (config.warmupS as number | undefined) ?? 0;
  if (warmupS > 0 && warmupS >= simulationDurationS) {
    issues.push({
      code: 'out_of_range',
      path: 'warmupS',
      message: `${warmupS} s leaves nothing to measure: arrivals stop at simulationDurationS ${simulationDurationS} s${config.simulationDurationS === undefined ? ' (the default)' : ''}. Use a warm-up shorter than the duration (e.g. ${(simulationDurationS / 10).toPrecision(3)} s) or a longer duration.`,
    });
  }
  if (issues.length > 0 || modelSpec === undefined) throw new ConfigError(issues);

  return {
    modelSpec,
    workloadSpec,
    clusterSpec,
    parallelismSpec,
    schedulerSpec,
    simulationDurationS,
    warmupS,
    seed: (config.seed as number | undefined) ?? 42,
    drain: (config.drain as boolean | undefined) ?? false,
    engineProfile,
    slo: (config.slo as ResolvedConfig['slo'] | undefined) ?? {},
    ...(calibrationFile === undefined ? {} : { calibrationFile }),
  };
}

/** Reads the config's calibration file, recording its problems as issues; undefined when unusable. */
function checkCalibration(path: string, issues: ConfigIssue[]): CalibrationProfileFile | undefined {
  try {
    return readCalibrationFile(path);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    issues.push(...error.issues);
    return undefined;
  }
}

function resolveModel(input: Input, issues: ConfigIssue[]): ResolvedModelSpec | undefined {
  const name = input.name as string;
  const preset = findModelPreset(name);
  if (preset === undefined) {
    const missing = (['hiddenSize', 'nLayers', 'nHeads', 'ffnDim'] as const).filter(
      (key) => input[key] === undefined,
    );
    if (missing.length === 4) {
      const close = closestNames(name, modelPresetNames(true));
      issues.push({
        code: 'unknown_preset',
        path: 'modelSpec.name',
        message: `"${name}" is not a model preset${close.length > 0 ? `; did you mean ${close.map((c) => `"${c}"`).join(', ')}?` : '.'} Use a preset (see \`llm-sim presets models\`) or give the geometry: hiddenSize, nLayers, nHeads, ffnDim.`,
      });
      return undefined;
    }
    if (missing.length > 0) {
      for (const key of missing) {
        issues.push({
          code: 'missing_field',
          path: `modelSpec.${key}`,
          message: `is required for a custom model ("${name}" is not a preset).`,
        });
      }
      return undefined;
    }
  }
  const base: Partial<ResolvedModelSpec> = preset ?? {};
  const merged = { ...base, ...stripUndefined(input) } as Partial<ResolvedModelSpec> & {
    name: string;
    hiddenSize: number;
    nLayers: number;
    nHeads: number;
    ffnDim: number;
  };
  const nKvHeads = merged.nKvHeads ?? merged.nHeads;
  const headDimGiven = merged.headDim;
  if (headDimGiven === undefined && merged.hiddenSize % merged.nHeads !== 0) {
    issues.push({
      code: 'invalid_value',
      path: 'modelSpec.headDim',
      message: `hiddenSize ${merged.hiddenSize} is not divisible by nHeads ${merged.nHeads}; give headDim explicitly.`,
    });
  }
  if (merged.nHeads % nKvHeads !== 0) {
    issues.push({
      code: 'invalid_value',
      path: 'modelSpec.nKvHeads',
      message: `nKvHeads ${nKvHeads} must divide nHeads ${merged.nHeads} (each KV head serves a whole group of query heads).`,
    });
  }
  const numExperts = merged.numExperts ?? 1;
  const expertsPerToken = merged.expertsPerToken ?? 1;
  if (expertsPerToken > numExperts) {
    issues.push({
      code: 'out_of_range',
      path: 'modelSpec.expertsPerToken',
      message: `${expertsPerToken} experts per token is more than numExperts ${numExperts}.`,
    });
  }
  const weightDtype: Dtype = merged.weightDtype ?? 'bf16';
  const model: Omit<ResolvedModelSpec, 'nParams'> = {
    name,
    hiddenSize: merged.hiddenSize,
    nLayers: merged.nLayers,
    nHeads: merged.nHeads,
    nKvHeads,
    headDim: headDimGiven ?? Math.floor(merged.hiddenSize / merged.nHeads),
    ffnDim: merged.ffnDim,
    vocabSize: merged.vocabSize ?? 32000,
    gatedMlp: merged.gatedMlp ?? true,
    tieWordEmbeddings: merged.tieWordEmbeddings ?? false,
    weightDtype,
    kvCacheDtype:
      (input.kvCacheDtype as Dtype | undefined) ??
      (input.weightDtype === undefined && base.kvCacheDtype !== undefined
        ? base.kvCacheDtype
        : defaultKvDtype(weightDtype)),
    maxContextLength: merged.maxContextLength ?? 4096,
    numExperts,
    expertsPerToken,
    expertFfnDim: merged.expertFfnDim ?? merged.ffnDim,
  };
  const geometryOverridden = GEOMETRY_KEYS.some(
    (key) => input[key] !== undefined && input[key] !== base[key],
  );
  const nParams =
    (input.nParams as number | undefined) ??
    (preset !== undefined && !geometryOverridden ? preset.nParams : deriveParamCount(model));
  return { ...model, nParams };
}

/** The KV cache follows 16-bit and fp8 weights; weight-only int8/int4 keep a 16-bit cache. */
function defaultKvDtype(weightDtype: Dtype): Dtype {
  return weightDtype === 'int8' || weightDtype === 'int4' ? 'bf16' : weightDtype;
}

function resolveGpu(input: Input, issues: ConfigIssue[]): ResolvedGPUSpec | undefined {
  const name = input.name as string;
  const preset = findGpuPreset(name);
  if (preset === undefined) {
    const required = ['computeTflops', 'memorySizeGb', 'memoryBandwidthGbs'] as const;
    const missing = required.filter((key) => input[key] === undefined);
    if (missing.length > 0) {
      const close = closestNames(name, gpuPresetNames(true));
      issues.push({
        code: 'unknown_preset',
        path: 'clusterSpec.gpuSpec.name',
        message: `"${name}" is not a GPU preset${close.length > 0 ? `; did you mean ${close.map((c) => `"${c}"`).join(', ')}?` : '.'} Use a preset (see \`llm-sim presets gpus\`) or give ${missing.join(', ')} for a custom GPU.`,
      });
      return undefined;
    }
  }
  const merged = { ...(preset ?? {}), ...stripUndefined(input) } as Partial<ResolvedGPUSpec>;
  // A custom GPU without them: the architecture its name says, and the memory type its architecture,
  // name or bandwidth says (see inferMemoryType).
  const architecture: GpuArchitecture = merged.architecture ?? inferGpuArchitecture(name);
  const memoryType: MemoryType =
    merged.memoryType ?? inferMemoryType(name, merged.memoryBandwidthGbs as number, architecture);
  return {
    name,
    computeTflops: merged.computeTflops as number,
    fp8Tflops: merged.fp8Tflops ?? 0,
    memorySizeGb: merged.memorySizeGb as number,
    memoryBytes: gpuMemoryBytes(input, preset, merged.memorySizeGb as number),
    memoryBandwidthGbs: merged.memoryBandwidthGbs as number,
    interconnectBandwidthGbs: merged.interconnectBandwidthGbs ?? 31.5,
    hostBandwidthGbs: merged.hostBandwidthGbs ?? 25,
    pricePerHour: merged.pricePerHour ?? 0,
    architecture,
    memoryType,
  };
}

/**
 * The driver-reported memory of a GPU: as given; else the preset's, unless memorySizeGb was changed
 * (a custom size); else memorySizeGb GiB (HBM datasheets count binary gigabytes).
 */
function gpuMemoryBytes(input: Input, preset: ResolvedGPUSpec | undefined, memorySizeGb: number): number {
  const given = input.memoryBytes as number | undefined;
  if (given !== undefined) return given;
  if (
    preset !== undefined &&
    (input.memorySizeGb === undefined || input.memorySizeGb === preset.memorySizeGb)
  )
    return preset.memoryBytes;
  return memorySizeGb * 2 ** 30;
}

/**
 * `fixedInputLength`: every prompt's length when lengths are fixed (the default budget then covers
 * it), else 0. The engine profile sets the batching defaults: TensorRT-LLM's in-flight batching puts
 * context and generation requests in the same iteration (mixed batches up to max_num_tokens =
 * 8192), which is chunked prefill with a chunk as large as the budget; the others default to vLLM
 * v0's prefill-first iterations.
 */
function resolveScheduler(
  input: Input,
  model: ResolvedModelSpec | undefined,
  fixedInputLength: number,
  engineProfile: EngineProfileName,
): ResolvedSchedulerSpec {
  const batchingType =
    (input.batchingType as ResolvedSchedulerSpec['batchingType'] | undefined) ?? 'continuous';
  const mixedBatches = engineProfile === 'trtllm';
  // vLLM V1 and SGLang chunk prompts into a 2048-token budget shared with decodes, decodes first.
  const v1Scheduling = engineProfile === 'vllm' || engineProfile === 'sglang';
  const chunkedPrefill = (input.chunkedPrefill as boolean | undefined) ?? (mixedBatches || v1Scheduling);
  const maxNumBatchedTokens =
    (input.maxNumBatchedTokens as number | undefined) ??
    (mixedBatches
      ? Math.max(8192, fixedInputLength)
      : chunkedPrefill
        ? 2048
        : Math.max(2048, Math.min(model?.maxContextLength ?? 2048, 8192), fixedInputLength));
  return {
    batchingType,
    maxBatchSize: (input.maxBatchSize as number | undefined) ?? 256,
    tokenLevelScheduling: (input.tokenLevelScheduling as boolean | undefined) ?? true,
    maxNumBatchedTokens,
    chunkedPrefill,
    prefillChunkSize: Math.min(
      (input.prefillChunkSize as number | undefined) ?? maxNumBatchedTokens,
      maxNumBatchedTokens,
    ),
    kvBlockSize: (input.kvBlockSize as number | undefined) ?? 16,
    gpuMemoryUtilization: (input.gpuMemoryUtilization as number | undefined) ?? 0.9,
    preemptionMode:
      (input.preemptionMode as ResolvedSchedulerSpec['preemptionMode'] | undefined) ?? 'recompute',
    batchWaitTimeoutS: (input.batchWaitTimeoutS as number | undefined) ?? (batchingType === 'static' ? 1 : 0),
    queueOrder: (input.queueOrder as ResolvedSchedulerSpec['queueOrder'] | undefined) ?? 'fcfs',
    enablePrefixCaching:
      (input.enablePrefixCaching as boolean | undefined) ?? (v1Scheduling && batchingType === 'continuous'),
  };
}

/** Fills a length distribution's default parameters. */
export function resolveLengthDistribution(
  input: LengthDistributionInput | undefined,
  traceFile?: string,
): LengthDistribution {
  const value = typeof input === 'string' ? { type: input } : (input ?? { type: 'fixed' as const });
  switch (value.type) {
    case 'fixed':
      return { type: 'fixed' };
    case 'uniform':
      return { type: 'uniform', spread: ('spread' in value ? value.spread : undefined) ?? 0.5 };
    case 'normal':
      return { type: 'normal', cv: ('cv' in value ? value.cv : undefined) ?? 0.3 };
    case 'lognormal':
      return { type: 'lognormal', cv: ('cv' in value ? value.cv : undefined) ?? 1 };
    case 'zipf':
      return { type: 'zipf', exponent: ('exponent' in value ? value.exponent : undefined) ?? 1.2 };
    case 'empirical':
      return { type: 'empirical', file: ('file' in value ? value.file : undefined) ?? traceFile ?? '' };
  }
}

function resolveWorkload(
  input: Input,
  scheduler: ResolvedSchedulerSpec,
  issues: ConfigIssue[],
): ResolvedWorkloadSpec {
  const traceFile = input.traceFile as string | undefined;
  const explicitArrival = input.arrivalProcess as ResolvedWorkloadSpec['arrivalProcess'] | undefined;
  const lengthInput = input.lengthDistribution as LengthDistributionInput | undefined;
  const reader = getFileReader();
  const traceReadable = traceFile !== undefined && reader?.exists(traceFile) === true;
  const traceTimes = traceReadable && traceHasArrivalTimes(traceFile);
  // A trace is always used: its times drive arrivals when it has them and no other process is
  // chosen; otherwise its (input, output) pairs are the length distribution.
  const arrivalProcess = explicitArrival ?? (traceTimes ? 'trace' : 'poisson');
  const lengthDistribution = resolveLengthDistribution(
    lengthInput ?? (traceFile !== undefined && arrivalProcess !== 'trace' ? 'empirical' : undefined),
    traceFile,
  );
  if (
    traceFile !== undefined &&
    arrivalProcess !== 'trace' &&
    !(lengthDistribution.type === 'empirical' && lengthDistribution.file === traceFile)
  ) {
    issues.push({
      code: 'trace_unused',
      path: 'workloadSpec.traceFile',
      message: `is not used: arrivalProcess "${arrivalProcess}" sets the arrival times and lengthDistribution "${lengthDistribution.type}" the lengths. Remove traceFile, set arrivalProcess: "trace" to replay it, or lengthDistribution: "empirical" to draw lengths from it.`,
    });
  }
  if (
    arrivalProcess === 'trace' &&
    lengthInput !== undefined &&
    !(lengthDistribution.type === 'empirical' && lengthDistribution.file === traceFile)
  ) {
    issues.push({
      code: 'trace_unused',
      path: 'workloadSpec.lengthDistribution',
      message: `is not used: a trace replay takes each request's lengths from the trace. Remove lengthDistribution, or choose an arrivalProcess (e.g. "poisson" with an arrivalRate) to generate arrivals with these lengths.`,
    });
  }
  if (arrivalProcess === 'trace' && traceReadable && !traceTimes) {
    issues.push({
      code: 'trace_malformed',
      path: 'workloadSpec.arrivalProcess',
      message: `"trace" needs arrival times, and ${traceFile} has no arrival-time column (${TRACE_COLUMNS.arrivalTime.join('/')}). Leave arrivalProcess out (or set "poisson" with an arrivalRate) to replay its lengths with generated arrivals.`,
    });
  }
  if (arrivalProcess === 'trace' && traceFile === undefined) {
    issues.push({
      code: 'trace_missing',
      path: 'workloadSpec.traceFile',
      message:
        'arrivalProcess "trace" needs a traceFile (CSV with arrival time, input tokens, output tokens).',
    });
  }
  if (lengthDistribution.type === 'empirical' && lengthDistribution.file === '') {
    issues.push({
      code: 'trace_missing',
      path: 'workloadSpec.lengthDistribution.file',
      message:
        'an empirical length distribution needs a file (or the workload traceFile) with input and output token columns.',
    });
  }
  for (const [path, file] of [
    ['workloadSpec.traceFile', traceFile],
    [
      'workloadSpec.lengthDistribution.file',
      lengthDistribution.type === 'empirical' && lengthDistribution.file !== traceFile
        ? lengthDistribution.file
        : undefined,
    ],
  ] as const) {
    if (file === undefined || file === '') continue;
    if (reader === undefined) issues.push(noFileAccessIssue(file, path));
    else if (!reader.exists(file)) {
      issues.push({
        code: 'trace_missing',
        path,
        message: `file "${file}" does not exist. Check the path (relative paths are resolved from the config file's folder, or the working directory for API calls).`,
      });
    }
  }
  const workload: ResolvedWorkloadSpec = {
    avgInputLength: (input.avgInputLength as number | undefined) ?? 512,
    avgOutputLength: (input.avgOutputLength as number | undefined) ?? 128,
    arrivalRate: (input.arrivalRate as number | undefined) ?? 2,
    arrivalProcess,
    burstinessCv: (input.burstinessCv as number | undefined) ?? 2,
    concurrency: (input.concurrency as number | undefined) ?? 8,
    thinkTimeS: (input.thinkTimeS as number | undefined) ?? 0,
    batchSize: (input.batchSize as number | undefined) ?? scheduler.maxBatchSize,
    lengthDistribution,
    traceTimeScale: (input.traceTimeScale as number | undefined) ?? 1,
    ...(input.numRequests === undefined ? {} : { numRequests: input.numRequests as number }),
    ...(traceFile === undefined ? {} : { traceFile }),
    ...(input.requestTimeoutS === undefined ? {} : { requestTimeoutS: input.requestTimeoutS as number }),
    abortOnTimeout: (input.abortOnTimeout as boolean | undefined) ?? true,
    ...(input.prefixSharing === undefined
      ? {}
      : { prefixSharing: input.prefixSharing as NonNullable<ResolvedWorkloadSpec['prefixSharing']> }),
    ...(input.stages === undefined
      ? {}
      : { stages: input.stages as NonNullable<ResolvedWorkloadSpec['stages']> }),
  };
  if (workload.stages !== undefined) {
    if (input.arrivalRate !== undefined)
      issues.push({
        code: 'invalid_value',
        path: 'workloadSpec.arrivalRate',
        message:
          'is not used: with stages, each stage sets its own rate. Remove arrivalRate, or remove stages for one constant rate.',
      });
    if (arrivalProcess !== 'poisson' && arrivalProcess !== 'deterministic')
      issues.push({
        code: 'invalid_value',
        path: 'workloadSpec.arrivalProcess',
        message: `"${arrivalProcess}" cannot run in stages: stages are constant-rate. Use arrivalProcess "poisson" or "deterministic" (evenly spaced, as inference-perf's constant load), or remove stages.`,
      });
  }
  if (workload.requestTimeoutS !== undefined && scheduler.batchingType !== 'continuous')
    issues.push({
      code: 'invalid_value',
      path: 'workloadSpec.requestTimeoutS',
      message: `needs continuous batching: with batchingType "${scheduler.batchingType}" a batch runs to completion, so a request cannot be aborted mid-batch. Remove requestTimeoutS, or set schedulerSpec.batchingType: "continuous".`,
    });
  return workload;
}

function divisorsUpTo(value: number, limit: number): number[] {
  const result: number[] = [];
  for (let d = 1; d <= Math.min(value, limit); d++) if (value % d === 0) result.push(d);
  return result;
}

function checkParallelism(
  model: ResolvedModelSpec,
  cluster: ResolvedClusterSpec,
  parallel: ResolvedParallelismSpec,
  issues: ConfigIssue[],
): void {
  const tp = parallel.tensorParallelSize;
  const kvOk = model.nKvHeads % tp === 0 || tp % model.nKvHeads === 0;
  if (model.nHeads % tp !== 0 || !kvOk) {
    const valid = divisorsUpTo(model.nHeads, 64).filter(
      (d) => model.nKvHeads % d === 0 || d % model.nKvHeads === 0,
    );
    issues.push({
      code: 'tp_heads',
      path: 'parallelismSpec.tensorParallelSize',
      message: `${tp} does not split ${model.name}'s ${model.nHeads} attention heads / ${model.nKvHeads} KV heads evenly. Use one of ${valid.join(', ')}.`,
    });
  }
  const pp = parallel.pipelineParallelSize;
  if (model.nLayers % pp !== 0) {
    issues.push({
      code: 'pp_layers',
      path: 'parallelismSpec.pipelineParallelSize',
      message: `${pp} does not divide ${model.name}'s ${model.nLayers} layers. Use one of ${divisorsUpTo(model.nLayers, 64).join(', ')}.`,
    });
  }
  const needed = tp * pp * parallel.dataParallelSize;
  const available = cluster.nGpusPerNode * cluster.nNodes;
  if (needed !== available) {
    issues.push({
      code: 'gpu_count',
      path: 'parallelismSpec',
      message: `TP ${tp} × PP ${pp} × DP ${parallel.dataParallelSize} = ${needed} GPUs, but the cluster has ${cluster.nGpusPerNode} × ${cluster.nNodes} = ${available}. Set clusterSpec.nGpusPerNode (or nNodes) so that they match.`,
    });
  }
}

function checkWorkloadAgainstModel(
  model: ResolvedModelSpec,
  workload: ResolvedWorkloadSpec,
  scheduler: ResolvedSchedulerSpec,
  issues: ConfigIssue[],
): void {
  const sharing = workload.prefixSharing;
  if (sharing !== undefined && sharing.prefixLength >= model.maxContextLength) {
    issues.push({
      code: 'out_of_range',
      path: 'workloadSpec.prefixSharing.prefixLength',
      message: `${sharing.prefixLength} tokens leave no room for the rest of the prompt in ${model.name}'s context of ${model.maxContextLength} tokens. Use a shorter shared prefix.`,
    });
  }
  if (scheduler.enablePrefixCaching && scheduler.batchingType !== 'continuous') {
    issues.push({
      code: 'invalid_value',
      path: 'schedulerSpec.enablePrefixCaching',
      message: `prefix caching needs continuous batching (paged KV blocks that outlive a request); batchingType is "${scheduler.batchingType}". Set enablePrefixCaching: false or batchingType: "continuous".`,
    });
  }
  if (workload.avgInputLength > model.maxContextLength) {
    issues.push({
      code: 'input_too_long',
      path: 'workloadSpec.avgInputLength',
      message: `${workload.avgInputLength} input tokens exceed ${model.name}'s context of ${model.maxContextLength} tokens. Shorten the input or raise modelSpec.maxContextLength.`,
    });
  }
  if (
    !scheduler.chunkedPrefill &&
    scheduler.batchingType === 'continuous' &&
    workload.lengthDistribution.type === 'fixed' &&
    workload.avgInputLength > scheduler.maxNumBatchedTokens
  ) {
    issues.push({
      code: 'out_of_range',
      path: 'schedulerSpec.maxNumBatchedTokens',
      message: `${scheduler.maxNumBatchedTokens} is smaller than the ${workload.avgInputLength}-token prompts and chunked prefill is off, so no prompt could ever be scheduled. Raise it or set chunkedPrefill: true.`,
    });
  }
}

function stripUndefined(input: Input): Input {
  return Object.fromEntries(Object.entries(input).filter(([, value]) => value !== undefined));
}

/** Non-fatal observations about a resolved config (shown to the user as warnings). */
export function configWarnings(config: ResolvedConfig): string[] {
  const warnings: string[] = [];
  const { modelSpec: model, workloadSpec: workload } = config;
  if (
    workload.lengthDistribution.type === 'fixed' &&
    workload.avgInputLength + workload.avgOutputLength > model.maxContextLength
  ) {
    warnings.push(
      `${workload.avgInputLength} input + ${workload.avgOutputLength} output tokens exceed ${model.name}'s context of ${model.maxContextLength}; simulated anyway (a real server would reject or truncate these requests).`,
    );
  }
  const derived = deriveParamCount(model);
  if (Math.abs(model.nParams - derived) > 0.1 * derived) {
    warnings.push(
      `nParams ${(model.nParams / 1e9).toFixed(2)}B disagrees with ${model.name}'s geometry (${(derived / 1e9).toFixed(2)}B from hiddenSize, nLayers, heads, ffnDim, vocabSize): memory and bytes read use nParams, kernel times the geometry, so utilization figures mix the two. Fix nParams or the geometry.`,
    );
  }
  return warnings;
}
