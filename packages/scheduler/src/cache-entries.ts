/** Own-block keys are `sequence id · OWN_STRIDE + block index` (exact in a double for ids below 2^32). */
export const OWN_STRIDE = 2 ** 21;
/** `CacheEntries.kind` of an anonymous run of free blocks (no key: never hit). */
export const ANONYMOUS = 0;
/** `CacheEntries.kind` of a block keyed (prefix group, index). */
export const GROUP = 1;
/** `CacheEntries.kind` of a block keyed (prompt key, index). */
export const PROMPT = 2;
/** `CacheEntries.kind` of a block keyed by its own sequence (id, index). */
export const OWN = 3;
/** `CacheEntries.kind` of a block keyed (trace hash id, index among that id's blocks). */
export const HASH = 4;

/**
 * The entries of a `PrefixCache` (cached blocks and anonymous runs of free blocks) in typed arrays
 * indexed by entry, with the free queue as a doubly linked list through `prev`/`next` (entry 0 is
 * its sentinel: `next[0]` the head, least recently freed, `prev[0]` the tail). Arrays grow by
 * doubling up to one entry per block, and freed entries are recycled, so nothing allocates per
 * block. The arrays are replaced when they grow (in `create`): read them again after a `create`.
 */
export class CacheEntries {
  prev: Int32Array;
  next: Int32Array;
  /** Reference counts of own-keyed entries (shared entries' counts are implicit, see `PrefixCache`). */
  refs: Int32Array;
  /** Blocks in a queued anonymous run (1 for cached blocks). */
  runs: Int32Array;
  /** ANONYMOUS, GROUP, PROMPT, OWN or HASH. */
  kind: Int32Array;
  /** The key: group, prompt key, sequence id or hash id, and block index. */
  id: Float64Array;
  index: Int32Array;
  private recycled: Int32Array;
  private recycledCount = 0;
  private fresh = 1;
  /** Most entries ever needed: one per block, and the sentinel. */
  private readonly capacity: number;

  constructor(totalBlocks: number) {
    this.capacity = totalBlocks + 1;
    const length = Math.min(this.capacity, 64);
    this.prev = new Int32Array(length);
    this.next = new Int32Array(length);
    this.refs = new Int32Array(length);
    this.runs = new Int32Array(length);
    this.kind = new Int32Array(length);
    this.id = new Float64Array(length);
    this.index = new Int32Array(length);
    this.recycled = new Int32Array(length);
  }

  /** The free queue's head (least recently freed), 0 when the queue is empty. */
  get head(): number {
    return this.next[0] ?? 0;
  }

  /** The free queue's tail (most recently freed), 0 when the queue is empty. */
  get tail(): number {
    return this.prev[0] ?? 0;
  }

  /** Entries in use: queued or referenced (for the audit). */
  get live(): number {
    return this.fresh - 1 - this.recycledCount;
  }

  /** Appends the entry at the queue's tail. */
  linkLast(entry: number): void {
    const tail = this.prev[0] ?? 0;
    this.prev[entry] = tail;
    this.next[entry] = 0;
    this.next[tail] = entry;
    this.prev[0] = entry;
  }

  /** Takes the entry out of the queue. */
  unlink(entry: number): void {
    const before = this.prev[entry] ?? 0;
    const after = this.next[entry] ?? 0;
    this.next[before] = after;
    this.prev[after] = before;
  }

  /** A free entry (a recycled one first); may grow, and so replace, the arrays. */
  create(): number {
    if (this.recycledCount > 0) return this.recycled[--this.recycledCount] ?? 0;
    if (this.fresh >= this.next.length) this.grow();
    return this.fresh++;
  }

  /** A new cached block's entry, with its key and no references (not queued). */
  createKeyed(kind: number, id: number, index: number): number {
    const entry = this.create();
    this.kind[entry] = kind;
    this.id[entry] = id;
    this.index[entry] = index;
    this.refs[entry] = 0;
    this.runs[entry] = 1;
    return entry;
  }

  /** Frees the entry (unlinked, its key forgotten) for a later `create`. */
  recycle(entry: number): void {
    this.recycled[this.recycledCount++] = entry;
  }

  /** Doubles the arrays (entries never outnumber blocks: each holds at least one). */
  private grow(): void {
    if (this.next.length >= this.capacity) throw new Error('prefix cache: more entries than blocks');
    const length = Math.min(this.capacity, 2 * this.next.length);
    const int32 = (array: Int32Array) => {
      const grown = new Int32Array(length);
      grown.set(array);
      return grown;
    };
    this.prev = int32(this.prev);
    this.next = int32(this.next);
    this.refs = int32(this.refs);
    this.runs = int32(this.runs);
    this.kind = int32(this.kind);
    this.index = int32(this.index);
    this.recycled = int32(this.recycled);
    const ids = new Float64Array(length);
    ids.set(this.id);
    this.id = ids;
  }
}
