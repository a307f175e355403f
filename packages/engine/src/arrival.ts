/** One request the workload produces. */
export interface Arrival {
  readonly time: number;
  readonly input: number;
  readonly output: number;
  /** Shared-prefix group of the prompt (`workloadSpec.prefixSharing`), −1 when it shares nothing. */
  readonly prefixGroup: number;
  /**
   * The repeated prompt this request sends (`prefixSharing.promptsPerGroup`), or its session (whose
   * conversation its prompt continues); −1 when its prompt is its own.
   */
  readonly promptKey: number;
  /** Its session (`workloadSpec.sessions`), −1 outside sessions. */
  readonly session: number;
  /** Its turn in the session: 0 for the first (and outside sessions). */
  readonly turn: number;
  /** Prompt tokens that earlier turns of its session sent or generated (0 for a first turn). */
  readonly contextTokens: number;
  /** Its prompt's chained block hashes from the trace (`hash_ids`); undefined without. */
  readonly hashIds: Int32Array | undefined;
}

/**
 * An arrival outside sessions. Every arrival is built by this or {@link sessionArrival}: one object
 * literal, so every arrival has one object shape (a spread would give some another).
 */
export function arrivalOf(
  time: number,
  input: number,
  output: number,
  prefixGroup: number,
  promptKey: number,
  hashIds: Int32Array | undefined = undefined,
): Arrival {
  return { time, input, output, prefixGroup, promptKey, session: -1, turn: 0, contextTokens: 0, hashIds };
}

/**
 * Turn `turn` of session `session` (a generated session's, or a trace conversation's token stream):
 * its prompt key is the session, so every turn continues one token stream in the prefix cache.
 */
export function sessionArrival(
  time: number,
  input: number,
  output: number,
  prefixGroup: number,
  session: number,
  turn: number,
  contextTokens: number,
): Arrival {
  return {
    time,
    input,
    output,
    prefixGroup,
    promptKey: session,
    session,
    turn,
    contextTokens,
    hashIds: undefined,
  };
}
