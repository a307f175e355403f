import type { BuiltInEngineProfileName, EngineProfileName } from '@sim/specs';
import fitted from '../data/engine-profiles.json';
import vllmOverhead from '../data/vllm-cpu-overhead.json';
import vllmV1 from '../data/vllm-v1-profile.json';

/**
 * How a serving engine sizes its KV cache from a GPU's memory; f is the config's
 * `schedulerSpec.gpuMemoryUtilization` (default 0.9) in both rules.
 * - `fraction-of-total` (vLLM's gpu_memory_utilization): the engine may use f × the GPU's memory
 *   for everything; the KV cache gets what weights, peak activations and non-torch memory (CUDA
 *   context, NCCL and cuBLAS workspaces) leave of it.
 * - `fraction-of-free` (TensorRT-LLM's kv_cache_free_gpu_mem_fraction): after loading the weights
 *   and reserving activations, the engine gives f of the memory still free to the KV cache.
 */
export type KvCacheSizing = 'fraction-of-total' | 'fraction-of-free';

/**
 * A serving engine's fingerprint: what it adds around the GPU kernels. CPU overhead is paid once
 * per iteration (scheduling, input preparation, sampling, output processing) and is not
 * overlapped with the GPU in the engines modelled here.
 */
export interface EngineProfile {
  /** The name configs select it by (`engineProfile`). */
  readonly name: EngineProfileName;
  /** What the profile models, in a sentence. */
  readonly description: string;
  /** Fixed CPU time per iteration, in microseconds. */
  readonly cpuOverheadBaseUs: number;
  /** CPU time per sequence in the batch per iteration, in microseconds. */
  readonly cpuOverheadPerSequenceUs: number;
  /** Multiplier on the calibrated GEMM and attention compute efficiencies (kernel quality relative to vLLM's). */
  readonly computeEfficiencyScale: number;
  /**
   * Multiplier on the GEMM's half-efficiency token count (the M at which a GEMM reaches half its
   * peak efficiency): below 1, the engine's GEMM kernels use the tensor cores better on small
   * batches than the profiled ones (e.g. Hopper wgmma kernels in today's cuBLAS/CUTLASS).
   */
  readonly gemmHalfEfficiencyScale: number;
  /** Multiplier on the calibrated memory-bandwidth efficiencies. */
  readonly memoryEfficiencyScale: number;
  /**
   * Further multiplier on the GEMM memory efficiency when weights are weight-only quantized
   * (`int8`, `int4`): dequantizing in the kernel keeps it from streaming the smaller weights at
   * full bandwidth. 1 means a quantized weight byte costs the same as a 16-bit one.
   */
  readonly quantizedWeightEfficiency: { readonly int8: number; readonly int4: number };
  /**
   * Multiplier on the per-step latency of tensor-parallel all-reduces. NCCL launched eagerly pays
   * its full latency (1, as profiled); engines that capture CUDA graphs or use custom one-shot
   * all-reduce kernels for small messages pay less.
   */
  readonly collectiveLatencyScale: number;
  /** How the engine sizes its KV cache (see {@link KvCacheSizing}). */
  readonly kvCacheSizing: KvCacheSizing;
  /**
   * Whether the CPU work of an iteration (scheduling, input preparation, output processing) runs
   * while the GPU executes the previous iteration (vLLM V1's async scheduling, SGLang's overlapped
   * scheduler). Then an iteration takes max(CPU, GPU) instead of CPU + GPU.
   */
  readonly overlapsCpu: boolean;
  /**
   * CUDA graphs: iterations of at most `maxTokens` tokens replay a captured graph, so every kernel's
   * fixed (launch) cost is multiplied by `launchScale`. `maxTokens` 0: no graphs (eager launches,
   * as Vidur's kernel profiles were measured).
   */
  readonly cudaGraphs: { readonly maxTokens: number; readonly launchScale: number };
  /**
   * Iterations between a request's arrival and the moment its engine can schedule it, as a multiple
   * of the iteration in flight when it arrives: vLLM V1's API server tokenizes the prompt and hands
   * it to the engine-core process, which takes new requests in between iterations, and hands
   * outputs back the same way. An idle engine takes a request at once. Adds to TTFT, end-to-end
   * latency and queueing delay, not to the gaps between tokens. 0: a request can join the next
   * iteration.
   */
  readonly admissionDelayIterations: number;
  /** Whether the numbers were fitted to measurements (true) or are documented assumptions (false). */
  readonly calibrated: boolean;
  /** Where the numbers come from. */
  readonly source: string;
}

/**
 * The built-in engine profiles. `vllm` is the default; see docs/perf-model.md and
 * docs/validation.md. Look a config's name up with `engineProfileNamed` (it knows registered
 * profiles too).
 */
export const ENGINE_PROFILES: Readonly<Record<BuiltInEngineProfileName, EngineProfile>> = {
  vllm: {
    name: 'vllm',
    description:
      "vLLM V1 (0.10+): chunked prefill (2048-token budget, decodes first), prefix caching, CUDA graphs up to 512 tokens, custom all-reduce; Vidur's kernel profiles with the fitted V1 factors",
    cpuOverheadBaseUs: vllmV1.cpuOverheadBaseUs,
    cpuOverheadPerSequenceUs: vllmV1.cpuOverheadPerSequenceUs,
    computeEfficiencyScale: vllmV1.computeEfficiencyScale,
    gemmHalfEfficiencyScale: vllmV1.gemmHalfEfficiencyScale,
    memoryEfficiencyScale: vllmV1.memoryEfficiencyScale,
    quantizedWeightEfficiency: fitted['gpt-fast'].quantizedWeightEfficiency,
    collectiveLatencyScale: vllmV1.collectiveLatencyScale,
    kvCacheSizing: 'fraction-of-total',
    overlapsCpu: vllmV1.overlapsCpu,
    cudaGraphs: { maxTokens: vllmV1.cudaGraphMaxTokens, launchScale: vllmV1.launchScale },
    admissionDelayIterations: vllmV1.admissionDelayIterations,
    calibrated: true,
    source: `${vllmV1.source}; weight-only quantization efficiency borrowed from gpt-fast's fit`,
  },
  'vllm-v0': {
    name: 'vllm-v0',
    description:
      'vLLM v0 (2023-era: Python scheduler, prefill-first iterations, no CUDA graphs for mixed batches): kernels as profiled by Vidur',
    cpuOverheadBaseUs: vllmOverhead.baseUs,
    cpuOverheadPerSequenceUs: vllmOverhead.perSequenceUs,
    computeEfficiencyScale: 1,
    gemmHalfEfficiencyScale: 1,
    memoryEfficiencyScale: 1,
    quantizedWeightEfficiency: fitted['gpt-fast'].quantizedWeightEfficiency,
    collectiveLatencyScale: 1,
    kvCacheSizing: 'fraction-of-total',
    overlapsCpu: false,
    cudaGraphs: { maxTokens: 0, launchScale: 1 },
    admissionDelayIterations: 0,
    calibrated: true,
    source: `${vllmOverhead.source}; weight-only quantization efficiency borrowed from gpt-fast's fit`,
  },
  trtllm: {
    name: 'trtllm',
    description: 'TensorRT-LLM (C++ runtime, in-flight batching, fused kernels)',
    ...fitted.trtllm,
    gemmHalfEfficiencyScale: 1,
    kvCacheSizing: 'fraction-of-free',
    overlapsCpu: false,
    cudaGraphs: { maxTokens: 0, launchScale: 1 },
    admissionDelayIterations: 0,
    calibrated: true,
  },
  sglang: {
    name: 'sglang',
    description:
      'SGLang (overlapped scheduler, RadixAttention prefix cache, chunked prefill, CUDA graphs for batches up to 256)',
    cpuOverheadBaseUs: 300,
    cpuOverheadPerSequenceUs: 5,
    computeEfficiencyScale: 1,
    gemmHalfEfficiencyScale: 1,
    memoryEfficiencyScale: 1,
    quantizedWeightEfficiency: fitted['gpt-fast'].quantizedWeightEfficiency,
    collectiveLatencyScale: 1,
    // SGLang's mem_fraction_static is a share of the whole GPU for weights and KV cache (close to vLLM's rule).
    kvCacheSizing: 'fraction-of-total',
    // SGLang's overlap scheduler prepares the next batch while the GPU runs this one.
    overlapsCpu: true,
    // cuda_graph_max_bs (256 on H100-class GPUs); graph replay as the fitted vLLM V1 launch factor.
    cudaGraphs: { maxTokens: 256, launchScale: vllmV1.launchScale },
    admissionDelayIterations: 0,
    calibrated: false,
    source:
      'assumption (no SGLang measurements in the calibration data): overlapped scheduler (CPU hidden behind the GPU), CUDA-graph replay up to 256 tokens with the launch factor fitted for vLLM V1, kernels as vLLM (Vidur), prefix caching on by default',
  },
  'gpt-fast': {
    name: 'gpt-fast',
    description: 'gpt-fast (torch.compile + CUDA graphs, batch-1 oriented)',
    ...fitted['gpt-fast'],
    gemmHalfEfficiencyScale: 1,
    kvCacheSizing: 'fraction-of-total',
    overlapsCpu: false,
    cudaGraphs: { maxTokens: 0, launchScale: 1 },
    admissionDelayIterations: 0,
    calibrated: true,
  },
  ideal: {
    name: 'ideal',
    description: 'GPU kernels only: no CPU overhead (a lower bound)',
    cpuOverheadBaseUs: 0,
    cpuOverheadPerSequenceUs: 0,
    computeEfficiencyScale: 1,
    gemmHalfEfficiencyScale: 1,
    memoryEfficiencyScale: 1,
    quantizedWeightEfficiency: { int8: 1, int4: 1 },
    collectiveLatencyScale: 1,
    kvCacheSizing: 'fraction-of-total',
    overlapsCpu: false,
    cudaGraphs: { maxTokens: 0, launchScale: 1 },
    admissionDelayIterations: 0,
    calibrated: true,
    source: 'by definition',
  },
};
