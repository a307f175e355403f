import type { AttentionEfficiency, ElementwiseOperator, GemmEfficiency } from './calibration-profile';

/** The peaks an operator runs against: one GPU, in SI units. */
export interface DevicePeaks {
  /** Dense FLOP/s at the compute dtype (FP8 peak for fp8 weights where the GPU has it). */
  readonly flopsPerSecond: number;
  /** Device-memory bytes per second. */
  readonly bytesPerSecond: number;
}

/** FLOPs and bytes one operator moves, and its modelled time. */
export interface OperatorCost {
  readonly seconds: number;
  readonly flops: number;
  readonly bytes: number;
}

/**
 * Time of one dense GEMM [M×K]·[K×N]: the smooth roofline maximum of the compute and memory
 * times, plus launch latency. Compute efficiency rises with M (small-M GEMMs are memory-bound and
 * leave tensor cores idle): ηc(M) = ηc · M / (M + M½).
 */
export function gemmCost(
  m: number,
  n: number,
  k: number,
  weightBytesPerElement: number,
  activationBytesPerElement: number,
  peaks: DevicePeaks,
  gemm: GemmEfficiency,
): OperatorCost {
  if (m <= 0) return { seconds: 0, flops: 0, bytes: 0 };
  const flops = 2 * m * n * k;
  const bytes = (m * k + m * n) * activationBytesPerElement + k * n * weightBytesPerElement;
  const computeEfficiency = (gemm.computeEfficiency * m) / (m + gemm.halfEfficiencyTokens);
  const computeSeconds = flops / (peaks.flopsPerSecond * computeEfficiency);
  const memorySeconds = bytes / (peaks.bytesPerSecond * gemm.memoryEfficiency);
  const p = gemm.smoothing;
  const seconds = gemm.launchUs * 1e-6 + (computeSeconds ** p + memorySeconds ** p) ** (1 / p);
  return { seconds, flops, bytes };
}

/** Ideal bytes moved per element by each element-wise kernel kind (16-bit activations, read + write). */
export const ELEMENTWISE_BYTES_PER_ELEMENT: Readonly<Record<ElementwiseOperator, number>> = {
  embedding: 2, // gather one row: write (the read is the same size, from a table)
  norm: 4, // read x, write y
  rope: 4, // read q/k, write q/k
  activation: 6, // SwiGLU: read gate and up, write one (a plain GELU MLP moves 4, see layer-geometry.ts)
  residualAdd: 6, // read two, write one
};

/** Time of an element-wise kernel moving `bytesPerElement` per value over `elements` values at fitted `efficiency`. */
export function elementwiseCost(
  elements: number,
  bytesPerElement: number,
  efficiency: number,
  launchUs: number,
  peaks: DevicePeaks,
): OperatorCost {
  if (elements <= 0) return { seconds: 0, flops: 0, bytes: 0 };
  const bytes = elements * bytesPerElement;
  return { seconds: launchUs * 1e-6 + bytes / (peaks.bytesPerSecond * efficiency), flops: elements, bytes };
}

/**
 * FLOPs of causal attention for one prefill chunk of `chunk` new tokens after `context` cached
 * tokens, for `heads` query heads of size `headDim`: QKᵀ and PV, 2 FLOPs per multiply-add, each new
 * token attending to the cached tokens and the new tokens before it (in a local layer, to the
 * last `window` of them).
 */
export function prefillAttentionFlops(
  chunk: number,
  context: number,
  heads: number,
  headDim: number,
  window = Number.POSITIVE_INFINITY,
): number {
  if (window === Number.POSITIVE_INFINITY)
    return 4 * headDim * heads * (chunk * context + (chunk * (chunk + 1)) / 2);
  return 4 * headDim * heads * (attendedPairs(context + chunk, window) - attendedPairs(context, window));
}

/**
 * Query-key pairs of causal attention over the first `tokens` tokens of a sequence when each token
 * attends to at most `window` tokens (itself included): Σ min(i, window) for i = 1..tokens.
 */
export function attendedPairs(tokens: number, window: number): number {
  return tokens <= window
    ? (tokens * (tokens + 1)) / 2
    : (window * (window + 1)) / 2 + (tokens - window) * window;
}

/**
 * Seconds of prefill attention compute for one chunk (launch not included; one launch per batch).
 * The new tokens' attention to the cached context and their causal attention to each other run at
 * different efficiencies (masked tiles waste part of the causal work), both rising with chunk length.
 */
export function prefillAttentionSeconds(
  chunk: number,
  context: number,
  heads: number,
  headDim: number,
  peaks: DevicePeaks,
  attention: AttentionEfficiency,
  window = Number.POSITIVE_INFINITY,
): number {
  const ramp = chunk / (chunk + attention.prefillHalfEfficiencyTokens);
  const perPair = 4 * headDim * heads;
  let contextFlops = perPair * chunk * context;
  let causalFlops = (perPair * chunk * (chunk + 1)) / 2;
  if (window !== Number.POSITIVE_INFINITY) {
    // A local layer: each token attends to at most `window` tokens, its chunk's first.
    const causalPairs = attendedPairs(chunk, window);
    causalFlops = perPair * causalPairs;
    contextFlops =
      perPair * (attendedPairs(context + chunk, window) - attendedPairs(context, window) - causalPairs);
  }
  return (
    contextFlops / (peaks.flopsPerSecond * attention.prefillComputeEfficiency * ramp) +
    causalFlops / (peaks.flopsPerSecond * attention.prefillCausalComputeEfficiency * ramp)
  );
}

/**
 * Seconds of one decode-attention kernel over `sequences` sequences whose contexts sum to
 * `contextTokens`: reading the KV cache is memory-bound.
 */
export function decodeAttentionCost(
  sequences: number,
  contextTokens: number,
  kvBytesPerToken: number,
  peaks: DevicePeaks,
  attention: AttentionEfficiency,
): OperatorCost {
  if (sequences <= 0) return { seconds: 0, flops: 0, bytes: 0 };
  const bytes = contextTokens * kvBytesPerToken;
  const seconds =
    attention.decodeLaunchUs * 1e-6 +
    sequences * attention.decodePerSequenceUs * 1e-6 +
    bytes / decodeAttentionBandwidth(peaks, attention);
  return { seconds, flops: 0, bytes };
}

/** Bytes per second decode attention reads the KV cache at: the linear term of decodeAttentionCost is bytes / this. */
export function decodeAttentionBandwidth(peaks: DevicePeaks, attention: AttentionEfficiency): number {
  return peaks.bytesPerSecond * attention.decodeMemoryEfficiency;
}
