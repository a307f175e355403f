import { registerName } from './name-registry';
import type { BuiltInEngineProfileName, EngineProfileName } from './simulator-config';

/**
 * How an engine fills an iteration, which sets the scheduler defaults a config leaves out:
 * - `prefill-first` (vLLM v0): an iteration runs either waiting prompts whole or decodes; the token
 *   budget is the model's context clamped to [2048, 8192] (raised to a fixed prompt length).
 * - `chunked-prefill` (vLLM V1, SGLang): prompts are chunked into a 2048-token budget shared with
 *   decodes, decodes first.
 * - `in-flight` (TensorRT-LLM's in-flight batching): context and generation requests share every
 *   iteration up to max_num_tokens = 8192 (raised to a fixed prompt length), i.e. chunked prefill
 *   with a chunk as large as the budget.
 */
export type IterationStyle = 'prefill-first' | 'chunked-prefill' | 'in-flight';

/** The scheduler defaults an engine profile implies (a config's `schedulerSpec` overrides them). */
export interface EngineScheduling {
  /** How the engine fills an iteration (see {@link IterationStyle}). */
  readonly iterations: IterationStyle;
  /** Whether automatic prefix caching is on by default (with continuous batching). */
  readonly prefixCaching: boolean;
}

/** vLLM v0's defaults, and those of any engine that does not say otherwise: prefill-first iterations, no prefix caching. */
export const PREFILL_FIRST_SCHEDULING: EngineScheduling = {
  iterations: 'prefill-first',
  prefixCaching: false,
};

/** The scheduler defaults of the built-in engine profiles. */
export const BUILT_IN_ENGINE_SCHEDULING: Readonly<Record<BuiltInEngineProfileName, EngineScheduling>> = {
  vllm: { iterations: 'chunked-prefill', prefixCaching: true },
  'vllm-v0': PREFILL_FIRST_SCHEDULING,
  trtllm: { iterations: 'in-flight', prefixCaching: false },
  sglang: { iterations: 'chunked-prefill', prefixCaching: true },
  'gpt-fast': PREFILL_FIRST_SCHEDULING,
  ideal: PREFILL_FIRST_SCHEDULING,
};

const registered = new Map<string, EngineScheduling>(Object.entries(BUILT_IN_ENGINE_SCHEDULING));

/**
 * Makes `name` a valid `engineProfile` in configs, with the scheduler defaults `scheduling`.
 * @sim/perf-model's `registerEngineProfile` calls this; use that one to add an engine. The built-in
 * names cannot be replaced (register a new name, e.g. `my-vllm`, instead).
 */
export function registerEngineScheduling(name: string, scheduling: EngineScheduling): void {
  if (Object.hasOwn(BUILT_IN_ENGINE_SCHEDULING, name))
    throw new Error(
      `"${name}" is a built-in engine profile and cannot be replaced; register it under another name`,
    );
  registerName('engineProfile', name);
  registered.set(name, scheduling);
}

/** The scheduler defaults of an engine profile (`prefill-first`, no prefix caching for an unknown name). */
export function engineScheduling(name: EngineProfileName): EngineScheduling {
  return registered.get(name) ?? PREFILL_FIRST_SCHEDULING;
}
