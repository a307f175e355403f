import type { ResolvedClusterSpec } from './cluster-spec';
import { checkParallelism } from './config-checks';
import type { ParsedConfig, ParsedSchedulerSpec } from './config-schema';
import type { ResolvedDisaggregation, ResolvedPool } from './disaggregation';
import type { ConfigIssue } from './errors';
import type { ResolvedGPUSpec } from './gpu-spec';
import type { ResolvedModelSpec } from './model-spec';
import type { ResolvedParallelismSpec } from './parallelism-spec';
import { resolveGpu } from './resolve-gpu';
import { resolveScheduler } from './resolve-scheduler';
import type { ResolvedSchedulerSpec } from './scheduler-spec';
import type { EngineProfileName } from './simulator-config';

/** What the pools inherit from the rest of the config. */
export interface PoolContext {
  readonly model: ResolvedModelSpec | undefined;
  readonly gpu: ResolvedGPUSpec | undefined;
  readonly cluster: Pick<ResolvedClusterSpec, 'nGpusPerNode' | 'nNodes' | 'interNodeBandwidthGbs'>;
  readonly parallelism: ResolvedParallelismSpec;
  readonly schedulerInput: ParsedSchedulerSpec;
  readonly fixedInputLength: number;
  readonly engineProfile: EngineProfileName;
  readonly batchSize: number | undefined;
}

/** `issues` recorded by `check`, their paths moved from `from` to `to`. */
function movedIssues(from: string, to: string, check: (issues: ConfigIssue[]) => void): ConfigIssue[] {
  const found: ConfigIssue[] = [];
  check(found);
  return found.map((issue) => ({
    ...issue,
    path: issue.path.startsWith(from) ? `${to}${issue.path.slice(from.length)}` : issue.path,
  }));
}

/**
 * The disaggregated pools: each pool's GPU (the cluster's unless given), its scheduler (the
 * config's with the pool's fields over it; continuous batching only), the GPU count of both pools
 * against the cluster, each pool's TP against the model's heads, and the KV-transfer bandwidth.
 */
export function resolveDisaggregation(
  input: NonNullable<ParsedConfig['disaggregation']>,
  context: PoolContext,
  issues: ConfigIssue[],
): ResolvedDisaggregation | undefined {
  const { model, cluster, parallelism } = context;
  const pool = (role: 'prefill' | 'decode'): ResolvedPool | undefined => {
    const given = input[role];
    const path = `disaggregation.${role}`;
    let gpu = context.gpu;
    if (given.gpuSpec !== undefined) {
      const gpuSpec = given.gpuSpec;
      let resolved: ResolvedGPUSpec | undefined;
      issues.push(
        ...movedIssues('clusterSpec.gpuSpec', `${path}.gpuSpec`, (found) => {
          resolved = resolveGpu(gpuSpec, found);
        }),
      );
      gpu = resolved;
    }
    let resolvedScheduler: ResolvedSchedulerSpec | undefined;
    const schedulerIssues = movedIssues('schedulerSpec', `${path}.schedulerSpec`, (found) => {
      resolvedScheduler = resolveScheduler(
        { ...context.schedulerInput, ...given.schedulerSpec },
        model,
        context.fixedInputLength,
        context.engineProfile,
        found,
        context.batchSize,
      );
    });
    // The config's own scheduler was checked already: report only what the pool's fields add.
    if (given.schedulerSpec !== undefined) issues.push(...schedulerIssues);
    const schedulerSpec = resolvedScheduler;
    if (schedulerSpec === undefined) return undefined;
    if (schedulerSpec.batchingType !== 'continuous')
      issues.push({
        code: 'invalid_value',
        path: `${path}.schedulerSpec.batchingType`,
        message: `"${schedulerSpec.batchingType}" cannot take over a request whose KV cache arrives from another instance; disaggregated pools need continuous batching. Set batchingType: "continuous".`,
      });
    if (model !== undefined)
      issues.push(
        ...movedIssues('parallelismSpec.tensorParallelSize', `${path}.tensorParallelSize`, (found) =>
          checkParallelism(
            model,
            { nGpusPerNode: given.tensorParallelSize * given.replicas, nNodes: 1 },
            {
              ...parallelism,
              tensorParallelSize: given.tensorParallelSize,
              pipelineParallelSize: 1,
              dataParallelSize: given.replicas,
            },
            found,
          ),
        ),
      );
    if (gpu === undefined) return undefined;
    return {
      replicas: given.replicas,
      tensorParallelSize: given.tensorParallelSize,
      gpuSpec: gpu,
      schedulerSpec,
    };
  };
  const prefill = pool('prefill');
  const decode = pool('decode');
  const { tensorParallelSize, pipelineParallelSize, dataParallelSize } = parallelism;
  if (tensorParallelSize !== 1 || pipelineParallelSize !== 1 || dataParallelSize !== 1)
    issues.push({
      code: 'invalid_value',
      path: 'parallelismSpec',
      message: `TP ${tensorParallelSize} × PP ${pipelineParallelSize} × DP ${dataParallelSize} does not apply with disaggregation: each pool sets its own replicas and tensorParallelSize (pipeline parallelism is not supported there). Remove them from parallelismSpec.`,
    });
  const gpus = (given: { replicas: number; tensorParallelSize: number }) =>
    given.replicas * given.tensorParallelSize;
  const needed = gpus(input.prefill) + gpus(input.decode);
  const available = cluster.nGpusPerNode * cluster.nNodes;
  if (needed !== available)
    issues.push({
      code: 'gpu_count',
      path: 'disaggregation',
      message: `prefill ${input.prefill.replicas} × TP ${input.prefill.tensorParallelSize} + decode ${input.decode.replicas} × TP ${input.decode.tensorParallelSize} = ${needed} GPUs, but the cluster has ${cluster.nGpusPerNode} × ${cluster.nNodes} = ${available}. Set clusterSpec.nGpusPerNode (or nNodes) so that they match.`,
    });
  if (prefill === undefined || decode === undefined) return undefined;
  const link =
    cluster.nNodes === 1
      ? Math.min(prefill.gpuSpec.interconnectBandwidthGbs, decode.gpuSpec.interconnectBandwidthGbs)
      : cluster.interNodeBandwidthGbs;
  return {
    prefill,
    decode,
    kvTransferBandwidthGbs:
      input.kvTransferBandwidthGbs ?? link * Math.min(prefill.tensorParallelSize, decode.tensorParallelSize),
    kvTransfer: input.kvTransfer ?? 'after-prefill',
  };
}
