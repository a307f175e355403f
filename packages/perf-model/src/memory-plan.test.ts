import {
  createPerfModel,
  type EngineProfile,
  maxConcurrentSequences,
  memoryPlan,
  RUNTIME_OVERHEAD_BYTES,
} from '@sim/perf-model';
import {
  type EngineProfileName,
  isSimError,
  MODEL_PRESETS,
  resolveConfig,
  type SimulatorConfig,
} from '@sim/specs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

const GIB = 2 ** 30;

/** The plan of a config under an engine profile; a named profile also sets the batching defaults (token budget, hence activations). */
function planOf(config: SimulatorConfig, engineProfile: EngineProfileName | EngineProfile = 'vllm') {
  const named = typeof engineProfile === 'string' ? { engineProfile } : {};
  return createPerfModel({ ...resolveConfig({ ...config, ...named }), engineProfile }).memory;
}
const layout = (
  name: string,
  gpu: SimulatorConfig['clusterSpec'] extends infer C ? (C extends { gpuSpec?: infer G } ? G : never) : never,
  tensorParallelSize: number,
  pipelineParallelSize = 1,
): SimulatorConfig => ({
  modelSpec: { name },
  clusterSpec: { nGpusPerNode: tensorParallelSize * pipelineParallelSize, gpuSpec: gpu },
  parallelismSpec: { tensorParallelSize, pipelineParallelSize },
});

describe('memory plan', () => {
  it('llama-2-7b on one A100-80GB (80 GiB): 80 GiB × 0.9 − weights − activations − 1 GiB of KV cache, ~119k tokens', () => {
    const plan = planOf({ modelSpec: { name: 'llama-2-7b' } });
    expect(plan.fits).toBe(true);
    expect(plan.totalBytesPerGpu).toBe(80 * GIB);
    expect(plan.weightBytesPerGpu / 1e9).toBeCloseTo(13.48, 1);
    expect(plan.kvBytesPerToken).toBe(2 * 32 * 32 * 128 * 2);
    const kvBytes = 80 * GIB * 0.9 - 6.74e9 * 2 - plan.activationBytesPerGpu - GIB;
    expect(plan.kvCacheBytesPerGpu).toBeCloseTo(kvBytes, 0);
    expect(plan.kvCapacityTokens).toBe(Math.floor(kvBytes / (plan.kvBytesPerToken * 16)) * 16);
    expect(plan.kvCapacityTokens).toBe(119_216);
    expect(plan.kvCapacityTokens % plan.blockSize).toBe(0);
    expect(maxConcurrentSequences(plan, 640)).toBe(Math.floor(plan.kvCapacityBlocks / 40));
    expect(plan.warnings).toEqual([]);
    expect(plan.verdict).toMatch(
      /80\.0 GiB × gpuMemoryUtilization 0\.9 = 72\.0 GiB usable.*119,216 KV tokens/,
    );
  });

  it('weights that do not fit are reported in GiB, with a fix that holds a max-length sequence', () => {
    const plan = planOf(layout('llama-2-70b', { name: 'A100-80GB' }, 1));
    expect(plan.fits).toBe(false);
    expect(plan.kvCapacityTokens).toBe(0);
    expect(plan.verdict).toMatch(
      /does not fit on A100-80GB with TP 1, PP 1: weights 128\.5 GiB .* 72\.0 GiB usable.*Fixes: TP 2 \(2 GPUs: [\d,]+ KV tokens\)/,
    );
  });

  it('TP shards weights and KV heads', () => {
    const two = planOf(layout('llama-2-70b', { name: 'A100-80GB' }, 2));
    const four = planOf(layout('llama-2-70b', { name: 'A100-80GB' }, 4));
    expect(four.weightBytesPerGpu).toBeCloseTo(two.weightBytesPerGpu / 2, 0);
    expect(four.kvBytesPerToken).toBe(two.kvBytesPerToken / 2);
    expect(four.kvCapacityTokens).toBeGreaterThan(2 * two.kvCapacityTokens);
  });
});

describe('DeepSeek-V3 (MLA, 256 experts, FP8)', () => {
  it('fits on 8× H200 and not on 8× H100-80GB', () => {
    const h200 = planOf(layout('deepseek-v3', { name: 'H200-141GB' }, 8));
    expect(h200.fits).toBe(true);
    // 671e9 FP8 bytes over 8 GPUs, the embedding and LM head (129,280 × 7,168 each) at bf16: 84.1 GB
    // each, more than an H100's 0.9 × 80 GiB.
    expect(h200.weightBytesPerGpu).toBeCloseTo((671e9 + 2 * 129280 * 7168) / 8, -3);
    expect(h200.kvCapacityTokens).toBeGreaterThan(100_000);
    const h100 = planOf(layout('deepseek-v3', { name: 'H100-80GB' }, 8));
    expect(h100.fits).toBe(false);
    expect(h100.verdict).toMatch(/does not fit on H100-80GB with TP 8/);
  });

  it('holds an MLA-sized KV cache: 576 elements per token and layer, about 70 KB per token at bf16, on every rank', () => {
    const plan = planOf(layout('deepseek-v3', { name: 'H200-141GB' }, 8));
    expect(plan.kvBytesPerToken).toBe((512 + 64) * 2 * 61);
    expect(plan.kvBytesPerToken / 1000).toBeCloseTo(70.3, 1);
    // Not the naive multi-head figure: keys and values of 128 heads of 192 + 128 elements, 61 layers.
    const naive = 128 * (192 + 128) * 2 * 61;
    expect(naive / plan.kvBytesPerToken).toBeGreaterThan(70);
    // The latent is not split by tensor parallelism (every rank holds it whole), unlike KV heads.
    const four = planOf({
      ...layout('deepseek-v3', { name: 'B200' }, 4),
    });
    expect(four.kvBytesPerToken).toBe(plan.kvBytesPerToken);
  });
});

describe('device memory and the engine profile decide the KV cache', () => {
  const h100 = { name: 'H100-80GB' };
  const fp8 = (config: SimulatorConfig): SimulatorConfig => ({
    ...config,
    modelSpec: { name: 'llama-3-70b', weightDtype: 'fp8' },
  });

  it('the H100 has the 81,559 MiB its driver reports, not 80e9 bytes', () => {
    expect(planOf(layout('llama-3-70b', h100, 2)).totalBytesPerGpu).toBe(81_559 * 2 ** 20);
  });

  it('TensorRT-LLM serves Llama-3-70B bf16 on 2× H100-80GB: 0.9 of the free memory, ~69.8k KV tokens', () => {
    const plan = planOf(layout('llama-3-70b', h100, 2), 'trtllm');
    expect(plan.fits).toBe(true);
    expect(plan.kvCacheSizing).toBe('fraction-of-free');
    const fixed = plan.weightBytesPerGpu + plan.activationBytesPerGpu + RUNTIME_OVERHEAD_BYTES;
    expect(plan.kvCacheBytesPerGpu).toBeCloseTo(0.9 * (81_559 * 2 ** 20 - fixed), 0);
    expect(plan.kvCapacityTokens).toBe(69_808);
    expect(plan.warnings).toEqual([]);
  });

  it('TensorRT-LLM serves Llama-3-70B fp8 on one H100-80GB: ~65.5k KV tokens', () => {
    const plan = planOf(fp8(layout('llama-3-70b', h100, 1)), 'trtllm');
    expect(plan.fits).toBe(true);
    expect(plan.kvCapacityTokens).toBe(65_472);
    expect(plan.warnings).toEqual([]);
  });

  it('vLLM on the same GPUs: gpu_memory_utilization of the whole GPU, less weights, activations and runtime', () => {
    // vLLM v0's batching defaults (an 8192-token budget) set the activation reserve these numbers assume.
    const bf16 = planOf(layout('llama-3-70b', h100, 2), 'vllm-v0');
    expect(bf16.kvCacheSizing).toBe('fraction-of-total');
    const fixed = bf16.weightBytesPerGpu + bf16.activationBytesPerGpu + RUNTIME_OVERHEAD_BYTES;
    expect(bf16.kvCacheBytesPerGpu).toBeCloseTo(0.9 * 81_559 * 2 ** 20 - fixed, 0);
    expect(bf16.kvCapacityTokens).toBe(25_360);
    expect(planOf(fp8(layout('llama-3-70b', h100, 1)), 'vllm-v0').kvCapacityTokens).toBe(20_544);
  });

  it('the memory rule is the engine profile’s: a custom profile can choose either', () => {
    const config = resolveConfig({ ...layout('llama-3-70b', h100, 2), engineProfile: 'vllm-v0' });
    const free = memoryPlan(
      config.modelSpec,
      config.clusterSpec,
      config.parallelismSpec,
      config.schedulerSpec,
      'fraction-of-free',
    );
    expect(free.kvCapacityTokens).toBe(69_808);
    expect(
      memoryPlan(config.modelSpec, config.clusterSpec, config.parallelismSpec, config.schedulerSpec),
    ).toMatchObject({
      kvCapacityTokens: 25_360,
    });
  });
});

describe('a KV cache too small for one max-length sequence', () => {
  // The case: 70B on A100-40GB counted as 40e9 bytes left 880 tokens at TP 4, and the
  // verdict at TP 2 suggested "TP 4?" (with vLLM v0's batching defaults, which set the activations).
  const decimalA100 = { name: 'A100-40GB', memoryBytes: 40e9 };

  it('says so as a warning with the number and a fix that holds one (here TP 8)', () => {
    const plan = planOf(layout('llama-2-70b', decimalA100, 4), 'vllm-v0');
    expect(plan.fits).toBe(true);
    expect(plan.kvCapacityTokens).toBe(880);
    expect(plan.warnings).toHaveLength(1);
    expect(plan.warnings[0]).toMatch(
      /^KV cache holds 880 tokens, less than one max-length sequence \(maxContextLength 4,096\): requests longer than 880 tokens \(prompt \+ output\) will be rejected; use TP 8 \(8 GPUs: [\d,]+ KV tokens\)/,
    );
  });

  it('does not suggest a layout that would leave it too small (TP 2 does not fit: TP 8, not TP 4)', () => {
    const plan = planOf(layout('llama-2-70b', decimalA100, 2));
    expect(plan.fits).toBe(false);
    expect(plan.verdict).toMatch(/Fixes: TP 8 \(8 GPUs/);
  });

  it('with pipeline parallelism, the limit is one virtual engine’s share of the blocks', () => {
    const plan = planOf(
      { ...layout('llama-2-70b', decimalA100, 4, 2), schedulerSpec: { gpuMemoryUtilization: 0.472 } },
      'vllm-v0',
    );
    expect(plan.fits).toBe(true);
    const perEngine = Math.floor(plan.kvCapacityBlocks / 2) * plan.blockSize;
    // The whole cache would hold a 4,096-token sequence; one virtual engine's half does not.
    expect(plan.kvCapacityTokens).toBeGreaterThanOrEqual(4096);
    expect(perEngine).toBeLessThan(4096);
    expect(plan.warnings[0]).toContain(
      `(${perEngine.toLocaleString('en-US')} for each of the 2 pipeline virtual engines)`,
    );
  });

  it('the suggested layout always holds one max-length sequence (property over presets, GPUs and memory use)', () => {
    const models = Object.keys(MODEL_PRESETS);
    fc.assert(
      fc.property(
        fc.constantFrom(...models),
        fc.constantFrom('A100-40GB', 'A100-80GB', 'H100-80GB', 'L40S', 'L4'),
        fc.constantFrom(1, 2, 4),
        fc.double({ min: 0.3, max: 0.95, noNaN: true }),
        fc.constantFrom<EngineProfileName>('vllm', 'vllm-v0', 'trtllm'),
        (name, gpu, tensorParallelSize, gpuMemoryUtilization, engine) => {
          let plan: ReturnType<typeof planOf>;
          const config = {
            ...layout(name, { name: gpu }, tensorParallelSize),
            schedulerSpec: { gpuMemoryUtilization },
          };
          try {
            plan = planOf(config, engine);
          } catch (error) {
            if (isSimError(error)) return; // a TP that does not split the heads
            throw error;
          }
          const message = plan.fits ? plan.warnings[0] : plan.verdict;
          if (message === undefined) return;
          const suggested = /use TP (\d+)(?: × PP (\d+))?|Fixes: TP (\d+)(?: × PP (\d+))?/.exec(message);
          if (suggested === null) return; // nothing up to 64 GPUs holds one: only precision or a bigger GPU
          const tp = Number(suggested[1] ?? suggested[3]);
          const pp = Number(suggested[2] ?? suggested[4] ?? 1);
          const fixed = planOf({ ...config, ...layout(name, { name: gpu }, tp, pp) }, engine);
          expect(fixed.fits, message).toBe(true);
          expect(fixed.warnings, message).toEqual([]);
        },
      ),
      { numRuns: 300, seed: 4 },
    );
  });
});
