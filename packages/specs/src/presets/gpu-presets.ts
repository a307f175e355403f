import type { ResolvedGPUSpec } from '../gpu-spec';

/**
 * GPU presets. Sources (also summarized in ../shared/calibration/published/gpu_specs.csv):
 * - [NV-A100] NVIDIA A100 datasheet: 312 TFLOPS dense BF16; 40GB 1,555 GB/s; 80GB SXM 2,039 GB/s; NVLink3 600 GB/s bidirectional.
 * - [NV-H100] NVIDIA H100 datasheet: SXM 989 / 1,979 TFLOPS dense BF16 / FP8, 3,350 GB/s, NVLink4 900 GB/s;
 *   PCIe 756 / 1,513, 2,000 GB/s, PCIe Gen5 128 GB/s bidirectional.
 * - [NV-H200] NVIDIA H200 page and TensorRT-LLM H200 launch blog: 141 GB HBM3e, 4.8 TB/s, same compute as H100 SXM.
 * - [NV-B200] DGX B200 datasheet via stas00/ml-engineering: 2,250 / 4,500 TFLOPS dense, 180 GB, 8 TB/s, NVLink5 1,800 GB/s.
 * - [NV-L40S] NVIDIA L40S datasheet: 362 / 733 TFLOPS dense, 48 GB GDDR6, 864 GB/s, PCIe Gen4.
 * - [NV-L4] NVIDIA L4 datasheet: 242 / 485 TFLOPS with sparsity (halved for dense), 24 GB, 300 GB/s, PCIe Gen4.
 * - [AWS-A10G] third-party catalogs (low confidence): A10G 70 TFLOPS FP16 tensor, 24 GB, 600 GB/s.
 * - [NV-A40] NVIDIA A40 datasheet: 149.7 TFLOPS dense FP16/BF16 tensor, 48 GB GDDR6, 696 GB/s, NVLink 112.5 GB/s bidirectional.
 * - [NV-V100] NVIDIA V100 datasheet: 125 TFLOPS FP16 tensor (no BF16), SXM2 32 GB, 900 GB/s, NVLink2 300 GB/s bidirectional.
 * - [AMD-MI300] ROCm docs (mi300.md, gpu-arch-specs): MI300X 1,307.4 / 2,614.9 TFLOPS, 192 GB, 5.3 TB/s, xGMI 7 × 64 GB/s;
 *   MI325X same compute, 256 GB, 6 TB/s.
 * - [LAMBDA] Lambda Cloud on-demand prices (skypilot-catalog v7), per GPU-hour. The same catalog lists each
 *   GPU's memory in MiB: A100 (40GB) 40,960, A100-80GB and H100 81,920, A10 24,576, A6000 49,152: the datasheet's
 *   "GB" are binary (GiB).
 * - [SMI] the total the driver reports (`nvidia-smi --query-gpu=memory.total`, MiB) on current drivers, as printed in
 *   public nvidia-smi outputs (not in ../shared; older drivers print a few hundred MiB less on A100/V100). It is a
 *   little under the datasheet's GiB (the driver reserves some memory); GDDR6 cards with ECC on (the data-center
 *   default) lose 1/16: 48 GiB × 15/16 = 46,080 MiB, reported 46,068. CUDA's own total (cudaMemGetInfo, which vLLM
 *   reads) is about another 0.5 GiB lower on A100/H100 (the CUDA context); the memory plan counts that inside its
 *   1 GiB runtime allowance (@sim/perf-model RUNTIME_OVERHEAD_BYTES).
 * - [NV-ADA] NVIDIA Ada GPU Architecture whitepaper, appendix table, GeForce RTX 4090: peak BF16 tensor with FP32
 *   accumulate 165.2 TFLOPS dense (330.4 with sparsity; FP16 with FP16 accumulate runs at 330.3, a rate serving GEMMs,
 *   which accumulate in FP32, do not get on GeForce parts), FP8 tensor with FP32 accumulate 330.3 dense (660.6 with
 *   FP16 accumulate), 24 GB GDDR6X, 1,008 GB/s; no NVLink (PCIe Gen4 x16). gpu_specs.csv has no source for it.
 * - [NV-RTXBW] NVIDIA RTX PRO 6000 Blackwell Workstation Edition datasheet and RTX Blackwell architecture whitepaper:
 *   96 GB GDDR7 with ECC, 512-bit, 1,792 GB/s, 4,000 AI TOPS (FP4 with sparsity), PCIe Gen5 x16, no NVLink; dense
 *   FP16/BF16 tensor with FP32 accumulate 503.8 TFLOPS (188 SMs × 2.617 GHz boost × 1,024 FLOPs per SM per clock;
 *   = 4,000 sparse FP4 / 8 to 1%), dense FP8 1,007.6. Not in gpu_specs.csv.
 * architecture and memoryType come from the same sources (memory technology as the datasheet names it).
 * memoryBytes is what the memory plan divides; memorySizeGb is the datasheet label.
 * PCIe-only GPUs list PCIe x16 one-direction bandwidth as their interconnect (Gen4 ≈ 31.5 GB/s, Gen5 ≈ 63 GB/s).
 */
const MIB = 2 ** 20;
const GIB = 2 ** 30;

export const GPU_PRESETS: Readonly<Record<string, ResolvedGPUSpec>> = {
  'A100-40GB': {
    name: 'A100-40GB',
    computeTflops: 312, // [NV-A100]
    fp8Tflops: 0, // Ampere has no FP8
    memorySizeGb: 40, // [NV-A100]
    memoryBytes: 40_960 * MIB, // [SMI] 40,960 MiB = 40 GiB (older drivers: 40,536)
    memoryBandwidthGbs: 1555, // [NV-A100]
    interconnectBandwidthGbs: 300, // [NV-A100] NVLink3 600 GB/s bidirectional
    hostBandwidthGbs: 25, // PCIe Gen4 x16, effective
    pricePerHour: 1.29, // [LAMBDA] gpu_8x_a100 10.32 $/h / 8
    architecture: 'ampere',
    memoryType: 'hbm', // [NV-A100] 40GB HBM2
  },
  'A100-80GB': {
    name: 'A100-80GB',
    computeTflops: 312, // [NV-A100]
    fp8Tflops: 0,
    memorySizeGb: 80, // [NV-A100]
    memoryBytes: 81_920 * MIB, // [SMI] 81,920 MiB = 80 GiB (older drivers: 81,251)
    memoryBandwidthGbs: 2039, // [NV-A100] SXM4 80GB (the quick-start uses the same 2039)
    interconnectBandwidthGbs: 300, // [NV-A100]
    hostBandwidthGbs: 25,
    pricePerHour: 1.79, // [LAMBDA] gpu_8x_a100_80gb_sxm4 14.32 $/h / 8
    architecture: 'ampere',
    memoryType: 'hbm', // [NV-A100] 80GB HBM2e
  },
  'A100-PCIe-80GB': {
    name: 'A100-PCIe-80GB',
    computeTflops: 312, // [NV-A100]
    fp8Tflops: 0,
    memorySizeGb: 80,
    memoryBytes: 81_920 * MIB, // [SMI] 81,920 MiB, as the SXM4 part
    memoryBandwidthGbs: 1935, // [NV-A100] PCIe 80GB (gpu_specs.csv: 1,935-1,940 GB/s)
    interconnectBandwidthGbs: 31.5, // PCIe Gen4 x16 one direction: no NVLink between the cards assumed
    hostBandwidthGbs: 25,
    pricePerHour: 0, // no on-demand listing in the price catalog
    architecture: 'ampere',
    memoryType: 'hbm', // [NV-A100] 80GB HBM2e
  },
  'H100-80GB': {
    name: 'H100-80GB',
    computeTflops: 989, // [NV-H100] SXM dense BF16
    fp8Tflops: 1979, // [NV-H100]
    memorySizeGb: 80, // [NV-H100]
    memoryBytes: 81_559 * MIB, // [SMI] 81,559 MiB (80 GiB of HBM3 less 361 MiB the driver reserves) = 85.5e9 bytes
    memoryBandwidthGbs: 3350, // [NV-H100]
    interconnectBandwidthGbs: 450, // [NV-H100] NVLink4 900 GB/s bidirectional
    hostBandwidthGbs: 50, // PCIe Gen5 x16, effective
    pricePerHour: 2.99, // [LAMBDA] gpu_8x_h100_sxm5 23.92 $/h / 8
    architecture: 'hopper',
    memoryType: 'hbm', // [NV-H100] SXM HBM3
  },
  'H100-PCIe': {
    name: 'H100-PCIe',
    computeTflops: 756, // [NV-H100] PCIe dense BF16
    fp8Tflops: 1513, // [NV-H100]
    memorySizeGb: 80, // [NV-H100]
    memoryBytes: 81_559 * MIB, // [SMI] as the SXM part (lower confidence: HBM2e part)
    memoryBandwidthGbs: 2000, // [NV-H100]
    interconnectBandwidthGbs: 63, // PCIe Gen5 x16 one direction [NV-H100]
    hostBandwidthGbs: 50,
    pricePerHour: 2.49, // [LAMBDA] gpu_1x_h100_pcie
    architecture: 'hopper',
    memoryType: 'hbm', // [NV-H100] PCIe HBM2e (gpu_specs.csv: S4 HBM2e, S1 HBM3)
  },
  'H200-141GB': {
    name: 'H200-141GB',
    computeTflops: 989, // [NV-H200]
    fp8Tflops: 1979, // [NV-H200]
    memorySizeGb: 141, // [NV-H200]
    memoryBytes: 143_771 * MIB, // [SMI] 143,771 MiB = 140.4 GiB = 150.8e9 bytes: the "141 GB" are GiB too
    memoryBandwidthGbs: 4800, // [NV-H200]
    interconnectBandwidthGbs: 450, // [NV-H200] NVLink4 900 GB/s bidirectional
    hostBandwidthGbs: 50,
    pricePerHour: 0, // no on-demand price in the catalog we cite
    architecture: 'hopper',
    memoryType: 'hbm', // [NV-H200] HBM3e
  },
  B200: {
    name: 'B200',
    computeTflops: 2250, // [NV-B200]
    fp8Tflops: 4500, // [NV-B200]
    memorySizeGb: 180, // [NV-B200]
    memoryBytes: 183_359 * MIB, // [SMI] 183,359 MiB = 179.1 GiB (lower confidence)
    memoryBandwidthGbs: 8000, // [NV-B200]
    interconnectBandwidthGbs: 900, // [NV-B200] NVLink5 1,800 GB/s bidirectional
    hostBandwidthGbs: 50,
    pricePerHour: 0,
    architecture: 'blackwell',
    memoryType: 'hbm', // [NV-B200] HBM3e
  },
  L40S: {
    name: 'L40S',
    computeTflops: 362, // [NV-L40S]
    fp8Tflops: 733, // [NV-L40S]
    memorySizeGb: 48, // [NV-L40S]
    memoryBytes: 46_068 * MIB, // [SMI] 46,068 MiB: 48 GiB GDDR6 with ECC on (15/16)
    memoryBandwidthGbs: 864, // [NV-L40S]
    interconnectBandwidthGbs: 31.5, // PCIe Gen4 x16
    hostBandwidthGbs: 25,
    pricePerHour: 0,
    architecture: 'ada',
    memoryType: 'gddr', // [NV-L40S] GDDR6
  },
  L4: {
    name: 'L4',
    computeTflops: 121, // [NV-L4] 242 with sparsity / 2
    fp8Tflops: 242.5, // [NV-L4] 485 with sparsity / 2
    memorySizeGb: 24, // [NV-L4]
    memoryBytes: 23_034 * MIB, // [SMI] 23,034 MiB: 24 GiB GDDR6 with ECC on
    memoryBandwidthGbs: 300, // [NV-L4]
    interconnectBandwidthGbs: 31.5, // PCIe Gen4 x16
    hostBandwidthGbs: 25,
    pricePerHour: 0,
    architecture: 'ada',
    memoryType: 'gddr', // [NV-L4] GDDR6
  },
  A10G: {
    name: 'A10G',
    computeTflops: 70, // [AWS-A10G] low confidence (another source says 62.5)
    fp8Tflops: 0,
    memorySizeGb: 24, // [AWS-A10G]
    memoryBytes: 23_028 * MIB, // [SMI] 23,028 MiB: 24 GiB GDDR6 with ECC on (lower confidence)
    memoryBandwidthGbs: 600, // [AWS-A10G]
    interconnectBandwidthGbs: 31.5, // PCIe Gen4 x16
    hostBandwidthGbs: 25,
    pricePerHour: 0,
    architecture: 'ampere',
    memoryType: 'gddr', // [AWS-A10G] GDDR6
  },
  A40: {
    name: 'A40',
    computeTflops: 149.7, // [NV-A40]
    fp8Tflops: 0,
    memorySizeGb: 48, // [NV-A40]
    memoryBytes: 46_068 * MIB, // [SMI] 46,068 MiB: 48 GiB GDDR6 with ECC on
    memoryBandwidthGbs: 696, // [NV-A40]
    interconnectBandwidthGbs: 56.25, // [NV-A40] NVLink bridge 112.5 GB/s bidirectional
    hostBandwidthGbs: 25,
    pricePerHour: 0,
    architecture: 'ampere',
    memoryType: 'gddr', // [NV-A40] GDDR6
  },
  V100: {
    name: 'V100',
    computeTflops: 125, // [NV-V100] FP16 tensor (no BF16 on Volta)
    fp8Tflops: 0,
    memorySizeGb: 32, // [NV-V100] SXM2 32 GB
    memoryBytes: 32_768 * MIB, // [SMI] 32,768 MiB = 32 GiB (older drivers: 32,510)
    memoryBandwidthGbs: 900, // [NV-V100]
    interconnectBandwidthGbs: 150, // [NV-V100] NVLink2 300 GB/s bidirectional
    hostBandwidthGbs: 12, // PCIe Gen3 x16, effective
    pricePerHour: 0.55, // [LAMBDA] gpu_8x_v100 4.40 $/h / 8
    architecture: 'volta',
    memoryType: 'hbm', // [NV-V100] HBM2
  },
  MI300X: {
    name: 'MI300X',
    computeTflops: 1307.4, // [AMD-MI300]
    fp8Tflops: 2614.9, // [AMD-MI300]
    memorySizeGb: 192, // [AMD-MI300]
    memoryBytes: 192 * GIB, // [AMD-MI300] gpu-arch-specs: VRAM 192 GiB (what rocm-smi reports not checked)
    memoryBandwidthGbs: 5300, // [AMD-MI300]
    interconnectBandwidthGbs: 448, // [AMD-MI300] xGMI 7 links × 64 GB/s
    hostBandwidthGbs: 50,
    pricePerHour: 0,
    architecture: 'cdna3',
    memoryType: 'hbm', // [AMD-MI300] HBM3
  },
  MI325X: {
    name: 'MI325X',
    computeTflops: 1307.4, // [AMD-MI300] same compute as MI300X
    fp8Tflops: 2614.9, // [AMD-MI300]
    memorySizeGb: 256, // [AMD-MI300]
    memoryBytes: 256 * GIB, // [AMD-MI300] gpu-arch-specs: VRAM 256 GiB (what rocm-smi reports not checked)
    memoryBandwidthGbs: 6000, // [AMD-MI300]
    interconnectBandwidthGbs: 448, // [AMD-MI300]
    hostBandwidthGbs: 50,
    pricePerHour: 0,
    architecture: 'cdna3',
    memoryType: 'hbm', // [AMD-MI300] HBM3e
  },
  'RTX-4090': {
    name: 'RTX-4090',
    computeTflops: 165.2, // [NV-ADA] dense BF16 tensor, FP32 accumulate
    fp8Tflops: 330.3, // [NV-ADA] dense FP8 tensor, FP32 accumulate
    memorySizeGb: 24, // [NV-ADA]
    memoryBytes: 24_564 * MIB, // [SMI] 24,564 MiB (no ECC on GeForce; lower confidence)
    memoryBandwidthGbs: 1008, // [NV-ADA]
    interconnectBandwidthGbs: 31.5, // PCIe Gen4 x16 one direction: no NVLink on the RTX 4090
    hostBandwidthGbs: 25,
    pricePerHour: 0,
    architecture: 'ada',
    memoryType: 'gddr', // [NV-ADA] GDDR6X
  },
  'RTX-PRO-6000': {
    name: 'RTX-PRO-6000',
    computeTflops: 503.8, // [NV-RTXBW] dense BF16 tensor, FP32 accumulate
    fp8Tflops: 1007.6, // [NV-RTXBW] dense FP8 tensor
    memorySizeGb: 96, // [NV-RTXBW]
    memoryBytes: 96 * GIB, // [NV-RTXBW] 96 GiB (what nvidia-smi reports not checked)
    memoryBandwidthGbs: 1792, // [NV-RTXBW]
    interconnectBandwidthGbs: 63, // PCIe Gen5 x16 one direction: no NVLink
    hostBandwidthGbs: 50, // PCIe Gen5 x16, effective
    pricePerHour: 0,
    architecture: 'blackwell',
    memoryType: 'gddr', // [NV-RTXBW] GDDR7
  },
};

/** Other spellings accepted for GPU presets (matched case-insensitively). */
export const GPU_ALIASES: Readonly<Record<string, string>> = {
  A100: 'A100-80GB',
  'A100-SXM': 'A100-80GB',
  'A100-SXM4-80GB': 'A100-80GB',
  'A100-PCIe': 'A100-PCIe-80GB',
  'A100-PCIE-80GB': 'A100-PCIe-80GB',
  'A100-SXM4-40GB': 'A100-40GB',
  H100: 'H100-80GB',
  'H100-SXM': 'H100-80GB',
  'H100-SXM5': 'H100-80GB',
  'H100-SXM5-80GB': 'H100-80GB',
  'H100-PCIE-80GB': 'H100-PCIe',
  H200: 'H200-141GB',
  'H200-SXM': 'H200-141GB',
  'H200-SXM-141GB': 'H200-141GB',
  'B200-SXM-180GB': 'B200',
  'V100-SXM2': 'V100',
  'V100-32GB': 'V100',
  'RTX 4090': 'RTX-4090',
  RTX4090: 'RTX-4090',
  'GeForce-RTX-4090': 'RTX-4090',
  'RTX PRO 6000': 'RTX-PRO-6000',
  'RTX-PRO-6000-Blackwell': 'RTX-PRO-6000',
};
