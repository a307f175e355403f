import type { ConfigInput } from './config-input';

/**
 * GPU architecture classes, as far as they matter for transferring fitted kernel efficiencies
 * from a profiled GPU to one without a profile (the perf model's profile choice):
 * - `volta`: NVIDIA V100, Titan V.
 * - `ampere`: NVIDIA A100, A800, A30 (HBM) and A40, A10, A10G, A16, A2, RTX A6000/A5000, RTX 30xx (GDDR).
 * - `ada`: NVIDIA Ada Lovelace: L4, L40, L40S, L20, RTX 6000 Ada, RTX 40xx (all GDDR).
 * - `hopper`: NVIDIA H100 (SXM, PCIe, NVL), H800, H20, H200, GH200 (all HBM).
 * - `blackwell`: NVIDIA Blackwell, both the data-center parts with HBM (B100, B200, B300, GB200, GB300)
 *   and the workstation/consumer parts with GDDR7 (RTX PRO 6000/5000/4500/4000 Blackwell, RTX 50xx):
 *   {@link ResolvedGPUSpec.memoryType} tells them apart.
 * - `cdna3`: AMD Instinct MI300X, MI300A, MI308X, MI325X (HBM).
 * - `other`: anything else (older or other vendors' parts: MI250X and earlier CDNA, MI355X, Gaudi, TPU,
 *   Turing T4, ...), and custom GPUs whose name is not recognised.
 */
export const GPU_ARCHITECTURES = ['volta', 'ampere', 'ada', 'hopper', 'blackwell', 'cdna3', 'other'] as const;
/** One of {@link GPU_ARCHITECTURES}. */
export type GpuArchitecture = (typeof GPU_ARCHITECTURES)[number];

/**
 * Device-memory technology: `hbm` (stacked HBM2/2e/3/3e next to the die: data-center parts, 1.5 to
 * 8 TB/s) or `gddr` (GDDR6/6X/7 on the board: workstation, consumer and inference cards such as
 * L4, L40S, A40, RTX 4090, RTX PRO 6000, 0.3 to 1.8 TB/s).
 */
export const MEMORY_TYPES = ['hbm', 'gddr'] as const;
/** One of {@link MEMORY_TYPES}. */
export type MemoryType = (typeof MEMORY_TYPES)[number];

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
  /**
   * Architecture class (see {@link GPU_ARCHITECTURES} for which GPU is which). The perf model uses it,
   * with {@link ResolvedGPUSpec.memoryType}, to pick the calibration profile of a GPU that has none
   * of its own. Default: the preset's; for a custom GPU, {@link inferGpuArchitecture} of its name
   * (`other` when the name is not recognised).
   */
  readonly architecture: GpuArchitecture;
  /**
   * Device-memory technology (`hbm` or `gddr`). Default: the preset's; for a custom GPU,
   * {@link inferMemoryType} (from the architecture, then the name, then the bandwidth).
   */
  readonly memoryType: MemoryType;
}

/**
 * A GPU as the user writes it: a preset name alone (`{ name: 'A100-80GB' }`), a preset with
 * overrides, or a custom GPU with name, computeTflops, memorySizeGb and memoryBandwidthGbs (and
 * memoryBytes when the driver reports less than memorySizeGb GiB; architecture and memoryType
 * when its name does not say them).
 */
export type GPUSpec = { name: string } & ConfigInput<Omit<ResolvedGPUSpec, 'name'>>;

/**
 * A GPU name reduced for matching: lower case, letters and digits only, without the vendor and
 * brand words (`NVIDIA GeForce RTX 4090` → `rtx4090`, `AMD Instinct MI300X` → `mi300x`,
 * `Tesla V100-SXM2-32GB` → `v100sxm232gb`).
 */
function compactGpuName(name: string): string {
  let compact = name.toLowerCase().replace(/[^a-z0-9]/g, '');
  for (let stripped = true; stripped; ) {
    stripped = false;
    for (const word of ['nvidia', 'geforce', 'tesla', 'quadro', 'amd', 'instinct', 'radeon']) {
      if (compact.startsWith(word) && compact.length > word.length) {
        compact = compact.slice(word.length);
        stripped = true;
      }
    }
  }
  return compact;
}

/** Name patterns (on the compact name) of each architecture; the first match wins. */
const ARCHITECTURE_NAMES: ReadonlyArray<readonly [GpuArchitecture, RegExp]> = [
  ['hopper', /^(h100|h200|h800|h20|gh200)/],
  ['blackwell', /^(b100|b200|b300|gb200|gb300|rtxpro\d{4}|rtx50\d0)|blackwell/],
  ['ada', /^(l4|l40|l20|rtx40\d0|rtx\d{4}ada)/],
  ['ampere', /^(a100|a800|a30|a40|a10|a16|a2$|a2[^0-9]|rtxa\d{4}|a\d000|rtx30\d0)/],
  ['volta', /^(v100|titanv)/],
  ['cdna3', /^(mi300|mi308|mi325)/],
];

/**
 * The architecture a GPU name says (case, spaces, dashes and vendor words ignored): `H200` and
 * `GH200` hopper, `B200` and `RTX PRO 6000` blackwell, `L40S` and `NVIDIA GeForce RTX 4090` ada,
 * `A100`, `A10G` and `RTX A6000` ampere, `MI300X` cdna3, `V100` volta; `other` when none matches.
 */
export function inferGpuArchitecture(name: string): GpuArchitecture {
  const compact = compactGpuName(name);
  return ARCHITECTURE_NAMES.find(([, pattern]) => pattern.test(compact))?.[0] ?? 'other';
}

/** Names of GDDR cards (compact name): RTX/Titan/T4/L-series/A-series PCIe inference and workstation cards. */
const GDDR_NAMES =
  /^(rtx|titanrtx|titanx|t4|l4|l40|l20|a10$|a10g|a10m|a16|a40|a2$|a\d000|p40|p4$|(pro)?w\d{4}|rx\d)/;
/** Names of HBM parts (compact name): NVIDIA data-center SXM/PCIe parts, AMD Instinct, Gaudi, TPU. */
const HBM_NAMES =
  /^(a100|a800|a30|h100|h200|h800|h20|gh200|b100|b200|b300|gb200|gb300|v100|p100|titanv|mi\d|gaudi|tpu)/;
/**
 * Below this bandwidth (GB/s) an unrecognised GPU is taken for a GDDR card. GDDR boards span
 * 0.3–1.8 TB/s (L4 300, A40 696, L40S 864, RTX 4090 1008, RTX PRO 6000 and RTX 5090 1792 on a
 * 512-bit GDDR7 bus); HBM parts since 2020 have 1.5 TB/s or more (A100-40GB 1555, H100 3350,
 * MI300X 5300). Bandwidth per GB of memory does not separate them (RTX 4090 42 GB/s per GB,
 * H100 42, A100-80GB 25, L40S 18).
 */
export const GDDR_MAX_BANDWIDTH_GBS = 1200;

/**
 * The memory type of a GPU without a stated one: what its architecture implies (Hopper, Volta and
 * CDNA3 parts all use HBM; Ada parts all use GDDR); else what its name says (`RTX...`, `L4`,
 * `L40S`, `A10G`, `A40`, `A6000`, `T4`: GDDR; `A100`, `H100`, `B200`, `MI...`: HBM); else GDDR
 * below {@link GDDR_MAX_BANDWIDTH_GBS} and HBM from there on.
 */
export function inferMemoryType(
  name: string,
  memoryBandwidthGbs: number,
  architecture: GpuArchitecture = inferGpuArchitecture(name),
): MemoryType {
  if (architecture === 'hopper' || architecture === 'volta' || architecture === 'cdna3') return 'hbm';
  if (architecture === 'ada') return 'gddr';
  const compact = compactGpuName(name);
  if (GDDR_NAMES.test(compact)) return 'gddr';
  if (HBM_NAMES.test(compact)) return 'hbm';
  return memoryBandwidthGbs < GDDR_MAX_BANDWIDTH_GBS ? 'gddr' : 'hbm';
}
