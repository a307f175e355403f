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
 * Walks the hash ids of a sequence whose KV blocks overlap blocks [from, to), first to last (or
 * last to first): after each `next()` that returns true, `id` is the id, [runFrom, runTo) the
 * overlap as indexes among the id's own blocks and `runLength` the id's block count. One cursor is
 * reused (nothing allocates per walk).
 */
export class HashRunCursor {
  id = 0;
  runFrom = 0;
  runTo = 0;
  runLength = 0;
  private ids: Int32Array = new Int32Array(0);
  private tokens = 1;
  private blockSize = 1;
  private from = 0;
  private to = 0;
  private position = 0;
  private last = -1;
  private step = 1;

  /** Starts a walk over the sequence's ids for blocks [from, to) (`backward`: last id first). */
  start(sequence: Sequence, blockSize: number, from: number, to: number, backward = false): this {
    this.ids = sequence.hashIds ?? this.ids;
    this.tokens = sequence.hashBlockTokens;
    this.blockSize = blockSize;
    this.from = from;
    this.to = to;
    if (sequence.hashIds === undefined || to <= from) {
      this.position = 0;
      this.last = -1;
      this.step = 1;
      return this;
    }
    // The id covering block `from`'s last token, and the one covering block `to − 1`'s.
    const first = Math.floor(((from + 1) * blockSize - 1) / this.tokens);
    const last = Math.floor((to * blockSize - 1) / this.tokens);
    this.position = backward ? last : first;
    this.last = backward ? first : last;
    this.step = backward ? -1 : 1;
    return this;
  }

  /** Moves to the next id that keys blocks in the range; false when there is none. */
  next(): boolean {
    const { tokens, blockSize } = this;
    while ((this.last - this.position) * this.step >= 0) {
      const position = this.position;
      this.position += this.step;
      const start = hashRunStart(position, tokens, blockSize);
      const end = hashRunStart(position + 1, tokens, blockSize);
      if (end <= start) continue;
      this.id = this.ids[position] ?? 0;
      this.runFrom = Math.max(this.from, start) - start;
      this.runTo = Math.min(this.to, end) - start;
      this.runLength = end - start;
      return true;
    }
    return false;
  }
}
