import { readCalibrationFile } from './calibration-profile';
import { camelizeKeys } from './case-keys';
import { checkParallelism, checkWorkloadAgainstModel } from './config-checks';
import {
  CLUSTER_DEFAULTS,
  CONFIG_DEFAULTS,
  DEFAULT_GPU,
  DEFAULT_MODEL,
  PARALLELISM_DEFAULTS,
  ROUTER_DEFAULTS,
  WORKLOAD_DEFAULTS,
} from './config-defaults';
import { type ParsedConfig, simulatorConfigSchema } from './config-schema';
import { ConfigError, type ConfigIssue } from './errors';
import type { ResolvedParallelismSpec, RouterPolicy, RouterWeights } from './parallelism-spec';
import { resolveDisaggregation } from './resolve-disaggregation';
import { resolveGpu } from './resolve-gpu';
import { resolveModel } from './resolve-model';
import { resolveScheduler } from './resolve-scheduler';
import { resolveSpeculative } from './resolve-speculative';
import { resolveWorkload } from './resolve-workload';
import type { CalibrationProfileFile, ResolvedConfig, SimulatorConfig, SloSpec } from './simulator-config';
import { toConfigIssues } from './zod-issues';

export { DEFAULT_GPU, DEFAULT_MODEL } from './config-defaults';
export { configWarnings } from './config-warnings';
export { resolveLengthDistribution } from './resolve-workload';

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
  const camel = camelizeKeys(input);
  const parsed = simulatorConfigSchema.safeParse(camel);
  if (!parsed.success) throw new ConfigError(toConfigIssues(parsed.error, camel, simulatorConfigSchema));
  const config = parsed.data;
  const issues: ConfigIssue[] = [];

  const modelSpec = resolveModel(config.modelSpec ?? { name: DEFAULT_MODEL }, issues);
  const clusterInput = config.clusterSpec ?? {};
  const gpuSpec = resolveGpu(clusterInput.gpuSpec ?? { name: DEFAULT_GPU }, issues);
  const nGpusPerNode = clusterInput.nGpusPerNode ?? CLUSTER_DEFAULTS.nGpusPerNode;
  const nNodes = clusterInput.nNodes ?? CLUSTER_DEFAULTS.nNodes;
  const parallelismSpec = resolveParallelism(config.parallelismSpec ?? {}, issues);
  const speculativeSpec =
    config.speculativeSpec === undefined
      ? undefined
      : resolveSpeculative(config.speculativeSpec, modelSpec, issues);
  const workloadInput = config.workloadSpec ?? {};
  const lengths = workloadInput.lengthDistribution;
  const fixedLengths =
    lengths === undefined || lengths === 'fixed' || (typeof lengths === 'object' && lengths.type === 'fixed');
  const fixedInputLength = fixedLengths
    ? (workloadInput.avgInputLength ?? WORKLOAD_DEFAULTS.avgInputLength)
    : 0;
  const calibrationFile = config.calibrationFile;
  const calibration = calibrationFile === undefined ? undefined : checkCalibration(calibrationFile, issues);
  const namedProfile = config.engineProfile;
  if (calibration !== undefined && namedProfile !== undefined && namedProfile !== calibration.baseProfile)
    issues.push({
      code: 'invalid_value',
      path: 'engineProfile',
      message: `"${namedProfile}" is not the base profile of calibrationFile ${calibrationFile}, which was fitted from "${calibration.baseProfile}". Remove engineProfile (it defaults to the calibration's base profile), or calibrate again from "${namedProfile}".`,
    });
  const engineProfile = namedProfile ?? calibration?.baseProfile ?? CONFIG_DEFAULTS.engineProfile;
  const schedulerInput = config.schedulerSpec ?? {};
  const { batchSize } = workloadInput;
  if (
    batchSize !== undefined &&
    schedulerInput.staticBatchSize !== undefined &&
    batchSize !== schedulerInput.staticBatchSize
  )
    issues.push({
      code: 'invalid_value',
      path: 'workloadSpec.batchSize',
      message: `${batchSize} disagrees with schedulerSpec.staticBatchSize ${schedulerInput.staticBatchSize}; they are the same setting (static batching's requests per batch): keep schedulerSpec.staticBatchSize only.`,
    });
  const schedulerSpec = resolveScheduler(
    schedulerInput,
    modelSpec,
    fixedInputLength,
    engineProfile,
    issues,
    batchSize,
  );
  const workloadSpec = resolveWorkload(workloadInput, schedulerSpec, issues);

  const interNodeBandwidthGbs = clusterInput.interNodeBandwidthGbs ?? CLUSTER_DEFAULTS.interNodeBandwidthGbs;
  const disaggregation =
    config.disaggregation === undefined
      ? undefined
      : resolveDisaggregation(
          config.disaggregation,
          {
            model: modelSpec,
            gpu: gpuSpec,
            cluster: { nGpusPerNode, nNodes, interNodeBandwidthGbs },
            parallelism: parallelismSpec,
            schedulerInput,
            fixedInputLength,
            engineProfile,
            batchSize,
          },
          issues,
        );
  if (disaggregation !== undefined && workloadSpec.requestTimeoutS !== undefined)
    issues.push({
      code: 'invalid_value',
      path: 'workloadSpec.requestTimeoutS',
      message:
        'client timeouts are not modelled with disaggregation yet (a request moves between instances mid-flight). Remove requestTimeoutS, or disaggregation.',
    });
  if (modelSpec !== undefined) {
    // With disaggregation each pool's parallelism is checked with the pool.
    if (config.disaggregation === undefined)
      checkParallelism(modelSpec, { nGpusPerNode, nNodes }, parallelismSpec, issues);
    checkWorkloadAgainstModel(modelSpec, workloadSpec, schedulerSpec, issues);
  }
  const numRequests = workloadSpec.numRequests;
  // A replayed trace or a request count bounds the arrivals; otherwise 60 s (the quick-start's).
  const stagesTotalS = workloadSpec.stages?.reduce((sum, stage) => sum + stage.durationS, 0);
  const simulationDurationS =
    config.simulationDurationS ??
    stagesTotalS ??
    (numRequests === undefined && workloadSpec.arrivalProcess !== 'trace'
      ? CONFIG_DEFAULTS.simulationDurationS
      : Number.POSITIVE_INFINITY);
  const warmupS = config.warmupS ?? CONFIG_DEFAULTS.warmupS;
  if (warmupS > 0 && warmupS >= simulationDurationS) {
    issues.push({
      code: 'out_of_range',
      path: 'warmupS',
      message: `${warmupS} s leaves nothing to measure: arrivals stop at simulationDurationS ${simulationDurationS} s${config.simulationDurationS === undefined ? ' (the default)' : ''}. Use a warm-up shorter than the duration (e.g. ${(simulationDurationS / 10).toPrecision(3)} s) or a longer duration.`,
    });
  }
  if (issues.length > 0 || modelSpec === undefined || gpuSpec === undefined) throw new ConfigError(issues);

  return {
    modelSpec,
    workloadSpec,
    clusterSpec: {
      nGpusPerNode,
      nNodes,
      gpuSpec,
      interNodeBandwidthGbs,
    },
    parallelismSpec,
    schedulerSpec,
    simulationDurationS,
    warmupS,
    seed: config.seed ?? CONFIG_DEFAULTS.seed,
    drain: config.drain ?? CONFIG_DEFAULTS.drain,
    engineProfile,
    slo: resolveSlo(config.slo),
    ...(calibrationFile === undefined ? {} : { calibrationFile }),
    ...(disaggregation === undefined ? {} : { disaggregation }),
    ...(speculativeSpec === undefined ? {} : { speculativeSpec }),
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

function resolveParallelism(
  input: NonNullable<ParsedConfig['parallelismSpec']>,
  issues: ConfigIssue[],
): ResolvedParallelismSpec {
  const router = input.router;
  const spec = typeof router === 'object' ? router : undefined;
  const name: RouterPolicy =
    typeof router === 'string' ? router : (spec?.type ?? PARALLELISM_DEFAULTS.router);
  if (spec?.weights !== undefined && name !== 'scored')
    issues.push({
      code: 'invalid_value',
      path: 'parallelismSpec.router.weights',
      message: `weights apply to the "scored" router only; router "${name}" has none. Set type: "scored", or remove weights.`,
    });
  const given = spec?.weights;
  const weights: RouterWeights = {
    prefix: given?.prefix ?? ROUTER_DEFAULTS.weights.prefix,
    load: given?.load ?? ROUTER_DEFAULTS.weights.load,
    kv: given?.kv ?? ROUTER_DEFAULTS.weights.kv,
  };
  if (name === 'scored' && weights.prefix + weights.load + weights.kv === 0)
    issues.push({
      code: 'out_of_range',
      path: 'parallelismSpec.router.weights',
      message: 'are all 0, so every replica scores the same. Give at least one weight a positive value.',
    });
  return {
    tensorParallelSize: input.tensorParallelSize ?? PARALLELISM_DEFAULTS.tensorParallelSize,
    pipelineParallelSize: input.pipelineParallelSize ?? PARALLELISM_DEFAULTS.pipelineParallelSize,
    dataParallelSize: input.dataParallelSize ?? PARALLELISM_DEFAULTS.dataParallelSize,
    router: name,
    routerOptions: { weights, stalenessS: spec?.stalenessS ?? ROUTER_DEFAULTS.stalenessS },
    expertParallel: input.expertParallel ?? PARALLELISM_DEFAULTS.expertParallel,
    expertParallelSize:
      input.expertParallelSize ??
      (input.dataParallelSize ?? PARALLELISM_DEFAULTS.dataParallelSize) *
        (input.tensorParallelSize ?? PARALLELISM_DEFAULTS.tensorParallelSize),
    expertImbalance: input.expertImbalance ?? PARALLELISM_DEFAULTS.expertImbalance,
  };
}

/** The parsed latency targets without the ones left undefined (none: no targets). */
function resolveSlo(input: ParsedConfig['slo']): SloSpec {
  const ttftS = input?.ttftS;
  const tpotS = input?.tpotS;
  return { ...(ttftS === undefined ? {} : { ttftS }), ...(tpotS === undefined ? {} : { tpotS }) };
}
