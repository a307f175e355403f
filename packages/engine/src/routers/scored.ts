import type { RoutedReplica, RoutedRequest, RouterFactory } from '../replica-router';
import { PrefixIndex } from './prefix-index';

/**
 * `scored` (llm-d's scheduler style): every replica gets
 * wₚ · prefix + wₗ · load + wₖ · kv and the highest score wins (ties: the lowest index), with
 * weights from `parallelismSpec.router.weights` and three scores in [0, 1]:
 * - prefix: the share of the request's prompt the router believes the replica caches ({@link
 *   PrefixIndex}: the replica of its leading trace hash ids, else its prompt key's, else its group's);
 * - load: (max − oᵣ) / (max − min) over the replicas' requests in flight oᵣ (1 for all when equal);
 * - kv: the share of the replica's KV blocks free, as its engines last reported (staleness applies).
 */
export const scored: RouterFactory = (options) => {
  const index = new PrefixIndex();
  const { prefix: prefixWeight, load: loadWeight, kv: kvWeight } = options.weights;
  return (replicas: readonly RoutedReplica[], request: RoutedRequest) => {
    let most = 0;
    let least = Number.POSITIVE_INFINITY;
    for (const replica of replicas) {
      most = Math.max(most, replica.outstanding);
      least = Math.min(least, replica.outstanding);
    }
    const hashed = index.hashReplica(request);
    const promptReplica = index.promptReplica(request) ?? -1;
    const groupReplica = index.groupReplica(request) ?? -1;
    const input = Math.max(1, request.inputTokens);
    const promptShare = Math.min(1, index.promptHitTokens(request) / input);
    const groupShare = Math.min(1, request.sharedPrefixTokens / input);
    let best = 0;
    let bestScore = Number.NEGATIVE_INFINITY;
    replicas.forEach((replica, position) => {
      const prefix =
        position === hashed?.replica
          ? Math.min(1, hashed.tokens / input)
          : position === promptReplica
            ? promptShare
            : position === groupReplica
              ? groupShare
              : 0;
      const load = most > least ? (most - replica.outstanding) / (most - least) : 1;
      const kv = replica.kvBlocksTotal > 0 ? 1 - replica.kvBlocksUsed / replica.kvBlocksTotal : 1;
      const score = prefixWeight * prefix + loadWeight * load + kvWeight * kv;
      if (score > bestScore) {
        bestScore = score;
        best = position;
      }
    });
    index.remember(request, best);
    return best;
  };
};
