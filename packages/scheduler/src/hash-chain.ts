import type { Sequence } from './sequence';

/**
 * A trace's hash ids (Mooncake's `hash_ids`) as prefix-cache keys. A prompt's hash id k names its
 * tokens [k·H, (k + 1)·H) together with everything before them (a chained hash; H is
 * `sequence.hashBlockTokens`), so prompts with the same id k share their first (k + 1)·H tokens. A
 * KV block is keyed by the id covering its last token and its index among that id's blocks: id k
 * keys the KV blocks [hashRunStart(k), hashRunStart(k + 1)), none when H is smaller than a KV block
 * and no block ends inside it.
 */
export function hashRunStart(position: number, hashTokens: number, blockSize: number): number {
  return Math.ceil((position * hashTokens + 1) / blockSize) - 1;
}

/** Full prompt blocks of the sequence keyed by its hash ids (0 without): those whose last token an id covers. */
export function hashBlocksOf(sequence: Sequence, blockSize: number): number {
  const ids = sequence.hashIds;
  if (ids === undefined) return 0;
  return Math.min(
    Math.floor(sequence.inputTokens / blockSize),
    Math.floor((ids.length * sequence.hashBlockTokens) / blockSize),
  );
}

/**
 * Calls `visit` for each hash id of the sequence whose KV blocks overlap blocks [from, to), first
 * to last (`backward`: last to first), with the overlap as indexes among the id's own blocks,
 * [runFrom, runTo), and the id's block count.
 */
export function eachHashRun(
  sequence: Sequence,
  blockSize: number,
  from: number,
  to: number,
  visit: (id: number, runFrom: number, runTo: number, runLength: number) => void,
  backward = false,
): void {
  const ids = sequence.hashIds;
  if (ids === undefined || to <= from) return;
  const tokens = sequence.hashBlockTokens;
  // The id covering block `from`'s last token, and the one covering block `to − 1`'s.
  const first = Math.floor(((from + 1) * blockSize - 1) / tokens);
  const last = Math.floor((to * blockSize - 1) / tokens);
  for (let step = 0; step <= last - first; step++) {
    const position = backward ? last - step : first + step;
    const start = hashRunStart(position, tokens, blockSize);
    const end = hashRunStart(position + 1, tokens, blockSize);
    if (end > start)
      visit(ids[position] ?? 0, Math.max(from, start) - start, Math.min(to, end) - start, end - start);
  }
}
