import { attendedPairs, createPerfModel, type PerfModel, prefillAttentionFlops } from '@sim/perf-model';
import { type ModelSpec, resolveConfig } from '@sim/specs';
import { describe, expect, it } from 'vitest';
import { decodeBatch } from './test-batches';

const onH100 = (modelSpec: ModelSpec, tensorParallelSize = 1): PerfModel =>
  createPerfModel(
    resolveConfig({
      modelSpec,
      clusterSpec: { nGpusPerNode: tensorParallelSize, gpuSpec: { name: 'H100-80GB' } },
      parallelismSpec: { tensorParallelSize },
    }),
  );

describe('local (sliding-window and chunked) attention layers', () => {
  it('a local layer attends to at most the window: Σ min(position, window) query-key pairs', () => {
    // 512 tokens from the start, window 128: 128·129/2 pairs for the first 128, then 128 each.
    expect(attendedPairs(512, 128)).toBe(8256 + 384 * 128);
    expect(prefillAttentionFlops(512, 0, 64, 64, 128)).toBe(4 * 64 * 64 * (8256 + 384 * 128));
    // A chunk after 1,000 cached tokens: every new token sees exactly the window.
    expect(prefillAttentionFlops(256, 1000, 8, 128, 128)).toBe(4 * 8 * 128 * 256 * 128);
    // A window longer than the sequence changes nothing.
    expect(prefillAttentionFlops(300, 700, 8, 128, 4096)).toBe(prefillAttentionFlops(300, 700, 8, 128));
  });

  it('gpt-oss-120b: its attention is the mean of 18 full-context and 18 local layers', () => {
    const mixed = onH100({ name: 'gpt-oss-120b' });
    const full = onH100({ name: 'gpt-oss-120b', slidingWindow: 0 });
    const local = onH100({ name: 'gpt-oss-120b', slidingWindowLayers: 36 });
    expect([mixed.attentionLayers.full, mixed.attentionLayers.local, mixed.attentionLayers.window]).toEqual([
      18, 18, 128,
    ]);
    for (const batch of [
      decodeBatch(64, 8000),
      decodeBatch(8, 100),
      { prefillChunks: [2048], prefillContexts: [4096], decodeSequences: 32, decodeContextTokens: 32 * 3000 },
    ]) {
      const expected = (full.attentionTime(batch) + local.attentionTime(batch)) / 2;
      expect(mixed.attentionTime(batch)).toBeCloseTo(expected, 12);
    }
    // Below the window a local layer costs what a full one does; at 8,000 tokens of context it reads
    // 128 of them, so the model's decode attention is a little over half the full model's.
    expect(local.attentionTime(decodeBatch(8, 100))).toBe(full.attentionTime(decodeBatch(8, 100)));
    const ratio = mixed.attentionTime(decodeBatch(64, 8000)) / full.attentionTime(decodeBatch(64, 8000));
    expect(ratio).toBeGreaterThan(0.5);
    expect(ratio).toBeLessThan(0.52);
    // Reads stop growing at the window, so a decode step is not linear in the context.
    expect([mixed.decodeIsLinear, full.decodeIsLinear]).toEqual([false, true]);
  });

  it('gpt-oss weights match the published checkpoints (mxfp4 experts with their scales, bf16 rest) and fit one H100', () => {
    const gib = 2 ** 30;
    const big = onH100({ name: 'gpt-oss-120b' }).memory;
    const small = onH100({ name: 'gpt-oss-20b' }).memory;
    // Checkpoints: 60.8 GiB and 12.8 GiB.
    expect(Math.abs(big.weightBytesPerGpu / gib / 60.8 - 1)).toBeLessThan(0.01);
    expect(Math.abs(small.weightBytesPerGpu / gib / 12.8 - 1)).toBeLessThan(0.01);
    expect(big.fits).toBe(true);
    // The 18 local layers' cache is set aside for 256 sequences of 128 + 16 tokens (8 KV heads of
    // 64 + 64 elements at 2 bytes: 2,048 bytes per token and layer); the pool counts 18 layers.
    expect(big.localKvBytesPerGpu).toBe(18 * 2048 * 144 * 256);
    expect(big.kvBytesPerToken).toBe(18 * 2048);
    expect(big.verdict).toMatch(/sliding-window KV 1\.3 GiB/);
  });

  it("Llama 4's 8,192-token chunks are too long to set aside per sequence: every layer is counted per token", () => {
    const scout = onH100({ name: 'llama-4-scout' }, 4);
    expect(scout.attentionLayers).toEqual({ full: 12, local: 36, window: 8192 });
    expect(scout.memory.localKvBytesPerGpu).toBe(0);
    // 48 layers × 2 KV heads per rank × 256 elements × 2 bytes.
    expect(scout.memory.kvBytesPerToken).toBe(48 * 2 * 256 * 2);
    // Past the chunk the 36 chunked layers read no more (costed as a window: an upper bound), so
    // decode attention grows with the context at 12/48 of the rate of a model without them.
    const full = onH100({ name: 'llama-4-scout', slidingWindow: 0 }, 4);
    const growth = (perf: PerfModel) =>
      perf.attentionTime(decodeBatch(16, 64_000)) - perf.attentionTime(decodeBatch(16, 32_000));
    expect(growth(scout) / growth(full)).toBeCloseTo(12 / 48, 9);
  });
});
