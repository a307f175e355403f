import type { ConfigInput } from './config-input';
/** One GPU model's datasheet numbers, fully resolved. */
export interface ResolvedGPUSpec {
  /** Preset name (`A100-80GB`, `H100`, ...) or a display name for a custom GPU. */
  readonly name: string;
  /** Dense (no sparsity) BF16/FP16 tensor-core peak, in TFLOP/s. A100: 312. */
  readonly computeTflops: number;
  /** Dense FP8 tensor-core peak, in TFLOP/s; 0 when the GPU has no FP8 (then fp8 runs at the 16-bit rate). */
  readonly fp8Tflops: number;
  /**
   * Device memory as the datasheet labels it, in GB. HBM datasheets count binary gigabytes: an
   * "80 GB" H100 carries 80 GiB (80 × 2^30 bytes) of HBM, as cloud catalogs list it (81,920 MiB).
   * A label for people; the memory plan divides {@link ResolvedGPUSpec.memoryBytes}.
   */
  readonly memorySizeGb: number;
  /**
   * Device memory the driver reports (nvidia-smi `memory.total`, rocm-smi VRAM total), in bytes:
   * the total a serving engine sizes its KV cache from. A little under the datasheet's GiB (the
   * driver reserves some; GDDR cards with ECC on lose 1/16: an L40S "48 GB" reports 46,068 MiB).
   * Default for a custom GPU, or when memorySizeGb is overridden: memorySizeGb × 2^30.
   */
  readonly memoryBytes: number;
  /** Peak device-memory (HBM/GDDR) bandwidth, in GB/s. */
  readonly memoryBandwidthGbs: number;
  /** Intra-node GPU-to-GPU bandwidth per GPU, one direction, in GB/s (NVLink/xGMI, or PCIe when there is none). */
  readonly interconnectBandwidthGbs: number;
  /** Host (CPU) link bandwidth per GPU, one direction, in GB/s; used for KV swapping. Default 25 (PCIe 4 x16, effective). */
  readonly hostBandwidthGbs: number;
  /** On-demand price per GPU-hour, in US dollars; 0 when unknown. */
  readonly pricePerHour: number;
}

/**
 * A GPU as the user writes it: a preset name alone (`{ name: 'A100-80GB' }`), a preset with
 * overrides, or a custom GPU with name, computeTflops, memorySizeGb and memoryBandwidthGbs (and
 * memoryBytes when the driver reports less than memorySizeGb GiB).
 */
export type GPUSpec = { name: string } & ConfigInput<Omit<ResolvedGPUSpec, 'name'>>;
