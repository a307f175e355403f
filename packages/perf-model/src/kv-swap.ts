/**
 * Seconds to move `blocks` KV blocks over the host link (swap preemption: out to host memory, or
 * back in; KV offload: loads of offloaded prefix blocks), at the GPU's host bandwidth in GB/s (each
 * GPU moves its own share of a block over its own link, in parallel).
 */
export function kvSwapSeconds(
  memory: { readonly kvBytesPerToken: number; readonly blockSize: number },
  hostBandwidthGbs: number,
  blocks: number,
): number {
  return (blocks * (memory.kvBytesPerToken * memory.blockSize)) / (hostBandwidthGbs * 1e9);
}
