/**
 * A GPU family's fitted efficiency curves: the data the roofline model multiplies the datasheet
 * peaks by. Written by `pnpm calibrate` into `data/calibration-profiles/*.json` from the measured
 * kernel times in `../shared/calibration/vidur`; see docs/perf-model.md for every equation.
 */
export interface CalibrationProfile {
  /** Family id (`a100`, `h100`, `a40`). */
  readonly family: string;
  /** Where the numbers come from, and the datasheet peaks they were fitted against. */
  readonly provenance: {
    readonly source: string;
    readonly referenceGpu: string;
    readonly fittedOn: string;
    readonly heldOut: string;
  };
  /** Dense GEMMs: t = launch + (tc^p + tm^p)^(1/p), tc = FLOPs / (peak · ηc(M)), tm = bytes / (bandwidth · ηm). */
  readonly gemm: GemmEfficiency;
  /** Memory-bound element-wise kernels: t = launch + elements · idealBytesPerElement / (bandwidth · η_op). */
  readonly elementwise: ElementwiseEfficiency;
  /** Attention kernels (FlashAttention / paged attention). */
  readonly attention: AttentionEfficiency;
  /** NCCL collectives. */
  readonly communication: CommunicationEfficiency;
  /** Fit quality on the rows used for fitting and on the held-out rows (median |error|, %). */
  readonly fitQuality?: Readonly<Record<string, number>>;
}

export interface GemmEfficiency {
  /** Fraction of the dense peak large GEMMs reach (ηc at large M). */
  readonly computeEfficiency: number;
  /** Token count M at which compute efficiency is half its maximum (small-M GEMMs under-use tensor cores). */
  readonly halfEfficiencyTokens: number;
  /** Fraction of peak memory bandwidth weight streaming reaches (ηm). */
  readonly memoryEfficiency: number;
  /** Exponent p of the smooth maximum of the compute and memory times (large p = sharp roofline corner). */
  readonly smoothing: number;
  /** Fixed cost of one GEMM kernel, in microseconds. */
  readonly launchUs: number;
}

export interface ElementwiseEfficiency {
  /** Fixed cost of one element-wise kernel, in microseconds. */
  readonly launchUs: number;
  /** Achieved fraction of peak bandwidth per kernel kind (ideal bytes moved / (time × bandwidth)). */
  readonly efficiency: Readonly<Record<ElementwiseOperator, number>>;
}

/** Element-wise kernels in one layer (plus the embedding lookup). */
export type ElementwiseOperator = 'embedding' | 'norm' | 'rope' | 'activation' | 'residualAdd';

export interface AttentionEfficiency {
  /** Prefill: fraction of peak FLOP/s reached on the new tokens' attention to the cached context (long chunks). */
  readonly prefillComputeEfficiency: number;
  /** Prefill: fraction of peak FLOP/s reached on the causal (new-to-new) part, where masked tiles waste work. */
  readonly prefillCausalComputeEfficiency: number;
  /** Prefill: chunk length (tokens) at which efficiency is half its maximum. */
  readonly prefillHalfEfficiencyTokens: number;
  /** Prefill: fixed cost per kernel, in microseconds. */
  readonly prefillLaunchUs: number;
  /** Decode: fraction of peak bandwidth reached reading the KV cache. */
  readonly decodeMemoryEfficiency: number;
  /** Decode: fixed cost per kernel, in microseconds. */
  readonly decodeLaunchUs: number;
  /** Decode: extra cost per sequence in the batch (block-table walk, scheduling), in microseconds. */
  readonly decodePerSequenceUs: number;
}

export interface LinkEfficiency {
  /** Latency per algorithm step α, in microseconds. */
  readonly latencyUs: number;
  /** Fraction of the nominal link bandwidth reached for large messages. */
  readonly bandwidthEfficiency: number;
}

export interface CommunicationEfficiency {
  /** All-reduce within a node (NVLink/NVSwitch). */
  readonly allReduceIntraNode: LinkEfficiency;
  /** All-reduce across nodes. */
  readonly allReduceInterNode: LinkEfficiency;
  /** Point-to-point send/recv within a node. */
  readonly sendRecvIntraNode: LinkEfficiency;
  /** Point-to-point send/recv across nodes. */
  readonly sendRecvInterNode: LinkEfficiency;
}
