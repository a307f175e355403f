import type { ModelSpec, ResolvedModelSpec } from './model-spec';

/**
 * How draft tokens are proposed: a smaller `draft-model`; `eagle`, a one-layer head on the target's
 * hidden states (EAGLE-1/2/3); `mtp`, the model's own multi-token-prediction layer (DeepSeek-V3);
 * `ngram`, matching the prompt's n-grams (no GPU work).
 */
export type SpeculativeMethod = 'draft-model' | 'eagle' | 'mtp' | 'ngram';

/**
 * Speculative decoding, fully resolved. Each decode step drafts `numSpeculativeTokens` (k) tokens,
 * verifies them in one target forward pass over k + 1 positions per sequence and emits the
 * accepted ones plus one: on average τ = 1 + Σᵢ₌₁..ₖ Πⱼ₌₁..ᵢ αⱼ tokens per step, αⱼ the acceptance
 * rate of position j given the ones before it were accepted. The simulator spreads a step's τ
 * tokens evenly over its time (each engine iteration emits one token per sequence at 1/τ of the
 * step's decode cost): mean TPOT and throughput are the step's, a sequence's token-to-token jitter
 * is not modelled.
 */
export interface ResolvedSpeculativeSpec {
  readonly method: SpeculativeMethod;
  /** Draft tokens per step (k), 1 or more. */
  readonly numSpeculativeTokens: number;
  /** Acceptance rate of each draft position (k values in [0, 1]), given the earlier ones were accepted. */
  readonly acceptanceRates: readonly number[];
  /** The draft model (`draft-model` only); it runs with the target's GPUs and TP. */
  readonly draftModelSpec?: ResolvedModelSpec;
}

/** Speculative decoding as the user writes it: `acceptanceRate` is one number for every position, or one per position. */
export interface SpeculativeSpecInput {
  method: SpeculativeMethod;
  numSpeculativeTokens: number;
  acceptanceRate: number | number[];
  /** Required for `draft-model` (a preset name, or a geometry); not allowed otherwise. */
  draftModelSpec?: ModelSpec;
}

/** Mean tokens a step emits: 1 + Σᵢ Πⱼ≤ᵢ αⱼ (the first rejection ends the accepted run). */
export function tokensPerStep(spec: Pick<ResolvedSpeculativeSpec, 'acceptanceRates'>): number {
  let accepted = 0;
  let run = 1;
  for (const rate of spec.acceptanceRates) {
    run *= rate;
    accepted += run;
  }
  return 1 + accepted;
}
