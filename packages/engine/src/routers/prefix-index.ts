import type { RoutedRequest } from '../replica-router';

/** A replica the router believes holds a prefix of the request, and how many of its prompt tokens. */
export interface KnownPrefix {
  readonly replica: number;
  readonly tokens: number;
}

/**
 * A router's own view of where prefixes are cached: the replica it last sent each shared-prefix
 * group, each repeated prompt, each session and each trace hash id to. A real router knows only what
 * it routed (the replica may have evicted those blocks since; llm-d's approximate prefix index works
 * the same way).
 */
export class PrefixIndex {
  private readonly groups = new Map<number, number>();
  private readonly prompts = new Map<number, number>();
  private readonly hashes = new Map<number, number>();

  /**
   * Tokens of the request's prompt the replica of its prompt key holds: a repeated prompt's whole
   * prompt but the last token (always computed), or a session's conversation up to this turn.
   */
  promptHitTokens(request: RoutedRequest): number {
    return request.sessionContextTokens > 0 ? request.sessionContextTokens : request.inputTokens - 1;
  }

  /** The replica believed to hold the request's group prefix, if any. */
  groupReplica(request: RoutedRequest): number | undefined {
    return request.prefixGroup >= 0 ? this.groups.get(request.prefixGroup) : undefined;
  }

  /** The replica believed to hold the request's prompt key (repeated prompt or session), if any. */
  promptReplica(request: RoutedRequest): number | undefined {
    return request.promptKey >= 0 ? this.prompts.get(request.promptKey) : undefined;
  }

  /**
   * For a request with trace hash ids: the replica its first id was last sent to, and the prompt
   * tokens of the leading ids last sent there (all but the last prompt token at most); undefined
   * when its first id was never routed.
   */
  hashReplica(request: RoutedRequest): KnownPrefix | undefined {
    const ids = request.hashIds;
    if (ids === undefined) return undefined;
    const replica = this.hashes.get(ids[0] ?? -1);
    if (replica === undefined) return undefined;
    let count = 1;
    while (count < ids.length && this.hashes.get(ids[count] ?? -1) === replica) count++;
    return { replica, tokens: Math.min(count * (request.hashBlockTokens ?? 0), request.inputTokens - 1) };
  }

  /** The request went to `replica`: from now on it is believed to hold the request's prefixes. */
  remember(request: RoutedRequest, replica: number): void {
    if (request.promptKey >= 0) this.prompts.set(request.promptKey, replica);
    if (request.prefixGroup >= 0) this.groups.set(request.prefixGroup, replica);
    const ids = request.hashIds;
    if (ids !== undefined) for (const id of ids) this.hashes.set(id, replica);
  }
}
