import type { ResolvedGPUSpec } from '../gpu-spec';
import type { ResolvedModelSpec } from '../model-spec';
import { GPU_ALIASES, GPU_PRESETS } from './gpu-presets';
import { MODEL_ALIASES, MODEL_PRESETS } from './model-presets';

function buildIndex(presets: Readonly<Record<string, unknown>>, aliases: Readonly<Record<string, string>>) {
  const index = new Map<string, string>();
  for (const name of Object.keys(presets)) index.set(name.toLowerCase(), name);
  for (const [alias, name] of Object.entries(aliases)) index.set(alias.toLowerCase(), name);
  return index;
}

const gpuIndex = buildIndex(GPU_PRESETS, GPU_ALIASES);
const modelIndex = buildIndex(MODEL_PRESETS, MODEL_ALIASES);

/** Presets registered at run time (registerGpuPreset, registerModelPreset), by lower-cased name and alias. */
const registeredGpus = new Map<string, ResolvedGPUSpec>();
const registeredModels = new Map<string, ResolvedModelSpec>();
const registeredGpuNames: string[] = [];
const registeredModelNames: string[] = [];
const registeredGpuAliases: string[] = [];
const registeredModelAliases: string[] = [];

/** The GPU preset for a name or alias (case-insensitive), or undefined. `H100` → H100-80GB. */
export function findGpuPreset(name: string): ResolvedGPUSpec | undefined {
  const lower = name.trim().toLowerCase();
  const key = gpuIndex.get(lower);
  return key === undefined ? registeredGpus.get(lower) : GPU_PRESETS[key];
}

/** The model preset for a name, alias or Hugging Face id (case-insensitive), or undefined. */
export function findModelPreset(name: string): ResolvedModelSpec | undefined {
  const lower = name.trim().toLowerCase();
  const key = modelIndex.get(lower);
  return key === undefined ? registeredModels.get(lower) : MODEL_PRESETS[key];
}

/** Names of every GPU preset (built-in, then registered), in order; with `withAliases`, every accepted alias too. */
export function gpuPresetNames(withAliases = false): string[] {
  return [
    ...Object.keys(GPU_PRESETS),
    ...registeredGpuNames,
    ...(withAliases ? [...Object.keys(GPU_ALIASES), ...registeredGpuAliases] : []),
  ];
}

/** Names of every model preset (built-in, then registered), in order; with `withAliases`, every accepted alias too. */
export function modelPresetNames(withAliases = false): string[] {
  return [
    ...Object.keys(MODEL_PRESETS),
    ...registeredModelNames,
    ...(withAliases ? [...Object.keys(MODEL_ALIASES), ...registeredModelAliases] : []),
  ];
}

function claimNames(
  names: readonly string[],
  find: (name: string) => { readonly name: string } | undefined,
  kind: string,
): void {
  for (const name of names) {
    const taken = find(name);
    if (taken !== undefined)
      throw new RangeError(
        `"${name}" already names the ${kind} preset "${taken.name}"; register under another name.`,
      );
  }
}

/** Adds a resolved GPU preset under its name and `aliases` (registerGpuPreset checks it first); throws when a name is taken. */
export function addGpuPreset(spec: ResolvedGPUSpec, aliases: readonly string[]): void {
  claimNames([spec.name, ...aliases], findGpuPreset, 'GPU');
  for (const name of [spec.name, ...aliases]) registeredGpus.set(name.toLowerCase(), spec);
  registeredGpuNames.push(spec.name);
  registeredGpuAliases.push(...aliases);
}

/** Adds a resolved model preset under its name and `aliases` (registerModelPreset checks it first); throws when a name is taken. */
export function addModelPreset(spec: ResolvedModelSpec, aliases: readonly string[]): void {
  claimNames([spec.name, ...aliases], findModelPreset, 'model');
  for (const name of [spec.name, ...aliases]) registeredModels.set(name.toLowerCase(), spec);
  registeredModelNames.push(spec.name);
  registeredModelAliases.push(...aliases);
}

/** Up to `limit` preset names close to `name` (edit distance), for "did you mean" hints. */
export function closestNames(name: string, candidates: readonly string[], limit = 3): string[] {
  const target = name.toLowerCase();
  return candidates
    .map((candidate) => {
      const lower = candidate.toLowerCase();
      const contains = lower.includes(target) || target.includes(lower);
      return { candidate, contains, distance: editDistance(target, lower) };
    })
    .filter(
      ({ contains, distance, candidate }) =>
        contains || distance <= Math.max(2, Math.ceil(candidate.length / 3)),
    )
    .sort((a, b) => a.distance - b.distance || a.candidate.localeCompare(b.candidate))
    .slice(0, limit)
    .map(({ candidate }) => candidate);
}

/** Levenshtein distance between two strings. */
export function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}
