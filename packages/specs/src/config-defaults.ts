import type { ResolvedClusterSpec } from './cluster-spec';
import type { ResolvedGPUSpec } from './gpu-spec';
import type { ResolvedModelSpec } from './model-spec';
import type { ResolvedParallelismSpec, ResolvedRouterOptions } from './parallelism-spec';
import type { ResolvedSchedulerSpec } from './scheduler-spec';
import type { ResolvedConfig } from './simulator-config';
import type { LengthDistribution, ResolvedWorkloadSpec } from './workload-spec';

/*
 * The defaults of every config field that has a constant one, in one place: `resolveConfig` fills
 * them from here and the zod schemas' descriptions (hence the shipped JSON Schema) quote them from
 * here. Defaults that depend on other fields (headDim, kvCacheDtype, the batching budget and
 * chunking per engine profile, staticBatchSize, arrivalProcess with a trace, the duration) are computed in
 * the resolve-*.ts files, next to their rule.
 */

/** Default GPU when the config names none: the quick-start's A100-80GB. */
export const DEFAULT_GPU = 'A100-80GB';
/** Default model when the config names none: the quick-start's llama-7b. */
export const DEFAULT_MODEL = 'llama-7b';

/** Model fields a custom model (or a preset without them) gets. */
export const MODEL_DEFAULTS = {
  vocabSize: 32000,
  gatedMlp: true,
  tieWordEmbeddings: false,
  weightDtype: 'bf16',
  maxContextLength: 4096,
  numExperts: 1,
  expertsPerToken: 1,
  numSharedExperts: 0,
  nDenseLayers: 0,
  kvLoraRank: 0,
  qLoraRank: 0,
  qkRopeHeadDim: 0,
  slidingWindow: 0,
  chunkedAttention: false,
  attentionSinks: false,
} as const satisfies Partial<ResolvedModelSpec>;

/** GPU fields a custom GPU gets. */
export const GPU_DEFAULTS = {
  fp8Tflops: 0,
  interconnectBandwidthGbs: 31.5,
  hostBandwidthGbs: 25,
  pricePerHour: 0,
} as const satisfies Partial<ResolvedGPUSpec>;

export const CLUSTER_DEFAULTS = {
  nGpusPerNode: 1,
  nNodes: 1,
  interNodeBandwidthGbs: 50,
} as const satisfies Partial<ResolvedClusterSpec>;

export const PARALLELISM_DEFAULTS = {
  tensorParallelSize: 1,
  pipelineParallelSize: 1,
  dataParallelSize: 1,
  router: 'round-robin',
  expertParallel: false,
  expertImbalance: 1,
} as const satisfies Omit<ResolvedParallelismSpec, 'routerOptions' | 'expertParallelSize'>;

/** The router's settings when not given: the `scored` weights are assumed (not fitted to measurements). */
export const ROUTER_DEFAULTS = {
  weights: { prefix: 3, load: 2, kv: 2 },
  stalenessS: 0,
} as const satisfies ResolvedRouterOptions;

export const SCHEDULER_DEFAULTS = {
  batchingType: 'continuous',
  maxBatchSize: 256,
  tokenLevelScheduling: true,
  kvBlockSize: 16,
  gpuMemoryUtilization: 0.9,
  preemptionMode: 'recompute',
  queueOrder: 'fcfs',
} as const satisfies Partial<ResolvedSchedulerSpec>;

export const WORKLOAD_DEFAULTS = {
  avgInputLength: 512,
  avgOutputLength: 128,
  arrivalRate: 2,
  arrivalProcess: 'poisson',
  burstinessCv: 2,
  concurrency: 8,
  thinkTimeS: 0,
  lengthDistribution: 'fixed',
  traceTimeScale: 1,
  traceHashBlockTokens: 512,
  abortOnTimeout: true,
} as const satisfies Partial<Omit<ResolvedWorkloadSpec, 'lengthDistribution'>> & {
  lengthDistribution: LengthDistribution['type'];
};

/** The parameters a length distribution named without them gets. */
export const LENGTH_DISTRIBUTION_DEFAULTS = {
  uniform: { type: 'uniform', spread: 0.5 },
  normal: { type: 'normal', cv: 0.3 },
  lognormal: { type: 'lognormal', cv: 1 },
  zipf: { type: 'zipf', exponent: 1.2 },
} as const satisfies Partial<Record<LengthDistribution['type'], LengthDistribution>>;

/** Top-level fields; simulationDurationS is this unless numRequests, stages or a replayed trace bound the run. */
export const CONFIG_DEFAULTS = {
  simulationDurationS: 60,
  warmupS: 0,
  seed: 42,
  drain: false,
  engineProfile: 'vllm',
} as const satisfies Partial<ResolvedConfig>;
