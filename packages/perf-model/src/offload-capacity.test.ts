import { createPerfModel, offloadCapacityBlocks } from '@sim/perf-model';
import { resolveConfig, type SimulatorConfig } from '@sim/specs';
import { describe, expect, it } from 'vitest';

const capacityOf = (config: SimulatorConfig, cpuMemoryGb: number) => {
  const perf = createPerfModel(resolveConfig(config));
  return offloadCapacityBlocks(perf.memory, cpuMemoryGb, perf.gpusPerReplica);
};

describe('offloadCapacityBlocks', () => {
  it('divides the host memory by a block of the whole replica’s KV cache', () => {
    // Llama-3-8B bf16: 2 (K, V) × 32 layers × 8 KV heads × 128 × 2 bytes = 131,072 bytes per token,
    // 2 MiB per 16-token block: 64·10⁹ bytes hold 30,517 of them.
    const single: SimulatorConfig = {
      modelSpec: { name: 'llama-3-8b' },
      clusterSpec: { gpuSpec: { name: 'H100' } },
    };
    expect(capacityOf(single, 64)).toBe(30_517);
    expect(offloadCapacityBlocks({ kvBytesPerToken: 131_072, blockSize: 16 }, 64, 1)).toBe(30_517);
    // TP 2 halves each GPU's share of a block but there are two GPUs: the same blocks.
    const split: SimulatorConfig = {
      ...single,
      clusterSpec: { gpuSpec: { name: 'H100' }, nGpusPerNode: 2 },
      parallelismSpec: { tensorParallelSize: 2 },
    };
    expect(capacityOf(split, 64)).toBe(30_517);
    // Less than one block of memory holds none; the count is whole blocks.
    expect(offloadCapacityBlocks({ kvBytesPerToken: 131_072, blockSize: 16 }, 0.002, 1)).toBe(0);
    expect(offloadCapacityBlocks({ kvBytesPerToken: 131_072, blockSize: 16 }, 0.0042, 1)).toBe(2);
  });
});
