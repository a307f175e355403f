import type { BatchShape } from '@sim/specs';

export type { BatchShape };

/** Tokens the iteration processes: every prefill chunk's and one per decoding sequence. */
export function countTokens(batch: BatchShape): number {
  let tokens = batch.decodeSequences;
  for (const chunk of batch.prefillChunks) tokens += chunk;
  return tokens;
}
