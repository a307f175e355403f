import { type BatchShape, createPerfModel, type PerfModel } from '@sim/perf-model';
import { resolveConfig, type SimulatorConfig } from '@sim/specs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeBatch, gpuSeconds } from './test-batches';

const deployment = (
  name: string,
  gpu: string,
  replicas: number,
  tensorParallelSize: number,
  parallel: Partial<NonNullable<SimulatorConfig['parallelismSpec']>> = {},
): PerfModel =>
  createPerfModel(
    resolveConfig({
      modelSpec: { name },
      clusterSpec: { nGpusPerNode: replicas * tensorParallelSize, gpuSpec: { name: gpu } },
      parallelismSpec: { dataParallelSize: replicas, tensorParallelSize, ...parallel },
    }),
  );
const decode = decodeBatch;
/** DeepSeek-V3's embedding table and LM head: bf16 (2 bytes) in its FP8 checkpoint, 1 byte more each than FP8. */
const tables = 2 * 129280 * 7168;

describe('expert parallelism (parallelismSpec.expertParallel)', () => {
  it('DeepSeek-V3 over 8 H200 replicas: each GPU holds 32 whole experts per layer, so it fits where DP 8 alone does not', () => {
    const ep = deployment('deepseek-v3', 'H200-141GB', 8, 1, { expertParallel: true });
    expect(ep.memory.fits).toBe(true);
    expect(ep.expertParallel?.expertsPerGpu).toBe(32);
    // Non-expert weights whole (TP 1) plus 1/8 of the routed experts, 1 byte each in FP8, with the
    // embedding and LM head (129,280 × 7,168 each) at 2 bytes.
    const routed = 58 * 256 * 3 * 7168 * 2048;
    expect(ep.memory.weightBytesPerGpu).toBeCloseTo(671e9 - routed + routed / 8 + tables, -3);
    expect(deployment('deepseek-v3', 'H200-141GB', 8, 1).memory.fits).toBe(false);
    expect(ep.memory.verdict).toMatch(/experts spread over groups of 8 GPUs/);
  });

  it('expertParallelSize splits the replicas into groups, each spreading the experts over its own GPUs', () => {
    const two = deployment('deepseek-v3', 'H200-141GB', 8, 1, {
      expertParallel: true,
      expertParallelSize: 4,
    });
    const routed = 58 * 256 * 3 * 7168 * 2048;
    expect(two.expertParallel).toMatchObject({ group: 4, replicas: 4, expertsPerGpu: 64 });
    expect(two.memory.weightBytesPerGpu).toBeCloseTo(671e9 - routed + routed / 4 + tables, -3);
    expect(two.memory.verdict).toMatch(/experts spread over groups of 4 GPUs/);
  });

  it('a decode step reads only its own experts: at one token a few of its 16, at a large batch all of them', () => {
    const ep = deployment('qwen3-30b-a3b', 'H100', 8, 1, { expertParallel: true });
    const plain = deployment('qwen3-30b-a3b', 'H100', 8, 1);
    const expert = 3 * 2048 * 768 * 2;
    // One token on each of the 8 replicas, top-8 of 128: each GPU expects 16 · (1 − (120/128)^8) of
    // its 16 experts per layer to be hit, where a GPU holding all 128 reads its token's 8.
    const expected = 16 * (1 - (120 / 128) ** 8);
    expect(ep.weightBytesRead(1, 1) - plain.weightBytesRead(1, 1)).toBeCloseTo(
      48 * expert * (expected - 8),
      -2,
    );
    // At 512 tokens every expert of the GPU is active: it reads all it holds but the unread embedding rows.
    const all = ep.weightBytesRead(512, 512);
    expect(all).toBeCloseTo(ep.memory.weightBytesPerGpu - (151936 - 512) * 2048 * 2, -2);
  });

  it('MBU ≤ 1 and MFU ≤ 1 with expert parallelism, any batch and imbalance (property)', () => {
    for (const [name, gpu, replicas, tp] of [
      ['deepseek-v3', 'H200-141GB', 8, 1],
      ['qwen3-30b-a3b', 'H100', 4, 2],
      ['mixtral-8x7b', 'H100', 4, 2],
      ['llama-4-maverick', 'H200-141GB', 2, 4],
    ] as const) {
      fc.assert(
        fc.property(
          fc.integer({ min: 1, max: 256 }),
          fc.integer({ min: 0, max: 8192 }),
          fc.double({ min: 1, max: 3, noNaN: true }),
          (sequences, context, expertImbalance) => {
            const perf = deployment(name, gpu, replicas, tp, { expertParallel: true, expertImbalance });
            const batch = decode(sequences, context);
            const seconds = gpuSeconds(perf, batch);
            const gpus = perf.gpusPerReplica;
            expect(perf.bytesOf(batch) / (seconds * perf.peaks.bytesPerSecond * gpus)).toBeLessThanOrEqual(1);
            expect(perf.flopsOf(batch) / (seconds * perf.peaks.flopsPerSecond * gpus)).toBeLessThanOrEqual(1);
          },
        ),
        { numRuns: 25, seed: 3 },
      );
    }
  });

  it('costs the all-to-alls and grows with routing skew', () => {
    const even = deployment('qwen3-30b-a3b', 'H100', 8, 1, { expertParallel: true });
    const skewed = deployment('qwen3-30b-a3b', 'H100', 8, 1, { expertParallel: true, expertImbalance: 2 });
    const prefill: BatchShape = {
      prefillChunks: [4096],
      prefillContexts: [0],
      decodeSequences: 0,
      decodeContextTokens: 0,
    };
    const operators = even.breakdown(prefill).operators;
    expect(operators.expertAllToAll).toBeGreaterThan(0);
    expect(skewed.iterationTime(prefill)).toBeGreaterThan(even.iterationTime(prefill));
    // Without expert parallelism there is no all-to-all.
    expect(deployment('qwen3-30b-a3b', 'H100', 8, 1).breakdown(prefill).operators.expertAllToAll).toBe(0);
  });
});
