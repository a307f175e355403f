import { createPerfModel } from '@sim/perf-model';
import {
  findGpuPreset,
  GPU_PRESETS,
  type ResolvedConfig,
  resolveConfig,
  SimError,
  type SimulatorConfig,
} from '@sim/specs';
import type { Candidate, CandidateEvaluation, PlanRequest, PoolLayout, SchedulerChoice } from './plan-types';
import { poolConfig } from './serving-pool';

const DEFAULT_SCHEDULERS: readonly SchedulerChoice[] = [
  { name: 'continuous', chunkedPrefill: false },
  { name: 'chunked-512', chunkedPrefill: true, maxNumBatchedTokens: 512 },
  { name: 'chunked-2048', chunkedPrefill: true, maxNumBatchedTokens: 2048 },
];

/** The config of one candidate replica (or prefill/decode group) at an arrival rate. */
export function candidateConfig(request: PlanRequest, candidate: Candidate, rate: number): SimulatorConfig {
  // Runs are bounded by numRequests only (the default duration is then unbounded).
  const { simulationDurationS: _duration, disaggregation: _split, speculativeSpec, ...base } = request.base;
  const split = candidate.disaggregation;
  const groupReplicas = candidate.expertParallelReplicas;
  const pool = (layout: PoolLayout) => ({
    replicas: layout.replicas,
    tensorParallelSize: layout.tensorParallelSize,
    gpuSpec: { name: layout.gpu },
  });
  return {
    ...base,
    ...(speculativeSpec === undefined || candidate.speculative === false ? {} : { speculativeSpec }),
    ...(split === undefined
      ? {}
      : { disaggregation: { prefill: pool(split.prefill), decode: pool(split.decode) } }),
    clusterSpec: {
      ...base.clusterSpec,
      gpuSpec: { name: candidate.gpu },
      nGpusPerNode: candidate.gpusPerReplica,
      nNodes: 1,
    },
    parallelismSpec:
      split !== undefined
        ? { router: 'least-outstanding' }
        : groupReplicas !== undefined
          ? {
              tensorParallelSize: candidate.tensorParallelSize,
              pipelineParallelSize: 1,
              dataParallelSize: groupReplicas,
              expertParallel: true,
              router: 'least-outstanding',
            }
          : {
              tensorParallelSize: candidate.tensorParallelSize,
              pipelineParallelSize: candidate.pipelineParallelSize,
              dataParallelSize: 1,
            },
    schedulerSpec: {
      ...base.schedulerSpec,
      batchingType: 'continuous',
      maxBatchSize: candidate.maxBatchSize,
      chunkedPrefill: candidate.scheduler.chunkedPrefill,
      ...(candidate.scheduler.maxNumBatchedTokens === undefined
        ? {}
        : {
            maxNumBatchedTokens: candidate.scheduler.maxNumBatchedTokens,
            prefillChunkSize: candidate.scheduler.maxNumBatchedTokens,
          }),
    },
    workloadSpec: {
      ...base.workloadSpec,
      arrivalRate: rate,
      arrivalProcess: base.workloadSpec?.arrivalProcess === 'gamma' ? 'gamma' : 'poisson',
      numRequests: request.requestsPerRun ?? 400,
    },
    drain: true,
    slo: {
      ttftS: request.ttftP99S,
      ...(request.tpotP99S === undefined ? {} : { tpotS: request.tpotP99S }),
    },
  };
}

/** Reason given for a candidate whose weights (and activations) do not fit in its GPUs' memory. */
export const WEIGHTS_DO_NOT_FIT = 'weights do not fit';

/** Search defaults when the request does not name its own. */
const DEFAULT_TENSOR_SIZES = [1, 2, 4, 8];
const DEFAULT_PIPELINE_SIZES = [1, 2];
const DEFAULT_BATCH_CAPS = [64, 128, 256];

/** A candidate replica layout (its GPU count follows from TP × PP). */
function candidateOf(
  gpu: string,
  tensorParallelSize: number,
  pipelineParallelSize: number,
  maxBatchSize: number,
  scheduler: SchedulerChoice,
): Candidate {
  return {
    gpu,
    tensorParallelSize,
    pipelineParallelSize,
    maxBatchSize,
    scheduler,
    gpusPerReplica: tensorParallelSize * pipelineParallelSize,
  };
}

/**
 * Every candidate of the search space, and the ones pruned before simulating (weights that do not
 * fit, TP that does not divide the heads, more GPUs than allowed, unknown GPU), with the reason.
 * When no candidate holds the weights, `smallestFitting` is the deployment with the fewest GPUs
 * (then the lowest price) that would, looking beyond `maxGpus` and, if none of the requested GPUs
 * can, at every GPU preset; undefined when even that finds none.
 */
export function enumerateCandidates(request: PlanRequest): {
  candidates: Candidate[];
  pruned: { candidate: Candidate; reason: string }[];
  smallestFitting?: Candidate;
} {
  const candidates: Candidate[] = [];
  const pruned: { candidate: Candidate; reason: string }[] = [];
  /** Keeps `candidate`, or prunes it with its reason. */
  const consider = (candidate: Candidate) => {
    const reason = pruneReason(request, candidate);
    if (reason === undefined) candidates.push(candidate);
    else pruned.push({ candidate, reason });
  };
  // With the base config's speculative decoding, every layout is tried with it and without.
  const considerWithSpeculation = (layout: Candidate) => {
    if (request.base.speculativeSpec === undefined) consider(layout);
    else for (const speculative of [false, true]) consider({ ...layout, speculative });
  };
  for (const requested of request.gpus) {
    const gpu = findGpuPreset(requested)?.name ?? requested; // aliases (`H100`) become preset names
    for (const tensorParallelSize of request.tensorParallelSizes ?? DEFAULT_TENSOR_SIZES) {
      for (const pipelineParallelSize of request.pipelineParallelSizes ?? DEFAULT_PIPELINE_SIZES) {
        for (const maxBatchSize of request.maxBatchSizes ?? DEFAULT_BATCH_CAPS) {
          for (const scheduler of request.schedulers ?? DEFAULT_SCHEDULERS) {
            considerWithSpeculation(
              candidateOf(gpu, tensorParallelSize, pipelineParallelSize, maxBatchSize, scheduler),
            );
          }
        }
      }
    }
  }
  if (request.expertParallel === true)
    for (const group of expertParallelCandidates(request)) considerWithSpeculation(group);
  if (request.disaggregated === true)
    for (const candidate of disaggregatedCandidates(request)) consider(candidate);
  if (candidates.length > 0) return { candidates, pruned };
  const smallestFitting = smallestFittingDeployment(request);
  return smallestFitting === undefined ? { candidates, pruned } : { candidates, pruned, smallestFitting };
}

/**
 * What a multi-replica unit (an expert-parallel or disaggregated group) is tried with: the first
 * scheduler choice that chunks prefills (what such engines run), the largest batch cap, and the
 * requested GPUs by preset name; undefined without a scheduler choice.
 */
function groupSettings(
  request: PlanRequest,
): { scheduler: SchedulerChoice; maxBatchSize: number; gpus: string[] } | undefined {
  const schedulers = request.schedulers ?? DEFAULT_SCHEDULERS;
  const scheduler = schedulers.find((choice) => choice.chunkedPrefill) ?? schedulers[0];
  if (scheduler === undefined) return undefined;
  return {
    scheduler,
    maxBatchSize: Math.max(...(request.maxBatchSizes ?? DEFAULT_BATCH_CAPS)),
    gpus: [...new Set(request.gpus.map((requested) => findGpuPreset(requested)?.name ?? requested))],
  };
}

/**
 * Expert-parallel groups for an MoE model: every GPU and TP with each count of replicas per group
 * whose GPUs split the experts evenly, with the largest batch cap and the first scheduler choice
 * that chunks prefills. None for a dense model (or a base config whose model does not resolve).
 */
function expertParallelCandidates(request: PlanRequest): Candidate[] {
  let experts: number;
  try {
    experts = resolveConfig({ modelSpec: request.base.modelSpec ?? { name: 'llama-7b' } }).modelSpec
      .numExperts;
  } catch {
    return [];
  }
  if (experts <= 1) return [];
  const settings = groupSettings(request);
  if (settings === undefined) return [];
  const { scheduler, maxBatchSize, gpus } = settings;
  const candidates: Candidate[] = [];
  for (const gpu of gpus)
    for (const tensorParallelSize of request.tensorParallelSizes ?? DEFAULT_TENSOR_SIZES)
      for (const replicas of request.expertParallelReplicas ?? DEFAULT_EXPERT_PARALLEL_REPLICAS) {
        const group = replicas * tensorParallelSize;
        if (experts % group !== 0) continue;
        candidates.push({
          ...candidateOf(gpu, tensorParallelSize, 1, maxBatchSize, scheduler),
          gpusPerReplica: group,
          expertParallelReplicas: replicas,
        });
      }
  return candidates;
}

const DEFAULT_EXPERT_PARALLEL_REPLICAS = [2, 4, 8];

const DEFAULT_SPLITS: readonly (readonly [number, number])[] = [
  [1, 1],
  [1, 2],
  [2, 1],
  [1, 3],
  [3, 1],
  [2, 3],
];

/**
 * Disaggregated groups: for every (prefill GPU, decode GPU) pair, TP (the same in both pools) and
 * prefill:decode split, with the cap of the largest batch tried and the first scheduler choice that
 * chunks prefills (what P/D engines run).
 */
function disaggregatedCandidates(request: PlanRequest): Candidate[] {
  const settings = groupSettings(request);
  if (settings === undefined) return [];
  const { scheduler, maxBatchSize, gpus } = settings;
  const candidates: Candidate[] = [];
  for (const prefillGpu of gpus)
    for (const decodeGpu of gpus)
      for (const tensorParallelSize of request.tensorParallelSizes ?? DEFAULT_TENSOR_SIZES)
        for (const [prefillReplicas, decodeReplicas] of request.disaggregationSplits ?? DEFAULT_SPLITS) {
          const prefill = { gpu: prefillGpu, tensorParallelSize, replicas: prefillReplicas };
          const decode = { gpu: decodeGpu, tensorParallelSize, replicas: decodeReplicas };
          candidates.push({
            gpu: prefillGpu,
            tensorParallelSize,
            pipelineParallelSize: 1,
            maxBatchSize,
            scheduler,
            gpusPerReplica: (prefillReplicas + decodeReplicas) * tensorParallelSize,
            disaggregation: { prefill, decode },
          });
        }
  return candidates;
}

/** $/hour of one candidate replica (or group); NaN when a GPU has no price. */
export function candidatePricePerHour(candidate: Candidate): number {
  const price = (gpu: string) => findGpuPreset(gpu)?.pricePerHour || Number.NaN;
  const split = candidate.disaggregation;
  if (split === undefined) return price(candidate.gpu) * candidate.gpusPerReplica;
  const pool = (layout: PoolLayout) => price(layout.gpu) * layout.replicas * layout.tensorParallelSize;
  return pool(split.prefill) + pool(split.decode);
}

function pruneReason(request: PlanRequest, candidate: Candidate): string | undefined {
  const split = candidate.disaggregation;
  for (const gpu of split === undefined ? [candidate.gpu] : [split.prefill.gpu, split.decode.gpu])
    if (findGpuPreset(gpu) === undefined) return `unknown GPU preset "${gpu}"`;
  if (candidate.gpusPerReplica > request.maxGpus)
    return `needs ${candidate.gpusPerReplica} GPUs > max ${request.maxGpus}`;
  return memoryPruneReason(request, candidate);
}

/** Why the candidate cannot run before any simulation (bad config, weights do not fit), or undefined. */
function memoryPruneReason(request: PlanRequest, candidate: Candidate): string | undefined {
  let config: ResolvedConfig;
  try {
    config = resolveConfig(candidateConfig(request, candidate, 1));
  } catch (error) {
    return error instanceof SimError ? error.message.split('\n').slice(-1)[0]?.trim() : String(error);
  }
  // The memory plan alone decides this (a SimulationRun would also build the workload and policies).
  const split = config.disaggregation;
  if (split === undefined) return createPerfModel(config).memory.fits ? undefined : WEIGHTS_DO_NOT_FIT;
  for (const pool of [split.prefill, split.decode])
    if (!createPerfModel(poolConfig(config, pool)).memory.fits) return WEIGHTS_DO_NOT_FIT;
  return undefined;
}

/**
 * The deployment with the fewest GPUs (then the lowest $/hour) whose weights fit, ignoring
 * `maxGpus`: among the requested GPUs first, then among every GPU preset.
 */
function smallestFittingDeployment(request: PlanRequest): Candidate | undefined {
  const scheduler = (request.schedulers ?? DEFAULT_SCHEDULERS)[0] as SchedulerChoice;
  const maxBatchSize = Math.min(...(request.maxBatchSizes ?? DEFAULT_BATCH_CAPS));
  const tensorSizes = [...new Set([...(request.tensorParallelSizes ?? []), ...DEFAULT_TENSOR_SIZES])];
  const search = (gpus: readonly string[]): Candidate | undefined => {
    const layouts: Candidate[] = [];
    for (const requested of gpus) {
      const gpu = findGpuPreset(requested)?.name;
      if (gpu === undefined) continue;
      // Only depths the search itself tries, so "rerun with --max-gpus N" finds it.
      for (const tensorParallelSize of tensorSizes)
        for (const pipelineParallelSize of request.pipelineParallelSizes ?? DEFAULT_PIPELINE_SIZES)
          layouts.push(candidateOf(gpu, tensorParallelSize, pipelineParallelSize, maxBatchSize, scheduler));
    }
    // Unpriced GPUs sort last.
    const price = (candidate: Candidate) => {
      const perHour = candidatePricePerHour(candidate);
      return Number.isNaN(perHour) ? Number.POSITIVE_INFINITY : perHour;
    };
    layouts.sort(
      (a, b) =>
        a.gpusPerReplica - b.gpusPerReplica ||
        price(a) - price(b) ||
        a.pipelineParallelSize - b.pipelineParallelSize,
    );
    return layouts.find((candidate) => memoryPruneReason(request, candidate) === undefined);
  };
  return search(request.gpus) ?? search(Object.keys(GPU_PRESETS));
}

/** `H100-80GB TP4 PP1 cap 128 chunked-512`; a group: `P/D 1× H100-80GB TP2 + 2× H100-80GB TP2 cap 256 chunked-2048`. */
export function describeCandidate(candidate: Candidate): string {
  const split = candidate.disaggregation;
  if (split !== undefined)
    return `P/D ${split.prefill.replicas}× ${split.prefill.gpu} TP${split.prefill.tensorParallelSize} + ${split.decode.replicas}× ${split.decode.gpu} TP${split.decode.tensorParallelSize} cap ${candidate.maxBatchSize} ${candidate.scheduler.name}`;
  const speculative =
    candidate.speculative === undefined ? '' : candidate.speculative ? ' +spec' : ' no-spec';
  const replicas = candidate.expertParallelReplicas;
  if (replicas !== undefined)
    return `${candidate.gpu} EP${candidate.gpusPerReplica} (${replicas}× TP${candidate.tensorParallelSize}) cap ${candidate.maxBatchSize} ${candidate.scheduler.name}${speculative}`;
  return `${candidate.gpu} TP${candidate.tensorParallelSize} PP${candidate.pipelineParallelSize} cap ${candidate.maxBatchSize} ${candidate.scheduler.name}${speculative}`;
}

/** The full deployment of a ranked row (DP replicas) at the target rate, for verification. */
export function deploymentConfig(request: PlanRequest, evaluation: CandidateEvaluation): SimulatorConfig {
  const single = candidateConfig(request, evaluation.candidate, request.targetRate);
  const split = single.disaggregation;
  if (split !== undefined) {
    // Groups side by side: each pool's instances multiplied, on one node (NVLink transfers, as evaluated).
    const groups = evaluation.replicas;
    return {
      ...single,
      clusterSpec: {
        ...single.clusterSpec,
        nGpusPerNode: evaluation.candidate.gpusPerReplica * groups,
        nNodes: 1,
      },
      disaggregation: {
        ...split,
        prefill: { ...split.prefill, replicas: split.prefill.replicas * groups },
        decode: { ...split.decode, replicas: split.decode.replicas * groups },
      },
      workloadSpec: { ...single.workloadSpec, numRequests: (request.requestsPerRun ?? 400) * groups },
    };
  }
  return {
    ...single,
    clusterSpec: {
      ...single.clusterSpec,
      nGpusPerNode: evaluation.candidate.gpusPerReplica,
      nNodes: evaluation.replicas,
    },
    parallelismSpec: {
      ...single.parallelismSpec,
      // Expert-parallel groups side by side, each spreading the experts over its own GPUs.
      ...(evaluation.candidate.expertParallelReplicas === undefined
        ? { dataParallelSize: evaluation.replicas }
        : {
            dataParallelSize: evaluation.replicas * evaluation.candidate.expertParallelReplicas,
            expertParallelSize: evaluation.candidate.gpusPerReplica,
          }),
      router: 'least-outstanding',
    },
    workloadSpec: {
      ...single.workloadSpec,
      numRequests: (request.requestsPerRun ?? 400) * evaluation.replicas,
    },
  };
}
