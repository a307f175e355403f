import type { EngineProfileName } from '@sim/specs';
import vllmOverhead from '../data/vllm-cpu-overhead.json';

/**
 * A serving engine's fingerprint: what it adds around the GPU kernels. CPU overhead is paid once
 * per iteration (scheduling, input preparation, sampling, output processing) and is not
 * overlapped with the GPU in the engines modelled here.
 */
export interface EngineProfile {
  readonly name: EngineProfileName;
  readonly description: string;
  /** Fixed CPU time per iteration, in microseconds. */
  readonly cpuOverheadBaseUs: number;
  /** CPU time per sequence in the batch per iteration, in microseconds. */
  readonly cpuOverheadPerSequenceUs: number;
  /** Multiplier on the calibrated GEMM and attention compute efficiencies (kernel quality relative to vLLM's). */
  readonly computeEfficiencyScale: number;
  /** Multiplier on the calibrated memory-bandwidth efficiencies. */
  readonly memoryEfficiencyScale: number;
  /** Whether the numbers were fitted to measurements (true) or are documented assumptions (false). */
  readonly calibrated: boolean;
  /** Where the numbers come from. */
  readonly source: string;
}

/** The engine profiles. `vllm` is the default; see docs/perf-model.md. */
export const ENGINE_PROFILES: Readonly<Record<EngineProfileName, EngineProfile>> = {
  vllm: {
    name: 'vllm',
    description:
      'vLLM (0.x, Python scheduler, no CUDA graphs for mixed batches): kernels as profiled by Vidur',
    cpuOverheadBaseUs: vllmOverhead.baseUs,
    cpuOverheadPerSequenceUs: vllmOverhead.perSequenceUs,
    computeEfficiencyScale: 1,
    memoryEfficiencyScale: 1,
    calibrated: true,
    source: vllmOverhead.source,
  },
  trtllm: {
    name: 'trtllm',
    description: 'TensorRT-LLM (C++ runtime, in-flight batching, fused kernels)',
    cpuOverheadBaseUs: 150,
    cpuOverheadPerSequenceUs: 2,
    computeEfficiencyScale: 1,
    memoryEfficiencyScale: 1,
    calibrated: false,
    source:
      'assumption: C++ runtime overhead of the order of 0.1 ms per iteration; kernels as vLLM until fitted',
  },
  sglang: {
    name: 'sglang',
    description: 'SGLang (overlapped scheduler, CUDA graphs for decode)',
    cpuOverheadBaseUs: 300,
    cpuOverheadPerSequenceUs: 5,
    computeEfficiencyScale: 1,
    memoryEfficiencyScale: 1,
    calibrated: false,
    source: 'assumption: partly overlapped Python scheduler; kernels as vLLM until fitted',
  },
  'gpt-fast': {
    name: 'gpt-fast',
    description: 'gpt-fast (torch.compile + CUDA graphs, batch-1 oriented)',
    cpuOverheadBaseUs: 30,
    cpuOverheadPerSequenceUs: 0,
    computeEfficiencyScale: 1,
    memoryEfficiencyScale: 1,
    calibrated: false,
    source: 'assumption: CUDA graphs leave only graph-launch overhead; kernels as vLLM until fitted',
  },
  ideal: {
    name: 'ideal',
    description: 'GPU kernels only: no CPU overhead (a lower bound)',
    cpuOverheadBaseUs: 0,
    cpuOverheadPerSequenceUs: 0,
    computeEfficiencyScale: 1,
    memoryEfficiencyScale: 1,
    calibrated: true,
    source: 'by definition',
  },
};
