/**
 * The work of one iteration on one replica: prefill chunks (each with the context already cached
 * before it) and decoding sequences (one token each).
 */
export interface BatchShape {
  /** New tokens of each prefill chunk. */
  readonly prefillChunks: readonly number[];
  /** Tokens already cached before each chunk (same length as prefillChunks; 0 for a fresh prompt). */
  readonly prefillContexts: readonly number[];
  /** Number of decoding sequences. */
  readonly decodeSequences: number;
  /** Sum of the decoding sequences' context lengths (tokens read from the KV cache). */
  readonly decodeContextTokens: number;
  /** Sequences that sample a token (decodes plus prefills that finish their prompt). Default: every sequence. */
  readonly sampledSequences?: number;
}
