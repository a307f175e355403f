import type { ResolvedClusterSpec } from './cluster-spec';
import type { ConfigIssue } from './errors';
import type { ResolvedModelSpec } from './model-spec';
import type { ResolvedParallelismSpec } from './parallelism-spec';
import type { ResolvedSchedulerSpec } from './scheduler-spec';
import type { ResolvedWorkloadSpec } from './workload-spec';

/*
 * Cross-field rules of a resolved config that the zod schemas cannot state: the parallelism must
 * split the model and use the cluster's GPUs, and the workload must fit the model and scheduler.
 */

function divisorsUpTo(value: number, limit: number): number[] {
  const result: number[] = [];
  for (let d = 1; d <= Math.min(value, limit); d++) if (value % d === 0) result.push(d);
  return result;
}

/** TP must split the heads, PP the layers, and TP × PP × DP must be the cluster's GPU count. */
export function checkParallelism(
  model: ResolvedModelSpec,
  cluster: Pick<ResolvedClusterSpec, 'nGpusPerNode' | 'nNodes'>,
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
  const group = parallel.expertParallelSize;
  if (parallel.expertParallel && (group % tp !== 0 || (tp * parallel.dataParallelSize) % group !== 0)) {
    issues.push({
      code: 'invalid_value',
      path: 'parallelismSpec.expertParallelSize',
      message: `${group} GPUs per expert-parallel group must be a multiple of TP ${tp} that divides DP ${parallel.dataParallelSize} × TP ${tp} = ${tp * parallel.dataParallelSize}.`,
    });
  } else if (parallel.expertParallel) {
    if (model.numExperts <= 1)
      issues.push({
        code: 'invalid_value',
        path: 'parallelismSpec.expertParallel',
        message: `${model.name} is dense (no experts to spread). Remove expertParallel, or choose a mixture-of-experts model.`,
      });
    else if (group === 1)
      issues.push({
        code: 'invalid_value',
        path: 'parallelismSpec.expertParallel',
        message:
          'spreads experts over the GPUs of a group (DP × TP by default), and here that is 1 GPU. Raise dataParallelSize or tensorParallelSize, or remove expertParallel.',
      });
    else if (model.numExperts % group !== 0)
      issues.push({
        code: 'invalid_value',
        path: 'parallelismSpec.expertParallel',
        message: `${model.numExperts} experts do not split evenly over a group of ${group} GPUs (DP ${parallel.dataParallelSize} × TP ${tp} unless expertParallelSize says otherwise). Use a group size that divides ${model.numExperts}.`,
      });
  } else if (!parallel.expertParallel && parallel.expertImbalance !== 1) {
    issues.push({
      code: 'invalid_value',
      path: 'parallelismSpec.expertImbalance',
      message:
        'applies with expertParallel only (without it every GPU holds a slice of every expert). Set expertParallel: true, or remove expertImbalance.',
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

/** The workload against the model's context and the scheduler's settings. */
export function checkWorkloadAgainstModel(
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
