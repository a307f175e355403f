import type { GPUSpec, ResolvedGPUSpec } from '../gpu-spec';
import type { ModelSpec, ResolvedModelSpec } from '../model-spec';
import { resolveConfig } from '../resolve-config';
import { addGpuPreset, addModelPreset } from './preset-lookup';

/**
 * Adds a GPU preset that configs then name like a built-in one (`clusterSpec.gpuSpec.name`, or any
 * of `aliases`, case-insensitive): the same fields as a custom `gpuSpec` (name, computeTflops,
 * memorySizeGb, memoryBandwidthGbs at least; the rest defaulted or inferred as for a config).
 * Throws the config's ConfigError for a bad spec (paths under `clusterSpec.gpuSpec`), and a
 * RangeError when a name is already a preset. Returns the resolved preset.
 */
export function registerGpuPreset(spec: GPUSpec, aliases: readonly string[] = []): ResolvedGPUSpec {
  const resolved = resolveConfig({ clusterSpec: { gpuSpec: spec } }).clusterSpec.gpuSpec;
  addGpuPreset(resolved, aliases);
  return resolved;
}

/**
 * Adds a model preset that configs then name like a built-in one (`modelSpec.name`, or any of
 * `aliases`): the same fields as a custom `modelSpec` (name and geometry: hiddenSize, nLayers,
 * nHeads, ffnDim at least). Throws the config's ConfigError for a bad spec (paths under
 * `modelSpec`), and a RangeError when a name is already a preset. Returns the resolved preset.
 */
export function registerModelPreset(spec: ModelSpec, aliases: readonly string[] = []): ResolvedModelSpec {
  const resolved = resolveConfig({ modelSpec: spec }).modelSpec;
  addModelPreset(resolved, aliases);
  return resolved;
}
