import type { RoutedRequest } from '../replica-router';

/**
 * A router's own view of where prefixes are cached: the replica it last sent each shared-prefix
 * group, each repeated prompt and each session to. A real router knows only what it routed (the
 * replica may have evicted those blocks since; llm-d's approximate prefix index works the same way).
 */
export class PrefixIndex {
  private readonly groups = new Map<number, number>();
  private readonly prompts = new Map<number, number>();

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

  /** The request went to `replica`: from now on it is believed to hold the request's prefixes. */
  remember(request: RoutedRequest, replica: number): void {
    if (request.promptKey >= 0) this.prompts.set(request.promptKey, replica);
    if (request.prefixGroup >= 0) this.groups.set(request.prefixGroup, replica);
  }
}
