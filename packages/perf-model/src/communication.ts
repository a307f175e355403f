import type { ResolvedClusterSpec } from '@sim/specs';
import type { CommunicationEfficiency, LinkEfficiency } from './calibration-profile';

/** A link a collective runs on: its bandwidth per GPU (one direction, GB/s) and fitted efficiency. */
export interface CollectiveLink {
  readonly bandwidthGbs: number;
  readonly efficiency: LinkEfficiency;
}

/**
 * The links of a replica's collectives: tensor-parallel all-reduces run inside a node (the GPU's
 * interconnect) unless TP spans nodes, pipeline sends unless the whole replica does.
 */
export function replicaLinks(
  cluster: ResolvedClusterSpec,
  communication: CommunicationEfficiency,
  tensorParallelSize: number,
  gpusPerReplica: number,
): { readonly allReduce: CollectiveLink; readonly sendRecv: CollectiveLink } {
  const intraNodeGbs = cluster.gpuSpec.interconnectBandwidthGbs;
  const tpCrossesNodes = tensorParallelSize > cluster.nGpusPerNode;
  const stagesCrossNodes = gpusPerReplica > cluster.nGpusPerNode;
  return {
    allReduce: tpCrossesNodes
      ? { bandwidthGbs: cluster.interNodeBandwidthGbs, efficiency: communication.allReduceInterNode }
      : { bandwidthGbs: intraNodeGbs, efficiency: communication.allReduceIntraNode },
    sendRecv: stagesCrossNodes
      ? { bandwidthGbs: cluster.interNodeBandwidthGbs, efficiency: communication.sendRecvInterNode }
      : { bandwidthGbs: intraNodeGbs, efficiency: communication.sendRecvIntraNode },
  };
}

/**
 * Ring all-reduce of `bytes` over `participants` GPUs on a link of `bandwidthGbs` (one direction,
 * per GPU): 2(n−1) steps of latency α, and each GPU sends 2(n−1)/n of the message.
 * Returns seconds; 0 for a single participant.
 */
export function allReduceTime(
  bytes: number,
  participants: number,
  bandwidthGbs: number,
  link: LinkEfficiency,
): number {
  if (participants <= 1 || bytes <= 0) return 0;
  const steps = 2 * (participants - 1);
  const sent = (steps / participants) * bytes;
  return steps * link.latencyUs * 1e-6 + sent / (bandwidthGbs * 1e9 * link.bandwidthEfficiency);
}

/** Point-to-point transfer of `bytes` (one pipeline-stage boundary): α + bytes / bandwidth. Seconds. */
export function sendRecvTime(bytes: number, bandwidthGbs: number, link: LinkEfficiency): number {
  if (bytes <= 0) return 0;
  return link.latencyUs * 1e-6 + bytes / (bandwidthGbs * 1e9 * link.bandwidthEfficiency);
}
