import { type BatchShape, createPerfModel, type PerfModel } from '@sim/perf-model';
import { resolveConfig, type SimulatorConfig } from '@sim/specs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeBatch, gpuSeconds } from './test-batches';

const deployment = (config: Omit<SimulatorConfig, 'clusterSpec' | 'parallelismSpec'>, tp = 1): PerfModel =>
  createPerfModel(
    resolveConfig({
      ...config,
      clusterSpec: { nGpusPerNode: tp, gpuSpec: { name: 'H100' } },
      parallelismSpec: { tensorParallelSize: tp },
    }),
  );
const decode = decodeBatch;
/** Decode time per token without speculation over with it: the speedup of a batch. */
const speedup = (plain: PerfModel, speculative: PerfModel, sequences: number, context = 1000) =>
  gpuSeconds(plain, decode(sequences, context)) / gpuSeconds(speculative, decode(sequences, context));

describe('speculative decoding (speculativeSpec)', () => {
  const target = { modelSpec: { name: 'llama-3.1-70b' } };
  const plain = deployment(target, 4);
  const eagle = (acceptanceRate: number | number[], numSpeculativeTokens = 3) =>
    deployment({ ...target, speculativeSpec: { method: 'eagle', numSpeculativeTokens, acceptanceRate } }, 4);

  it('EAGLE-like acceptance at batch 1 gives the published 2–3× per token; a draft model less; n-grams cost nothing to draft', () => {
    // EAGLE-2 on Llama-class targets accepts ~3–4 tokens per step (k 3–5): here 0.8 per position, τ = 2.95.
    const fast = eagle(0.8);
    expect(fast.speculative?.tokensPerStep).toBeCloseTo(1 + 0.8 + 0.64 + 0.512, 12);
    const atOne = speedup(plain, fast, 1);
    expect(atOne).toBeGreaterThan(2);
    expect(atOne).toBeLessThan(3);
    const draftModel = deployment(
      {
        ...target,
        speculativeSpec: {
          method: 'draft-model',
          numSpeculativeTokens: 3,
          acceptanceRate: 0.8,
          draftModelSpec: { name: 'llama-3.1-8b' },
        },
      },
      4,
    );
    expect(speedup(plain, draftModel, 1)).toBeGreaterThan(1);
    expect(speedup(plain, draftModel, 1)).toBeLessThan(atOne);
    const ngram = deployment(
      { ...target, speculativeSpec: { method: 'ngram', numSpeculativeTokens: 3, acceptanceRate: 0.8 } },
      4,
    );
    expect(ngram.draftSeconds(1, 1000)).toBe(0);
    expect(speedup(plain, ngram, 1)).toBeGreaterThan(atOne);
  });

  it('the gain shrinks as batches grow and verification becomes compute-bound; acceptance 0 costs time', () => {
    const fast = eagle(0.8);
    const gains = [1, 8, 64, 256].map((sequences) => speedup(plain, fast, sequences));
    for (let index = 1; index < gains.length; index++)
      expect(gains[index]).toBeLessThan(gains[index - 1] as number);
    expect(gains[3]).toBeLessThan(1.3);
    // Nothing accepted: every step drafts and verifies 4 positions to emit one token.
    const useless = eagle(0);
    expect(useless.speculative?.tokensPerStep).toBe(1);
    for (const sequences of [1, 64]) expect(speedup(plain, useless, sequences)).toBeLessThan(1);
    // Per-position rates: the run of acceptances ends at the first rejection.
    expect(eagle([0.9, 0.5, 0.1]).speculative?.tokensPerStep).toBeCloseTo(1 + 0.9 + 0.45 + 0.045, 12);
  });

  it('the closed-form decode cost matches the iteration, and MBU and MFU stay at most 1', () => {
    const fast = eagle([0.9, 0.7, 0.5, 0.3], 4);
    for (const sequences of [1, 16, 200]) {
      const cost = fast.decodeLinearCost(sequences);
      const batch = decode(sequences, 1500);
      expect(cost.fixedS + cost.perContextTokenS * batch.decodeContextTokens).toBeCloseTo(
        gpuSeconds(fast, batch),
        9,
      );
      expect(cost.bytes0 + cost.bytes1 * batch.decodeContextTokens).toBeCloseTo(fast.bytesOf(batch), 0);
    }
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 256 }),
        fc.integer({ min: 1, max: 8000 }),
        fc.array(fc.integer({ min: 1, max: 2048 }), { maxLength: 3 }),
        (sequences, context, chunks) => {
          const batch: BatchShape = {
            prefillChunks: chunks,
            prefillContexts: chunks.map(() => 0),
            decodeSequences: sequences,
            decodeContextTokens: sequences * context,
          };
          const seconds = gpuSeconds(fast, batch);
          const gpus = fast.gpusPerReplica;
          expect(fast.bytesOf(batch) / (seconds * fast.peaks.bytesPerSecond * gpus)).toBeLessThanOrEqual(1);
          expect(fast.flopsOf(batch) / (seconds * fast.peaks.flopsPerSecond * gpus)).toBeLessThanOrEqual(1);
          // Prefill chunks cost what they cost without speculation (only decodes are sped up).
          const prefillOnly = { ...batch, decodeSequences: 0, decodeContextTokens: 0 };
          expect(gpuSeconds(fast, prefillOnly)).toBeCloseTo(gpuSeconds(plain, prefillOnly), 12);
        },
      ),
      { numRuns: 60, seed: 9 },
    );
  });
});
