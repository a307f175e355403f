import { BlockManager } from './block-manager';
import type { Sequence } from './sequence';

/** Own-block keys are `sequence id · OWN_STRIDE + block index` (exact in a double for ids below 2^32). */
const OWN_STRIDE = 2 ** 21;
/** `entryKind` of an anonymous run of free blocks (no key: never hit). */
const ANONYMOUS = 0;
/** `entryKind` of a block keyed (prefix group, index). */
const GROUP = 1;
/** `entryKind` of a block keyed (prompt key, index). */
const PROMPT = 2;
/** `entryKind` of a block keyed by its own sequence (id, index). */
const OWN = 3;

/** Counts walked out of a `PrefixCache`'s structures by `audit` (for tests). */
export interface PrefixCacheAudit {
  /** Cached blocks with a reference count above 0. */
  readonly referencedCached: number;
  /** Sum of the reference counts (one per sequence holding the block). */
  readonly references: number;
  /** Cached blocks with reference count 0, in the eviction queue. */
  readonly evictable: number;
  /** Free blocks without a key in the eviction queue (partial blocks, finished sequences' own blocks). */
  readonly releasedFree: number;
  /** Blocks never handed out. */
  readonly neverUsed: number;
  /** Keys in the lookup tables (each must point to a cached block carrying that key). */
  readonly keys: number;
}

/**
 * Blocks shared under one kind of key, per id (a prefix group, a repeated prompt): the id's blocks
 * from `start` on are held by sequences as runs [start, end), so their reference counts are
 * implicit (see `PrefixCache`).
 */
interface SharedKeys {
  readonly kind: number;
  /** Per id: block index → entry (−1 when not cached). */
  readonly tables: (Int32Array | undefined)[];
  /** Per id: run end → sequences whose run ends there. */
  readonly holders: (Int32Array | undefined)[];
  /** Per id: end of the longest run held (from it on, cached blocks are unreferenced). */
  readonly referenced: number[];
  /** Per id: where its blocks start (0 for a group; its group's end for a prompt). */
  readonly starts: number[];
}

const sharedKeys = (kind: number): SharedKeys => ({
  kind,
  tables: [],
  holders: [],
  referenced: [],
  starts: [],
});

/**
 * Paged KV blocks with automatic prefix caching, as vLLM V1's KVCacheManager: by identity rather
 * than by token contents. Full block i of a sequence's token stream has a key identifying the whole
 * prefix up to its end (the hash chain): `(prefixGroup, i)` when the block lies entirely inside the
 * group's shared prefix; `(promptKey, i)` when the sequence's whole prompt repeats across requests
 * (`promptKey` ≥ 0) and the block lies inside the prompt; else `(sequence id, i)` (its own prompt
 * tokens and generated tokens, which only that sequence can hit again, when it is recomputed after
 * a preemption).
 *
 * A sequence holds its leading `cachedBlocks` blocks through the cache (reference-counted, shared
 * between running sequences); the rest of its blocks are private and counted, as in the plain
 * `BlockManager` (whose `usedBlocks`, the referenced blocks, keeps its meaning). A block whose
 * last reference goes is not forgotten: it joins the free queue (least recently freed first, a
 * sequence's blocks tail first, as vLLM's free-block queue) and can still be hit until an
 * allocation, finding no never-used block, evicts it from the queue's head. Cached-but-unreferenced
 * blocks are free capacity (`canAllocate` and `freeBlocks` count them). Blocks that no request can
 * hit again (partial last blocks, a finished sequence's own blocks, a swapped-out sequence's) sit in
 * the queue as anonymous runs, one queue node per run, so releasing a request costs O(1) for its
 * private blocks. Entries live in typed arrays (grown by doubling up to one per block); nothing
 * here allocates per block.
 *
 * Shared blocks are registered when the chunk that computes them is scheduled (so a request
 * admitted later in the same iteration hits them, as in vLLM V1); own blocks when a recompute
 * preemption releases them. When a sequence registers a shared block that another already cached
 * (both missed), it drops its copy and references the cached one.
 *
 * Shared blocks' reference counts are implicit, so that admitting and releasing a request of a hot
 * group costs O(1), not O(prefix blocks): every holder of a group's blocks holds a leading run of
 * them, so block i's count is the number of holders whose run is longer than i. Per group (and per
 * repeated prompt, whose runs start where its group's end) the cache keeps how many holders have
 * each run length and the longest run (the referenced blocks are exactly the blocks before it);
 * only blocks whose count crosses 0 are touched. Own blocks (recomputes only) carry explicit counts.
 */
export class PrefixCache extends BlockManager {
  // Entries (index 0 is the free queue's sentinel): cached blocks and anonymous runs.
  private prev: Int32Array;
  private next: Int32Array;
  /** Reference counts of own-keyed entries (shared entries' counts are implicit, see the class). */
  private refs: Int32Array;
  /** Blocks in a queued anonymous run (1 for cached blocks). */
  private runs: Int32Array;
  /** ANONYMOUS, GROUP, PROMPT or OWN. */
  private entryKind: Int32Array;
  /** The key: group, prompt key or sequence id, and block index. */
  private entryId: Float64Array;
  private entryIndex: Int32Array;
  private recycled: Int32Array;
  private recycledCount = 0;
  private freshEntry = 1;
  private readonly groups = sharedKeys(GROUP);
  private readonly prompts = sharedKeys(PROMPT);
  /** Own-block key → entry. */
  private readonly ownKeys = new Map<number, number>();
  private neverUsed: number;
  private evictable = 0;
  private releasedFree = 0;
  /** `match`'s result, consumed by `acquireMatched`: group and prompt run ends, own entries after them. */
  private matchedGroup = 0;
  private matchedPrompt = 0;
  private matched = new Int32Array(64);
  private matchedOwn = 0;
  private matchedEvictable = 0;

  constructor(totalBlocks: number, blockSize: number) {
    super(totalBlocks, blockSize);
    const capacity = Math.min(totalBlocks + 1, 64);
    this.prev = new Int32Array(capacity);
    this.next = new Int32Array(capacity);
    this.refs = new Int32Array(capacity);
    this.runs = new Int32Array(capacity);
    this.entryKind = new Int32Array(capacity);
    this.entryId = new Float64Array(capacity);
    this.entryIndex = new Int32Array(capacity);
    this.recycled = new Int32Array(capacity);
    this.neverUsed = totalBlocks;
  }

  /** Cached blocks that no sequence references (free capacity that can still be hit). */
  get evictableBlocks(): number {
    return this.evictable;
  }

  /** Free blocks that hold nothing hit-able (never used, or released without a key). */
  get emptyBlocks(): number {
    return this.neverUsed + this.releasedFree;
  }

  /** Of the blocks the last `match` found, those no sequence references (taking them uses free capacity). */
  get matchedEvictableBlocks(): number {
    return this.matchedEvictable;
  }

  /** Takes `blocks` private blocks: never-used ones first, then from the free queue's head, evicting cached blocks. */
  override allocate(blocks: number): void {
    if (blocks > this.totalBlocks - this.used)
      throw new Error(`KV over-allocation: ${blocks} requested, ${this.freeBlocks} free`);
    this.used += blocks;
    let take = blocks;
    if (this.neverUsed > 0) {
      const fromNever = Math.min(this.neverUsed, take);
      this.neverUsed -= fromNever;
      take -= fromNever;
    }
    const { next, runs, entryKind } = this;
    while (take > 0) {
      const head = next[0] as number;
      if (head === 0) throw new Error('prefix cache: free queue empty while blocks are free');
      if (entryKind[head] === ANONYMOUS) {
        const run = runs[head] as number;
        if (run > take) {
          runs[head] = run - take;
          this.releasedFree -= take;
          return;
        }
        this.releasedFree -= run;
        take -= run;
        this.unlink(head);
        this.recycle(head);
      } else {
        this.evict(head);
        take--;
      }
    }
  }

  /** Returns `blocks` private blocks (nothing hit-able in them) to the free queue. */
  override free(blocks: number): void {
    if (blocks > this.used) throw new Error(`KV double free: ${blocks} returned, ${this.used} in use`);
    this.used -= blocks;
    this.appendAnonymous(blocks);
  }

  /**
   * Looks up the sequence's leading full blocks (of its current prefill: the prompt, or prompt and
   * generated tokens when recomputed) and returns how many are cached, at most
   * ⌊(prefillLength − 1) / blockSize⌋ so the last token is always computed. Changes nothing;
   * `acquireMatched` takes them.
   */
  match(sequence: Sequence): number {
    const blockSize = this.blockSize;
    const limit = Math.floor((sequence.prefillLength - 1) / blockSize);
    this.matchedEvictable = 0;
    const groupBlocks = groupBlocksOf(sequence, blockSize);
    const groupEnd = Math.min(groupBlocks, limit);
    let count = groupEnd > 0 ? this.matchShared(this.groups, sequence.prefixGroup, 0, groupEnd) : 0;
    this.matchedGroup = count;
    const promptEnd = Math.min(promptBlocksOf(sequence, blockSize, groupBlocks), limit);
    if (count === groupEnd && promptEnd > count)
      count = this.matchShared(this.prompts, sequence.promptKey, groupBlocks, promptEnd);
    this.matchedPrompt = count;
    let own = 0;
    // Own blocks exist only for a sequence that was preempted (and only behind complete shared runs).
    if (count === Math.max(groupEnd, promptEnd) && sequence.preemptions > 0 && this.ownKeys.size > 0) {
      if (this.matched.length < limit)
        this.matched = new Int32Array(Math.max(limit, 2 * this.matched.length));
      const { matched, refs } = this;
      const base = sequence.id * OWN_STRIDE;
      while (count < limit) {
        const entry = this.ownKeys.get(base + count);
        if (entry === undefined) break;
        matched[own++] = entry;
        count++;
        if (refs[entry] === 0) this.matchedEvictable++;
      }
    }
    this.matchedOwn = own;
    return count;
  }

  /**
   * References the blocks the last `match` found for this sequence (it now holds them as its
   * leading `cachedBlocks`). The caller allocates the rest of its blocks privately afterwards.
   */
  acquireMatched(sequence: Sequence): void {
    if (this.matchedGroup > 0) this.acquireShared(this.groups, sequence.prefixGroup, this.matchedGroup);
    if (this.matchedPrompt > this.matchedGroup)
      this.acquireShared(this.prompts, sequence.promptKey, this.matchedPrompt);
    const { matched, refs } = this;
    for (let index = 0; index < this.matchedOwn; index++) {
      const entry = matched[index] as number;
      if (refs[entry] === 0) {
        this.unlink(entry);
        this.evictable--;
        this.used++;
      }
      refs[entry] = (refs[entry] as number) + 1;
    }
    sequence.cachedBlocks = this.matchedPrompt + this.matchedOwn;
  }

  /**
   * Caches the sequence's shared blocks (of its group's prefix, and of its prompt when it repeats)
   * that are full once its first `computedTokens` tokens are computed (call when the chunk that
   * computes them is scheduled). Its private copies become cached blocks under the shared key, or,
   * where the key is already cached, are dropped for a reference to the cached block.
   */
  registerPrompt(sequence: Sequence, computedTokens: number): void {
    const blockSize = this.blockSize;
    const groupBlocks = groupBlocksOf(sequence, blockSize);
    const promptBlocks = promptBlocksOf(sequence, blockSize, groupBlocks);
    const full = Math.floor(computedTokens / blockSize);
    let held = sequence.cachedBlocks;
    const groupEnd = Math.min(groupBlocks, full);
    if (held < groupEnd) {
      this.registerShared(this.groups, sequence.prefixGroup, 0, groupBlocks, held, groupEnd);
      held = groupEnd;
    }
    const promptEnd = Math.min(promptBlocks, full);
    if (held < promptEnd && held >= groupBlocks) {
      this.registerShared(this.prompts, sequence.promptKey, groupBlocks, promptBlocks, held, promptEnd);
      held = promptEnd;
    }
    sequence.cachedBlocks = held;
  }

  /**
   * A sequence holding `kvLength` tokens of KV leaves the GPU (finished or preempted): its blocks go
   * to the free queue tail first (the partial block, its private full blocks, then its cached ones
   * as their reference counts reach 0). With `keepOwn` (a recompute preemption) its private full
   * blocks are cached under its own keys, for its readmission to hit; otherwise they are anonymous.
   */
  release(sequence: Sequence, kvLength: number, keepOwn: boolean): void {
    const blockSize = this.blockSize;
    const total = Math.ceil(kvLength / blockSize);
    const full = Math.floor(kvLength / blockSize);
    const cached = sequence.cachedBlocks;
    if (total - cached > this.used)
      throw new Error(`KV double free: ${total - cached} returned, ${this.used} in use`);
    this.used -= total - cached;
    if (total > full) this.appendAnonymous(1);
    if (keepOwn) {
      const base = sequence.id * OWN_STRIDE;
      for (let index = full - 1; index >= cached; index--) {
        const key = base + index;
        // Defensive: an older copy under this key (not reachable with tail-first eviction) stays.
        if (this.ownKeys.has(key)) {
          this.appendAnonymous(1);
          continue;
        }
        const entry = this.newEntry();
        this.entryKind[entry] = OWN;
        this.entryId[entry] = sequence.id;
        this.entryIndex[entry] = index;
        this.refs[entry] = 0;
        this.runs[entry] = 1;
        this.ownKeys.set(key, entry);
        this.linkLast(entry);
        this.evictable++;
      }
    } else if (full > cached) {
      this.appendAnonymous(full - cached);
    }
    if (cached > 0) {
      const groupBlocks = groupBlocksOf(sequence, blockSize);
      const promptBlocks = promptBlocksOf(sequence, blockSize, groupBlocks);
      const refs = this.refs;
      for (let index = cached - 1; index >= promptBlocks; index--) {
        const entry = this.ownKeys.get(sequence.id * OWN_STRIDE + index);
        const count = refs[entry as number] as number;
        if (entry === undefined || !(count > 0))
          throw new Error(`prefix cache: block ${index} of sequence ${sequence.id} not held`);
        refs[entry] = count - 1;
        if (count === 1) {
          this.linkLast(entry);
          this.evictable++;
          this.used--;
        }
      }
      const promptRun = Math.min(cached, promptBlocks);
      if (promptRun > groupBlocks)
        this.releaseShared(this.prompts, sequence.promptKey, groupBlocks, promptRun, sequence);
      const groupRun = Math.min(cached, groupBlocks);
      if (groupRun > 0) this.releaseShared(this.groups, sequence.prefixGroup, 0, groupRun, sequence);
      sequence.cachedBlocks = 0;
    }
  }

  /**
   * Reference count of the cached block with the sequence's key for block `index`: −1 when no such
   * block is cached, 0 when cached and evictable.
   */
  referenceCount(sequence: Sequence, index: number): number {
    const groupBlocks = groupBlocksOf(sequence, this.blockSize);
    const shared =
      index < groupBlocks
        ? { keys: this.groups, id: sequence.prefixGroup }
        : index < promptBlocksOf(sequence, this.blockSize, groupBlocks)
          ? { keys: this.prompts, id: sequence.promptKey }
          : undefined;
    if (shared !== undefined) {
      const entry = shared.keys.tables[shared.id]?.[index];
      if (entry === undefined || entry < 0) return -1;
      return sharedReferences(shared.keys.holders[shared.id] as Int32Array, index);
    }
    const entry = this.ownKeys.get(sequence.id * OWN_STRIDE + index);
    return entry === undefined ? -1 : (this.refs[entry] as number);
  }

  /** Walks every structure and checks it against the running counts (O(total blocks); for tests). */
  audit(): PrefixCacheAudit {
    let evictable = 0;
    let releasedFree = 0;
    const inQueue = new Set<number>();
    for (let entry = this.next[0] as number; entry !== 0; entry = this.next[entry] as number) {
      if (inQueue.has(entry)) throw new Error(`prefix cache audit: entry ${entry} queued twice`);
      inQueue.add(entry);
      if (this.prev[this.next[entry] as number] !== entry)
        throw new Error('prefix cache audit: broken links');
      if (this.entryKind[entry] === ANONYMOUS) releasedFree += this.runs[entry] as number;
      else evictable++;
    }
    let keys = 0;
    let referencedCached = 0;
    let references = 0;
    const check = (entry: number, kind: number, id: number, index: number, refs: number) => {
      keys++;
      if (this.entryKind[entry] !== kind || this.entryId[entry] !== id || this.entryIndex[entry] !== index)
        throw new Error(`prefix cache audit: key (${kind}, ${id}, ${index}) points to entry ${entry}`);
      if (refs < 0 || (refs === 0) !== inQueue.has(entry))
        throw new Error(
          `prefix cache audit: entry ${entry} has ${refs} references, queued ${inQueue.has(entry)}`,
        );
      if (refs > 0) {
        referencedCached++;
        references += refs;
      }
    };
    for (const shared of [this.groups, this.prompts]) {
      shared.tables.forEach((table, id) => {
        if (table === undefined) return;
        const holders = shared.holders[id] as Int32Array;
        const start = shared.starts[id] as number;
        let longest = start;
        holders.forEach((count, end) => {
          if (count < 0 || (count > 0 && end <= start))
            throw new Error(`prefix cache audit: (${shared.kind}, ${id}) has ${count} runs ending at ${end}`);
          if (count > 0) longest = end;
        });
        if (longest !== shared.referenced[id])
          throw new Error(
            `prefix cache audit: (${shared.kind}, ${id}) referenced up to ${shared.referenced[id]}, held up to ${longest}`,
          );
        table.forEach((entry, index) => {
          if (entry >= 0 && index < start)
            throw new Error(
              `prefix cache audit: (${shared.kind}, ${id}) caches block ${index} before ${start}`,
            );
          if (entry >= 0) check(entry, shared.kind, id, index, sharedReferences(holders, index));
          else if (index >= start && index < longest)
            throw new Error(`prefix cache audit: held block ${index} of (${shared.kind}, ${id}) lost`);
        });
      });
    }
    for (const [key, entry] of this.ownKeys) {
      const index = key % OWN_STRIDE;
      check(entry, OWN, (key - index) / OWN_STRIDE, index, this.refs[entry] as number);
    }
    if (evictable !== this.evictable || releasedFree !== this.releasedFree)
      throw new Error(
        `prefix cache audit: queue holds ${evictable} cached + ${releasedFree} anonymous, counts say ${this.evictable} + ${this.releasedFree}`,
      );
    if (
      keys !== evictable + referencedCached ||
      this.freshEntry - 1 - this.recycledCount !== inQueue.size + referencedCached
    )
      throw new Error('prefix cache audit: entries leaked');
    if (this.used + evictable + releasedFree + this.neverUsed !== this.totalBlocks)
      throw new Error('prefix cache audit: referenced + evictable + free ≠ total');
    return { referencedCached, references, evictable, releasedFree, neverUsed: this.neverUsed, keys };
  }

  /** End of the run of `id`'s blocks cached from `start` up to `end` (the referenced ones first). */
  private matchShared(shared: SharedKeys, id: number, start: number, end: number): number {
    const table = shared.tables[id];
    if (table === undefined) return start;
    const stop = Math.min(end, table.length);
    if (stop <= start) return start;
    // The referenced run is cached; after it, cached blocks are unreferenced (evictable).
    const referenced = Math.max(start, Math.min(shared.referenced[id] as number, stop));
    let count = referenced;
    while (count < stop && (table[count] as number) >= 0) count++;
    this.matchedEvictable += count - referenced;
    return count;
  }

  /** A sequence takes `id`'s cached blocks up to `runEnd` (found by `matchShared`). */
  private acquireShared(shared: SharedKeys, id: number, runEnd: number): void {
    const referenced = shared.referenced[id] as number;
    if (runEnd > referenced) {
      const table = shared.tables[id] as Int32Array;
      for (let index = referenced; index < runEnd; index++) this.unlink(table[index] as number);
      this.evictable -= runEnd - referenced;
      this.used += runEnd - referenced;
      shared.referenced[id] = runEnd;
    }
    const holders = shared.holders[id] as Int32Array;
    holders[runEnd] = (holders[runEnd] as number) + 1;
  }

  /** A sequence holding `id`'s blocks [start, held) caches its blocks [held, end) under `id`. */
  private registerShared(
    shared: SharedKeys,
    id: number,
    start: number,
    blocks: number,
    held: number,
    end: number,
  ): void {
    const table = this.sharedTable(shared, id, start, blocks);
    const referenced = shared.referenced[id] as number;
    for (let index = held; index < end; index++) {
      const existing = table[index] as number;
      if (existing >= 0) {
        if (index >= referenced) {
          this.unlink(existing);
          this.evictable--;
          this.used++;
        }
        this.used--;
        this.appendAnonymous(1);
      } else {
        const entry = this.newEntry();
        this.entryKind[entry] = shared.kind;
        this.entryId[entry] = id;
        this.entryIndex[entry] = index;
        this.runs[entry] = 1;
        table[index] = entry;
      }
    }
    const holders = shared.holders[id] as Int32Array;
    if (held > start) holders[held] = (holders[held] as number) - 1;
    holders[end] = (holders[end] as number) + 1;
    if (end > referenced) shared.referenced[id] = end;
  }

  /** A sequence holding `id`'s blocks [start, runEnd) lets them go; blocks nobody holds any more are queued, tail first. */
  private releaseShared(
    shared: SharedKeys,
    id: number,
    start: number,
    runEnd: number,
    sequence: Sequence,
  ): void {
    const holders = shared.holders[id] as Int32Array | undefined;
    const holding = (holders?.[runEnd] ?? 0) - 1;
    if (holders === undefined || holding < 0)
      throw new Error(
        `prefix cache: sequence ${sequence.id} does not hold blocks ${start}..${runEnd - 1} of ${id}`,
      );
    holders[runEnd] = holding;
    const referenced = shared.referenced[id] as number;
    if (runEnd !== referenced || holding !== 0) return;
    // The longest holder left: blocks past the next longest run lose their last reference.
    let still = referenced - 1;
    while (still > start && holders[still] === 0) still--;
    const table = shared.tables[id] as Int32Array;
    for (let index = referenced - 1; index >= still; index--) this.linkLast(table[index] as number);
    this.evictable += referenced - still;
    this.used -= referenced - still;
    shared.referenced[id] = still;
  }

  /** `id`'s block table, grown to at least `blocks` blocks (with its holder counts). */
  private sharedTable(shared: SharedKeys, id: number, start: number, blocks: number): Int32Array {
    let table = shared.tables[id];
    if (table === undefined || table.length < blocks) {
      const length = Math.max(blocks, 2 * (table?.length ?? 0));
      const grown = new Int32Array(length).fill(-1);
      const holders = new Int32Array(length + 1);
      if (table !== undefined) {
        grown.set(table);
        holders.set(shared.holders[id] as Int32Array);
      }
      while (shared.tables.length < id) {
        shared.tables.push(undefined);
        shared.holders.push(undefined);
        shared.referenced.push(0);
        shared.starts.push(0);
      }
      if (table === undefined) {
        shared.referenced[id] = start;
        shared.starts[id] = start;
      }
      shared.tables[id] = grown;
      shared.holders[id] = holders;
      table = grown;
    }
    return table;
  }

  /** Removes the cached block at the queue's head for reuse (its key is forgotten). */
  private evict(entry: number): void {
    this.unlink(entry);
    this.evictable--;
    const kind = this.entryKind[entry] as number;
    const id = this.entryId[entry] as number;
    const index = this.entryIndex[entry] as number;
    if (kind === OWN) this.ownKeys.delete(id * OWN_STRIDE + index);
    else ((kind === GROUP ? this.groups : this.prompts).tables[id] as Int32Array)[index] = -1;
    this.recycle(entry);
  }

  /** Appends `blocks` key-less free blocks at the queue's tail (merged into a tail run). */
  private appendAnonymous(blocks: number): void {
    if (blocks <= 0) return;
    this.releasedFree += blocks;
    const tail = this.prev[0] as number;
    if (tail !== 0 && this.entryKind[tail] === ANONYMOUS) {
      this.runs[tail] = (this.runs[tail] as number) + blocks;
      return;
    }
    const entry = this.newEntry();
    this.entryKind[entry] = ANONYMOUS;
    this.runs[entry] = blocks;
    this.linkLast(entry);
  }

  private linkLast(entry: number): void {
    const tail = this.prev[0] as number;
    this.prev[entry] = tail;
    this.next[entry] = 0;
    this.next[tail] = entry;
    this.prev[0] = entry;
  }

  private unlink(entry: number): void {
    const before = this.prev[entry] as number;
    const after = this.next[entry] as number;
    this.next[before] = after;
    this.prev[after] = before;
  }

  private newEntry(): number {
    if (this.recycledCount > 0) return this.recycled[--this.recycledCount] as number;
    if (this.freshEntry >= this.next.length) this.grow();
    return this.freshEntry++;
  }

  /** Doubles the entry arrays (entries never outnumber blocks: each holds at least one). */
  private grow(): void {
    const capacity = this.totalBlocks + 1;
    if (this.next.length >= capacity) throw new Error('prefix cache: more entries than blocks');
    const length = Math.min(capacity, 2 * this.next.length);
    const int32 = (array: Int32Array) => {
      const grown = new Int32Array(length);
      grown.set(array);
      return grown;
    };
    this.prev = int32(this.prev);
    this.next = int32(this.next);
    this.refs = int32(this.refs);
    this.runs = int32(this.runs);
    this.entryKind = int32(this.entryKind);
    this.entryIndex = int32(this.entryIndex);
    this.recycled = int32(this.recycled);
    const ids = new Float64Array(length);
    ids.set(this.entryId);
    this.entryId = ids;
  }

  private recycle(entry: number): void {
    this.recycled[this.recycledCount++] = entry;
  }
}

/** Reference count of a shared block `index`: holders of runs longer than `index`. */
function sharedReferences(holders: Int32Array, index: number): number {
  let count = 0;
  for (let end = index + 1; end < holders.length; end++) count += holders[end] as number;
  return count;
}

/** Full blocks of the sequence inside its group's shared prefix (0 without a group). */
function groupBlocksOf(sequence: Sequence, blockSize: number): number {
  if (sequence.prefixGroup < 0) return 0;
  return Math.floor(Math.min(sequence.sharedPrefixTokens, sequence.inputTokens) / blockSize);
}

/** End of the sequence's blocks keyed by its prompt: its full prompt blocks when the prompt repeats, else `groupBlocks`. */
function promptBlocksOf(sequence: Sequence, blockSize: number, groupBlocks: number): number {
  if (sequence.promptKey < 0) return groupBlocks;
  return Math.max(groupBlocks, Math.floor(sequence.inputTokens / blockSize));
}
