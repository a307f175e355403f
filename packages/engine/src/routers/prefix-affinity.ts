import type { RoutedReplica, RoutedRequest, RouterFactory } from '../replica-router';
import { leastOutstandingOf } from './least-outstanding';
import { PrefixIndex } from './prefix-index';

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
 * `prefix-affinity`: routes by the router's own view of where prefixes are cached ({@link
 * PrefixIndex}): the replica holding the longest known prefix of the request (the leading blocks of
 * its trace hash ids, its whole prompt or its session's conversation, else its group's shared
 * prefix), unless that hit is short or the
 * replica is overloaded; then the least-loaded replica, which from then on holds the prefix.
 */
export const prefixAffinity: RouterFactory = () => {
  const index = new PrefixIndex();
  return (replicas: readonly RoutedReplica[], request: RoutedRequest) => {
    const leastLoaded = leastOutstandingOf(replicas);
    const limit =
      OVERLOAD_FACTOR * (replicas[leastLoaded]?.outstanding ?? Number.POSITIVE_INFINITY) + OVERLOAD_SLACK;
    const usable = (replica: number | undefined, hitTokens: number): replica is number =>
      replica !== undefined &&
      hitTokens >= MIN_AFFINITY_HIT_TOKENS &&
      (replicas[replica]?.outstanding ?? Number.POSITIVE_INFINITY) <= limit;
    const hashed = index.hashReplica(request);
    const promptReplica = index.promptReplica(request);
    const groupReplica = index.groupReplica(request);
    const choice =
      hashed !== undefined && usable(hashed.replica, hashed.tokens)
        ? hashed.replica
        : usable(promptReplica, index.promptHitTokens(request))
          ? promptReplica
          : usable(groupReplica, request.sharedPrefixTokens)
            ? groupReplica
            : leastLoaded;
    index.remember(request, choice);
    return choice;
  };
};
