import { isMla, type ResolvedConfig, weightFormats } from '@sim/specs';
import type { PerfModel } from './perf-model';
import { FP8_GEMM_EFFICIENCY_RATIO } from './weight-kernels';

/** Parameter counts (billions) spanned by the kernel-level profiles (Llama-2-7B … Qwen-72B). */
export const PROFILED_PARAMETERS_B = [6, 73] as const;

/**
 * What a prediction for `config` extrapolates beyond the calibration data (the engine reports these
 * as `statistics.confidence`): a GPU without its own kernel profile, an engine profile that is not
 * fitted, MoE routing, quantized kernels, model sizes outside the profiled range, and tensor
 * parallelism across nodes. `calibrationNotes` (about a calibration file applied to the run) follow
 * the kernel-profile note.
 */
export function confidenceNotes(
  config: ResolvedConfig,
  perf: PerfModel,
  calibrationNotes: readonly string[] = [],
): string[] {
  const notes: string[] = [];
  const choice = perf.profileChoice;
  if (choice.extrapolated) notes.push(choice.note);
  notes.push(...calibrationNotes);
  if (!perf.engine.calibrated)
    notes.push(`engine profile "${perf.engine.name}" is not fitted to measurements: ${perf.engine.source}`);
  const model = config.modelSpec;
  if (model.numExperts > 1)
    notes.push('mixture-of-experts routing is modelled as uniform over experts; no MoE kernel was profiled');
  if (isMla(model))
    notes.push(
      'multi-head latent attention (MLA) is costed from its geometry (the latent read by decode attention, its projections as GEMMs); no MLA kernel was profiled or measured end to end',
    );
  if (config.parallelismSpec.expertParallel)
    notes.push(
      'expert parallelism assumes every replica of the group runs a batch like this one (they step in lockstep in vLLM, with dummy batches when idle; here each replica runs on its own) and costs the all-to-alls as point-to-point transfers at the link bandwidth; not calibrated',
    );
  if (model.numSharedExperts > 0 || model.nDenseLayers > 0)
    notes.push(
      'shared experts and dense layers of an MoE model are costed as dense MLPs averaged over the layers (a pipeline stage is assumed to hold the average mix)',
    );
  const formats = new Set(weightFormats(model));
  for (const dtype of ['int8', 'int4'] as const)
    if (formats.has(dtype))
      notes.push(
        `${dtype} weight-only GEMMs: the dequantization efficiency is fitted to gpt-fast batch-1 decode on A100 only`,
      );
  if (formats.has('mxfp4'))
    notes.push(
      'mxfp4 weights: dequantized at the 16-bit rate with the int4 dequantization efficiency (no mxfp4 kernel was measured; GPUs with native FP4 would run them faster)',
    );
  if (formats.has('fp8')) {
    const hopper = config.clusterSpec.gpuSpec.architecture === 'hopper';
    notes.push(
      `fp8 weights: GEMMs at the FP8 peak × ${FP8_GEMM_EFFICIENCY_RATIO}, the ratio measured on an H200 (cuBLAS)${hopper ? '' : `, assumed for ${config.clusterSpec.gpuSpec.name}`}; checked end to end only against TensorRT-LLM static and TTFT tables (H100, H200, L40S)`,
    );
  }
  const layers = perf.attentionLayers;
  if (layers.local > 0)
    notes.push(
      `${layers.local} of ${model.nLayers} layers attend locally (${model.chunkedAttention ? `chunks of ${layers.window} tokens, costed as a sliding window: an upper bound` : `a ${layers.window}-token window`}); their decode reads are estimated from the batch's total context (exact when all contexts are on the same side of the window), and no local-attention kernel was measured`,
    );
  const billions = model.nParams / 1e9;
  const [low, high] = PROFILED_PARAMETERS_B;
  if (billions < low || billions > high)
    notes.push(
      `${billions.toFixed(1)}B parameters is outside the ${low}–${high}B range of the kernel profiles: GEMM shapes are extrapolated`,
    );
  if (config.parallelismSpec.tensorParallelSize > config.clusterSpec.nGpusPerNode)
    notes.push('tensor parallelism across nodes uses the A100 DGX inter-node all-reduce fit');
  return notes;
}
