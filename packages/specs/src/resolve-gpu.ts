import { GPU_DEFAULTS } from './config-defaults';
import type { ParsedGpuSpec } from './config-schema';
import type { ConfigIssue } from './errors';
import {
  type GpuArchitecture,
  inferGpuArchitecture,
  inferMemoryType,
  type MemoryType,
  type ResolvedGPUSpec,
} from './gpu-spec';
import { closestNames, findGpuPreset, gpuPresetNames } from './presets/preset-lookup';

/** The numbers a custom GPU must give (a preset has them). */
const REQUIRED_GPU_FIELDS = ['computeTflops', 'memorySizeGb', 'memoryBandwidthGbs'] as const;

/**
 * A GPU preset (by name) with the config's overrides, or a custom GPU from its numbers, with
 * defaults filled; undefined (with an issue recorded) when neither is possible.
 */
export function resolveGpu(input: ParsedGpuSpec, issues: ConfigIssue[]): ResolvedGPUSpec | undefined {
  const name = input.name;
  const preset = findGpuPreset(name);
  const required = {
    computeTflops: input.computeTflops ?? preset?.computeTflops,
    memorySizeGb: input.memorySizeGb ?? preset?.memorySizeGb,
    memoryBandwidthGbs: input.memoryBandwidthGbs ?? preset?.memoryBandwidthGbs,
  };
  const { computeTflops, memorySizeGb, memoryBandwidthGbs } = required;
  if (computeTflops === undefined || memorySizeGb === undefined || memoryBandwidthGbs === undefined) {
    const missing = REQUIRED_GPU_FIELDS.filter((key) => required[key] === undefined);
    const close = closestNames(name, gpuPresetNames(true));
    issues.push({
      code: 'unknown_preset',
      path: 'clusterSpec.gpuSpec.name',
      message: `"${name}" is not a GPU preset${close.length > 0 ? `; did you mean ${close.map((c) => `"${c}"`).join(', ')}?` : '.'} Use a preset (see \`llm-sim presets gpus\`) or give ${missing.join(', ')} for a custom GPU.`,
    });
    return undefined;
  }
  // A custom GPU without them: the architecture its name says, and the memory type its architecture,
  // name or bandwidth says (see inferMemoryType).
  const architecture: GpuArchitecture =
    input.architecture ?? preset?.architecture ?? inferGpuArchitecture(name);
  const memoryType: MemoryType =
    input.memoryType ?? preset?.memoryType ?? inferMemoryType(name, memoryBandwidthGbs, architecture);
  return {
    name,
    computeTflops,
    fp8Tflops: input.fp8Tflops ?? preset?.fp8Tflops ?? GPU_DEFAULTS.fp8Tflops,
    memorySizeGb,
    memoryBytes: gpuMemoryBytes(input, preset, memorySizeGb),
    memoryBandwidthGbs,
    interconnectBandwidthGbs:
      input.interconnectBandwidthGbs ??
      preset?.interconnectBandwidthGbs ??
      GPU_DEFAULTS.interconnectBandwidthGbs,
    hostBandwidthGbs: input.hostBandwidthGbs ?? preset?.hostBandwidthGbs ?? GPU_DEFAULTS.hostBandwidthGbs,
    pricePerHour: input.pricePerHour ?? preset?.pricePerHour ?? GPU_DEFAULTS.pricePerHour,
    architecture,
    memoryType,
  };
}

/**
 * The driver-reported memory of a GPU: as given; else the preset's, unless memorySizeGb was changed
 * (a custom size); else memorySizeGb GiB (HBM datasheets count binary gigabytes).
 */
function gpuMemoryBytes(
  input: ParsedGpuSpec,
  preset: ResolvedGPUSpec | undefined,
  memorySizeGb: number,
): number {
  if (input.memoryBytes !== undefined) return input.memoryBytes;
  if (
    preset !== undefined &&
    (input.memorySizeGb === undefined || input.memorySizeGb === preset.memorySizeGb)
  )
    return preset.memoryBytes;
  return memorySizeGb * 2 ** 30;
}
