import type { ConfigInput } from './config-input';
import type { GPUSpec, ResolvedGPUSpec } from './gpu-spec';

/** The hardware a deployment runs on, fully resolved. */
export interface ResolvedClusterSpec {
  /** GPUs in each node (server). */
  readonly nGpusPerNode: number;
  /** Number of nodes. */
  readonly nNodes: number;
  /** The GPU in every slot (clusters are homogeneous). */
  readonly gpuSpec: ResolvedGPUSpec;
  /** Inter-node network bandwidth per GPU, one direction, in GB/s. Default 50 (400 Gb/s InfiniBand NDR per GPU). */
  readonly interNodeBandwidthGbs: number;
}

/** A cluster as the user writes it; every field has a default (1 node of 1 A100-80GB). */
export type ClusterSpec = ConfigInput<Omit<ResolvedClusterSpec, 'gpuSpec'>> & { gpuSpec?: GPUSpec };
