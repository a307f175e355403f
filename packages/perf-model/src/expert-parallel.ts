import type { ResolvedClusterSpec, ResolvedModelSpec, ResolvedParallelismSpec } from '@sim/specs';
import type { CommunicationEfficiency } from './calibration-profile';
import type { CollectiveLink } from './communication';
import { type LayerGeometry, withMlp } from './layer-geometry';

/**
 * Expert parallelism (`parallelismSpec.expertParallel`, vLLM's `--enable-expert-parallel`): the
 * routed experts spread whole over the DP × TP GPUs of the replicas, attention and dense weights as
 * without it (TP shards inside each replica).
 */
export interface ExpertParallelLayout {
  /** GPUs the routed experts are spread over: `expertParallelSize` (DP × TP by default). */
  readonly group: number;
  /** Replicas in the group (group / TP): their tokens meet at every GPU's experts. */
  readonly replicas: number;
  /** Whole experts each GPU holds per MoE layer: numExperts / group. */
  readonly expertsPerGpu: number;
  /** The busiest GPU's routed tokens over the mean (`parallelismSpec.expertImbalance`). */
  readonly imbalance: number;
  /** The layer geometry with one whole (unsharded) expert as its MLP. */
  readonly expertGeometry: LayerGeometry;
  /** Where the dispatch and combine all-to-alls run: the GPU interconnect, or the network when the group spans nodes. */
  readonly link: CollectiveLink;
}

/** How many times more GPUs than TP the routed experts are spread over: the replicas of an expert-parallel group, else 1. */
export function expertSpreadOf(
  parallelism: Pick<ResolvedParallelismSpec, 'expertParallel' | 'expertParallelSize' | 'tensorParallelSize'>,
): number {
  return parallelism.expertParallel ? parallelism.expertParallelSize / parallelism.tensorParallelSize : 1;
}

export function expertParallelLayout(
  model: ResolvedModelSpec,
  cluster: ResolvedClusterSpec,
  parallel: ResolvedParallelismSpec,
  geometry: LayerGeometry,
  communication: CommunicationEfficiency,
): ExpertParallelLayout {
  const group = parallel.expertParallelSize;
  const crossesNodes = group * parallel.pipelineParallelSize > cluster.nGpusPerNode;
  return {
    group,
    replicas: expertSpreadOf(parallel),
    expertsPerGpu: model.numExperts / group,
    imbalance: parallel.expertImbalance,
    expertGeometry: withMlp(geometry, model, model.expertFfnDim, 1),
    link: crossesNodes
      ? { bandwidthGbs: cluster.interNodeBandwidthGbs, efficiency: communication.sendRecvInterNode }
      : {
          bandwidthGbs: cluster.gpuSpec.interconnectBandwidthGbs,
          efficiency: communication.sendRecvIntraNode,
        },
  };
}

/**
 * Expected distinct experts of one GPU that receive a token when every replica of the group routes
 * `tokens` tokens (top-k of E, uniform): expertsPerGpu · (1 − (1 − k/E)^(replicas · tokens)). At
 * least a hair above 0, so that per-expert token counts stay finite.
 */
export function expertsHeldActive(
  model: Pick<ResolvedModelSpec, 'numExperts' | 'expertsPerToken'>,
  layout: ExpertParallelLayout,
  tokens: number,
): number {
  const missed = (1 - model.expertsPerToken / model.numExperts) ** (layout.replicas * tokens);
  return Math.max(1e-9, layout.expertsPerGpu * (1 - missed));
}
