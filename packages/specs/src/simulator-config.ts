import type { ClusterSpec, ResolvedClusterSpec } from './cluster-spec';
import type { DisaggregationInput, ResolvedDisaggregation } from './disaggregation';
import type { ModelSpec, ResolvedModelSpec } from './model-spec';
import { BUILT_IN_ENGINE_PROFILES } from './name-registry';
import type { ParallelismSpec, ResolvedParallelismSpec } from './parallelism-spec';
import type { ResolvedSchedulerSpec, SchedulerSpec } from './scheduler-spec';
import type { ResolvedSpeculativeSpec, SpeculativeSpecInput } from './speculative-spec';
import type { ResolvedWorkloadSpec, WorkloadSpec } from './workload-spec';

/**
 * Named serving-engine profiles: per-iteration CPU overhead, kernel-efficiency factors and
 * scheduling defaults of a real engine (see @sim/perf-model). `vllm` is vLLM's V1 engine (chunked
 * prefill, prefix caching, CUDA graphs, CPU work overlapped with the GPU); `vllm-v0` the 2023-era
 * engine (prefill-first iterations, eager kernels, unoverlapped CPU). `ideal` has no CPU overhead.
 */
export type BuiltInEngineProfileName = (typeof BUILT_IN_ENGINE_PROFILES)[number];

/**
 * An engine profile's name: a built-in one ({@link BuiltInEngineProfileName}) or one registered with
 * @sim/perf-model's `registerEngineProfile`.
 */
export type EngineProfileName = BuiltInEngineProfileName | (string & {});

/** Every built-in engine profile name (registered ones: `registeredNames('engineProfile')`). */
export const ENGINE_PROFILE_NAMES: readonly BuiltInEngineProfileName[] = BUILT_IN_ENGINE_PROFILES;

/**
 * The engine-profile fields `llm-sim calibrate` fits and a calibration file may set (see
 * @sim/perf-model's EngineProfile): compute and memory efficiency multipliers, CPU overhead per
 * iteration (fixed and per sequence, microseconds), the all-reduce latency multiplier, and the
 * hand-off delay of a new request to the engine, in iterations (≥ 0; vLLM V1's API server →
 * engine core).
 */
export const CALIBRATED_PARAMETERS = [
  'computeEfficiencyScale',
  'memoryEfficiencyScale',
  'cpuOverheadBaseUs',
  'cpuOverheadPerSequenceUs',
  'collectiveLatencyScale',
  'admissionDelayIterations',
] as const;

/** One of {@link CALIBRATED_PARAMETERS}. */
export type CalibratedParameter = (typeof CALIBRATED_PARAMETERS)[number];

/**
 * A calibration file (PROFILE.json) as `llm-sim calibrate` writes it and `calibrationFile` reads
 * it: an engine profile fitted to a user's own measurements on one GPU. Runs use
 * `{ ...engineProfileNamed(baseProfile), ...parameters }` as their engine profile.
 */
export interface CalibrationProfileFile {
  /** Format marker and version: always 1. */
  readonly llmSimCalibration: 1;
  /** The named engine profile the fit started from; its other fields (and batching defaults) are kept. */
  readonly baseProfile: EngineProfileName;
  /** The GPU the measurements were taken on (preset name when it is one). */
  readonly gpu: string;
  /** What the fit saw: the measurement file, how many requests, the model and its tensor-parallel degree. */
  readonly fittedOn: {
    readonly file: string;
    readonly requests: number;
    readonly model: string;
    readonly tp: number;
  };
  /** The fitted engine-profile fields (positive numbers). */
  readonly parameters: Readonly<Partial<Record<CalibratedParameter, number>>>;
  /** Errors before (base profile) and after the fit; informational, not read by the simulator. */
  readonly fit?: unknown;
}

/** Latency targets used to compute goodput. A request meets the SLO when it meets every target given. */
export interface SloSpec {
  /** Time-to-first-token target, in seconds. */
  readonly ttftS?: number;
  /** Time-per-output-token target, in seconds. */
  readonly tpotS?: number;
}

/** A complete, validated configuration: what the simulator runs. Produced by `resolveConfig`. */
export interface ResolvedConfig {
  readonly modelSpec: ResolvedModelSpec;
  readonly workloadSpec: ResolvedWorkloadSpec;
  readonly clusterSpec: ResolvedClusterSpec;
  readonly parallelismSpec: ResolvedParallelismSpec;
  readonly schedulerSpec: ResolvedSchedulerSpec;
  /** Arrivals stop at this simulated time, in seconds; Infinity when numRequests or a replayed trace bounds the run. Default 60. */
  readonly simulationDurationS: number;
  /**
   * Warm-up, in simulated seconds: requests arriving before it are left out of the per-request
   * statistics (latency distributions, SLO attainment, goodput), as benchmark tools discard their
   * warm-up requests. They are still served and still count in throughput and utilization. Default 0.
   */
  readonly warmupS: number;
  /** Seed of every random stream. Default 42. */
  readonly seed: number;
  /** After arrivals stop, keep running until every admitted request finishes. Default false (stop at the duration). */
  readonly drain: boolean;
  /**
   * Serving-engine profile: CPU overheads and kernel efficiencies (see @sim/perf-model), and the
   * batching defaults (`vllm`, `sglang`: chunked prefill with a 2048-token budget, decodes first,
   * prefix caching on; `trtllm`: mixed context + generation iterations, i.e. chunkedPrefill with an
   * 8192-token budget; `vllm-v0`, `gpt-fast`, `ideal`: vLLM v0 prefill-first). Default `vllm`.
   */
  readonly engineProfile: EngineProfileName;
  /** Latency targets for goodput. Default none. */
  readonly slo: SloSpec;
  /**
   * A calibration file written by `llm-sim calibrate` (see {@link CalibrationProfileFile}): the
   * run's engine profile is the file's base profile with its fitted parameters. Absent when the
   * config names none. A path as given (`loadConfigFile` of `@sim/engine/node` makes it relative
   * to the config file).
   */
  readonly calibrationFile?: string;
  /** Disaggregated prefill and decode pools (see {@link ResolvedDisaggregation}); absent: every replica does both. */
  readonly disaggregation?: ResolvedDisaggregation;
  /** Speculative decoding (see {@link ResolvedSpeculativeSpec}); absent: one token per decode step. */
  readonly speculativeSpec?: ResolvedSpeculativeSpec;
}

/**
 * A configuration as the user writes it (the quick-start's `SimulatorConfig`). Every section is
 * optional and defaults to the quick-start's basic example: llama-7b on one A100-80GB, 512 input /
 * 128 output tokens, 2 requests/s Poisson, 60 simulated seconds. Snake_case keys are accepted by
 * `resolveConfig` and `loadConfigFile` (`@sim/engine/node`) too.
 */
export interface SimulatorConfig {
  modelSpec?: ModelSpec;
  workloadSpec?: WorkloadSpec;
  clusterSpec?: ClusterSpec;
  parallelismSpec?: ParallelismSpec;
  schedulerSpec?: SchedulerSpec;
  /** Simulated time during which requests arrive, in seconds. Default 60 (Infinity when numRequests is set or a trace is replayed, so the whole trace plays). */
  simulationDurationS?: number;
  /** Requests arriving before this many simulated seconds are left out of latency statistics. Default 0. */
  warmupS?: number;
  /** Seed of every random stream. Default 42. */
  seed?: number;
  /** Finish in-flight requests after arrivals stop. Default false. */
  drain?: boolean;
  /** Serving-engine profile (overheads, kernel efficiencies, batching defaults). Default `vllm`. */
  engineProfile?: EngineProfileName;
  /** Latency targets for goodput. */
  slo?: SloSpec;
  /**
   * Engine profile fitted to your own measurements by `llm-sim calibrate` (a PROFILE.json path;
   * relative paths in a config file are relative to that file). engineProfile defaults to the
   * file's base profile, and must equal it when given.
   */
  calibrationFile?: string;
  /**
   * Disaggregated prefill and decode: `{ prefill: { replicas, tensorParallelSize, gpuSpec?,
   * schedulerSpec? }, decode: { ... }, kvTransferBandwidthGbs?, kvTransfer? }`. Default none.
   */
  disaggregation?: DisaggregationInput;
  /**
   * Speculative decoding: `{ method: 'draft-model' | 'eagle' | 'mtp' | 'ngram',
   * numSpeculativeTokens, acceptanceRate (one number or one per position), draftModelSpec? }`.
   * Default none.
   */
  speculativeSpec?: SpeculativeSpecInput;
}
