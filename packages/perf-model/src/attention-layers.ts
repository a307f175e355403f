import type { ResolvedModelSpec } from '@sim/specs';

/** A model's attention layers by kind: those that attend to the whole context, and local ones (sliding-window or chunked). */
export interface AttentionLayers {
  /** Layers attending to the whole context. */
  readonly full: number;
  /** Local layers: each new token attends to at most {@link AttentionLayers.window} tokens. */
  readonly local: number;
  /** The local layers' window in tokens (Infinity when the model has none). */
  readonly window: number;
}

/** The attention layers of `model` (see `slidingWindow` and `slidingWindowLayers` in `@sim/specs`). */
export function attentionLayers(
  model: Pick<ResolvedModelSpec, 'nLayers' | 'slidingWindow' | 'slidingWindowLayers'>,
): AttentionLayers {
  const local = model.slidingWindow > 0 ? model.slidingWindowLayers : 0;
  return {
    full: model.nLayers - local,
    local,
    window: local > 0 ? model.slidingWindow : Number.POSITIVE_INFINITY,
  };
}

/**
 * Cached tokens a local layer's decode attention reads for `sequences` sequences whose contexts sum
 * to `contextTokens`: each reads at most `window`. The batch gives only the sum, so this is
 * min(C, sequences × window): exact when every context is on the same side of the window, high
 * otherwise.
 */
export function localDecodeContext(sequences: number, contextTokens: number, window: number): number {
  return Math.min(contextTokens, sequences * window);
}
