/**
 * KV blocks that `cpuMemoryGb` GB (10⁹ bytes) of host memory per replica hold
 * (`schedulerSpec.kvOffload`): ⌊cpuMemoryGb · 10⁹ / (kvBytesPerToken · blockSize · gpusPerReplica)⌋.
 * `kvBytesPerToken` is one GPU's share (its stage's layers, its TP share of the KV heads), so a
 * block of the replica's KV cache, as a scheduler counts blocks, takes that on each of its TP × PP
 * GPUs. With pipeline parallelism the replica's virtual engines share the result, as they share
 * the GPU blocks.
 */
export function offloadCapacityBlocks(
  memory: { readonly kvBytesPerToken: number; readonly blockSize: number },
  cpuMemoryGb: number,
  gpusPerReplica: number,
): number {
  const blockBytes = memory.kvBytesPerToken * memory.blockSize * gpusPerReplica;
  return blockBytes > 0 ? Math.floor((cpuMemoryGb * 1e9) / blockBytes) : 0;
}
