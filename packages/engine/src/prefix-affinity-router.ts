import type { RoutedReplica, RoutedRequest } from './replica-router';

/** A cached prefix shorter than this (tokens) is not worth a detour from the least-loaded replica. */
export const MIN_AFFINITY_HIT_TOKENS = 256;

/**
 * A replica is too busy for affinity when it has more than OVERLOAD_FACTOR × the least-loaded
 * replica's requests in flight, plus OVERLOAD_SLACK: then the request goes by load, like the
 * load-aware fallbacks of llm-d's and SGLang's cache-aware routers.
 */
const OVERLOAD_FACTOR = 1.5;
const OVERLOAD_SLACK = 4;

/**
 * The `prefix-affinity` router's own view of where prefixes are cached: the replica it last sent
 * each shared-prefix group, each repeated prompt and each session to. A real router knows only what it routed (the
 * replica may have evicted those blocks since; llm-d's approximate prefix index works the same way),
 * so this is what it routes by: the replica holding the longest known prefix of the request (its
 * whole prompt, else its group's shared prefix), unless that hit is short or the replica is
 * overloaded; then the least-loaded replica, which from then on holds the prefix.
 */
export class PrefixAffinity {
  private readonly groups = new Map<number, number>();
  private readonly prompts = new Map<number, number>();

  /** The replica for `request`; `leastLoaded` is the load-based choice. */
  route(replicas: readonly RoutedReplica[], request: RoutedRequest, leastLoaded: number): number {
    const limit =
      OVERLOAD_FACTOR * (replicas[leastLoaded]?.outstanding ?? Number.POSITIVE_INFINITY) + OVERLOAD_SLACK;
    const usable = (replica: number | undefined, hitTokens: number): replica is number =>
      replica !== undefined &&
      hitTokens >= MIN_AFFINITY_HIT_TOKENS &&
      (replicas[replica]?.outstanding ?? Number.POSITIVE_INFINITY) <= limit;
    const promptReplica = request.promptKey >= 0 ? this.prompts.get(request.promptKey) : undefined;
    const groupReplica = request.prefixGroup >= 0 ? this.groups.get(request.prefixGroup) : undefined;
    // A repeated prompt: the last token is always computed, so a whole-prompt hit saves inputTokens − 1.
    // A session's turn: the previous turn's replica holds the conversation up to this turn's question.
    const promptHit =
      request.sessionContextTokens > 0 ? request.sessionContextTokens : request.inputTokens - 1;
    const choice = usable(promptReplica, promptHit)
      ? promptReplica
      : usable(groupReplica, request.sharedPrefixTokens)
        ? groupReplica
        : leastLoaded;
    if (request.promptKey >= 0) this.prompts.set(request.promptKey, choice);
    if (request.prefixGroup >= 0) this.groups.set(request.prefixGroup, choice);
    return choice;
  }
}
