import { createPerfModel, ENGINE_PROFILES, type PerfModelConfig } from '@sim/perf-model';
import { resolveConfig, type SimulatorConfig } from '@sim/specs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

function model(config: SimulatorConfig, engineProfile: PerfModelConfig['engineProfile'] = 'vllm') {
  return createPerfModel({ ...resolveConfig(config), engineProfile });
}
const tp = (degree: number, name = 'llama-2-70b', gpu = 'A100-80GB'): SimulatorConfig => ({
  modelSpec: { name },
  clusterSpec: { nGpusPerNode: degree, gpuSpec: { name: gpu } },
  parallelismSpec: { tensorParallelSize: degree },
});

describe('sanity properties', () => {
  const perf = model({ modelSpec: { name: 'llama-2-7b' } });

  it('time grows with prefill tokens and with decode context', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 8000 }), fc.integer({ min: 1, max: 4000 }), (tokens, extra) => {
        expect(perf.prefillTime(tokens + extra)).toBeGreaterThan(perf.prefillTime(tokens));
      }),
      { numRuns: 200, seed: 1 },
    );
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 256 }),
        fc.integer({ min: 1, max: 4000 }),
        fc.integer({ min: 1, max: 4000 }),
        (batch, context, extra) => {
          expect(perf.decodeStepTime(batch, context + extra)).toBeGreaterThan(
            perf.decodeStepTime(batch, context),
          );
          expect(perf.decodeStepTime(batch + 1, context)).toBeGreaterThan(
            perf.decodeStepTime(batch, context),
          );
        },
      ),
      { numRuns: 200, seed: 2 },
    );
  });

  it('decode is memory-bound at batch 1: about weights / bandwidth', () => {
    const ideal = model({ modelSpec: { name: 'llama-2-7b' } }, 'ideal');
    const weightsOverBandwidth = (6.74e9 * 2) / 2039e9;
    const step = ideal.decodeStepTime(1, 128);
    expect(step).toBeGreaterThan(weightsOverBandwidth);
    expect(step).toBeLessThan(1.6 * weightsOverBandwidth);
  });

  it('TP splits compute but adds communication: TP=2 is faster, but less than 2× faster', () => {
    const one = model(tp(1, 'llama-2-13b'));
    const two = model(tp(2, 'llama-2-13b'));
    for (const time of [
      (m: typeof one) => m.prefillTime(2048),
      (m: typeof one) => m.decodeStepTime(32, 1024),
    ]) {
      expect(time(two)).toBeLessThan(time(one));
      expect(time(two)).toBeGreaterThan(time(one) / 2);
    }
    const breakdown = two.breakdown({
      prefillChunks: [],
      prefillContexts: [],
      decodeSequences: 8,
      decodeContextTokens: 8000,
    });
    expect(breakdown.operators.allReduce).toBeGreaterThan(0);
    expect(
      model(tp(1, 'llama-2-13b')).breakdown({
        prefillChunks: [512],
        prefillContexts: [0],
        decodeSequences: 0,
        decodeContextTokens: 0,
      }).operators.allReduce,
    ).toBe(0);
  });

  it('engine profiles: a custom profile is accepted; cheaper all-reduces speed up TP 8 batch-1 decode only', () => {
    const vllm = ENGINE_PROFILES.vllm;
    const cheapCollectives = { ...vllm, collectiveLatencyScale: 0.1 };
    const tp8 = (engine: PerfModelConfig['engineProfile']) => model(tp(8, 'llama-2-7b'), engine);
    expect(tp8(cheapCollectives).decodeStepTime(1, 128)).toBeLessThan(tp8(vllm).decodeStepTime(1, 128));
    const single = (engine: PerfModelConfig['engineProfile']) => model(tp(1, 'llama-2-7b'), engine);
    expect(single(cheapCollectives).decodeStepTime(1, 128)).toBe(single(vllm).decodeStepTime(1, 128));
  });

  it('int8 weight-only decode is faster than bf16 but, with dequantization, less than 2× faster', () => {
    const bf16 = model({ modelSpec: { name: 'llama-2-7b' } }, 'gpt-fast').decodeStepTime(1, 128);
    const int8 = model({ modelSpec: { name: 'llama-2-7b', weightDtype: 'int8' } }, 'gpt-fast').decodeStepTime(
      1,
      128,
    );
    expect(int8).toBeLessThan(bf16);
    expect(int8).toBeGreaterThan(bf16 / 2);
  });

  it('H100 beats A100 on the same work, and H200 beats H100 on memory-bound decode', () => {
    const a100 = model(tp(1, 'llama-3.1-8b', 'A100-80GB'));
    const h100 = model(tp(1, 'llama-3.1-8b', 'H100'));
    const h200 = model(tp(1, 'llama-3.1-8b', 'H200'));
    expect(h100.prefillTime(2048)).toBeLessThan(a100.prefillTime(2048));
    expect(h100.decodeStepTime(64, 1024)).toBeLessThan(a100.decodeStepTime(64, 1024));
    expect(h200.decodeStepTime(64, 4096)).toBeLessThan(h100.decodeStepTime(64, 4096));
  });

  it('fp8 weights make decode faster than bf16 on H100', () => {
    const bf16 = model({ ...tp(1, 'llama-3.1-8b', 'H100') });
    const fp8 = model({
      ...tp(1, 'llama-3.1-8b', 'H100'),
      modelSpec: { name: 'llama-3.1-8b', weightDtype: 'fp8' },
    });
    expect(fp8.decodeStepTime(1, 512)).toBeLessThan(0.75 * bf16.decodeStepTime(1, 512));
    expect(fp8.memory.kvCapacityTokens).toBeGreaterThan(bf16.memory.kvCapacityTokens);
  });

  it('pipeline stages each hold a share of the layers and transfer activations', () => {
    const pp = model({
      modelSpec: { name: 'llama-2-70b' },
      clusterSpec: { nGpusPerNode: 4 },
      parallelismSpec: { tensorParallelSize: 2, pipelineParallelSize: 2 },
    });
    const batch = { prefillChunks: [1024], prefillContexts: [0], decodeSequences: 0, decodeContextTokens: 0 };
    const breakdown = pp.breakdown(batch);
    expect(breakdown.stageS).toHaveLength(2);
    expect(breakdown.operators.pipelineTransfer).toBeGreaterThan(0);
    expect(pp.layersPerStage).toBe(40);
  });

  it('MoE (Mixtral) decode at batch 1 reads only the routed experts; large batches touch all', () => {
    const mixtral = model({
      modelSpec: { name: 'mixtral-8x7b' },
      clusterSpec: { nGpusPerNode: 2, gpuSpec: { name: 'H100' } },
      parallelismSpec: { tensorParallelSize: 2 },
    });
    const dense47b = model({
      modelSpec: { name: 'mixtral-8x7b', numExperts: 1, expertsPerToken: 1, ffnDim: 8 * 14336 },
      clusterSpec: { nGpusPerNode: 2, gpuSpec: { name: 'H100' } },
      parallelismSpec: { tensorParallelSize: 2 },
    });
    expect(mixtral.decodeStepTime(1, 256)).toBeLessThan(0.5 * dense47b.decodeStepTime(1, 256));
    expect(
      mixtral.breakdown({
        prefillChunks: [],
        prefillContexts: [],
        decodeSequences: 1,
        decodeContextTokens: 256,
      }).operators.moeRouter,
    ).toBeGreaterThan(0);
  });

  it('MFU and MBU are fractions in (0, 1]', () => {
    const breakdown = perf.breakdown({
      prefillChunks: [2048],
      prefillContexts: [0],
      decodeSequences: 32,
      decodeContextTokens: 32_000,
    });
    for (const value of [breakdown.mfu, breakdown.mbu]) {
      expect(value).toBeGreaterThan(0);
      expect(value).toBeLessThanOrEqual(1);
    }
    expect(breakdown.totalS).toBeCloseTo(
      perf.iterationTime({
        prefillChunks: [2048],
        prefillContexts: [0],
        decodeSequences: 32,
        decodeContextTokens: 32_000,
      }),
      12,
    );
  });

  it('is deterministic and pure: the same batch gives the same time', () => {
    const batch = {
      prefillChunks: [300, 40],
      prefillContexts: [0, 1000],
      decodeSequences: 12,
      decodeContextTokens: 9000,
    };
    expect(perf.iterationTime(batch)).toBe(model({ modelSpec: { name: 'llama-2-7b' } }).iterationTime(batch));
  });
});

describe('profiles', () => {
  it('calibrated GPUs use their own profile; others say they are extrapolated', () => {
    expect(model(tp(1, 'llama-2-7b', 'A100-80GB')).profileChoice.extrapolated).toBe(false);
    expect(model(tp(1, 'llama-2-7b', 'H100')).profileChoice.extrapolated).toBe(false);
    const mi300 = model(tp(1, 'llama-2-7b', 'MI300X')).profileChoice;
    expect(mi300.extrapolated).toBe(true);
    expect(mi300.note).toMatch(/extrapolated from H100, GEMM efficiency ×0\.64/);
    expect(model(tp(1, 'llama-2-7b', 'L40S')).profileChoice.note).toMatch(/extrapolated from A40/);
  });
});

describe('decodeLinearCost', () => {
  it('matches the stage time, FLOPs and bytes of decode-only batches at any context', () => {
    for (const name of ['llama-2-7b', 'mixtral-8x7b', 'llama-3.1-8b']) {
      const perf = model({ modelSpec: { name }, clusterSpec: { gpuSpec: { name: 'H100' } } });
      for (const sequences of [1, 13, 128]) {
        const cost = perf.decodeLinearCost(sequences);
        for (const context of [sequences * 10, sequences * 700, sequences * 4000]) {
          const batch = {
            prefillChunks: [],
            prefillContexts: [],
            decodeSequences: sequences,
            decodeContextTokens: context,
          };
          const stage = perf.stageTime(batch, 0);
          expect(Math.abs(cost.fixedS + cost.perContextTokenS * context - stage) / stage).toBeLessThan(1e-12);
          expect(cost.flops0 + cost.flops1 * context).toBeCloseTo(perf.flopsOf(batch), -3);
          expect(cost.bytes0 + cost.bytes1 * context).toBeCloseTo(perf.bytesOf(batch), -3);
        }
      }
    }
  });
});
