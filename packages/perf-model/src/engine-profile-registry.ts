import {
  type EngineProfileName,
  type EngineScheduling,
  PREFILL_FIRST_SCHEDULING,
  registerEngineScheduling,
  registeredNames,
} from '@sim/specs';
import { ENGINE_PROFILES, type EngineProfile } from './engine-profiles';

const registered = new Map<string, EngineProfile>(Object.entries(ENGINE_PROFILES));

/**
 * Adds an engine profile under `profile.name`: configs may then set `engineProfile` to that name
 * (validation accepts it, and suggests it for near misses), with the scheduler defaults
 * `scheduling` (default: vLLM v0's prefill-first iterations, no prefix caching). Start from a
 * built-in to change a few numbers:
 *
 * ```ts
 * registerEngineProfile(
 *   { ...ENGINE_PROFILES.vllm, name: 'my-vllm', cpuOverheadBaseUs: 900, calibrated: false, source: 'my guess' },
 *   engineScheduling('vllm'),
 * );
 * ```
 *
 * Registering a name again replaces it; the built-in names cannot be replaced.
 */
export function registerEngineProfile(
  profile: EngineProfile,
  scheduling: EngineScheduling = PREFILL_FIRST_SCHEDULING,
): void {
  registerEngineScheduling(profile.name, scheduling);
  registered.set(profile.name, profile);
}

/**
 * The engine profile named `name`: a built-in one or one added with {@link registerEngineProfile}.
 * Throws naming the known profiles when there is none (a config's name is validated before this).
 */
export function engineProfileNamed(name: EngineProfileName): EngineProfile {
  const profile = registered.get(name);
  if (profile === undefined)
    throw new Error(
      `no engine profile named "${name}" (known: ${registeredNames('engineProfile').join(', ')}); add one with registerEngineProfile`,
    );
  return profile;
}
