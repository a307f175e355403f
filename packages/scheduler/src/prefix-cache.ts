import { BlockManager } from './block-manager';
import { ANONYMOUS, CacheEntries, GROUP, HASH, OWN, OWN_STRIDE, PROMPT } from './cache-entries';
import { HashRunCursor } from './hash-chain';
import { HostTier } from './host-tier';
import {
  auditPrefixCache,
  cachedReferenceCount,
  type PrefixCacheAudit,
  type PrefixCacheState,
} from './prefix-cache-audit';
import type { Sequence } from './sequence';
import {
  acquireRun,
  groupBlocksOf,
  promptBlocksOf,
  releaseRun,
  type SharedKeys,
  sharedBlocksOf,
  sharedKeys,
  sharedRuns,
} from './shared-keys';

/**
 * Paged KV blocks with automatic prefix caching, as vLLM V1's KVCacheManager: by identity rather
 * than by token contents. Full block i of a sequence's token stream has a key identifying the whole
 * prefix up to its end (the hash chain): `(prefixGroup, i)` when the block lies entirely inside the
 * group's shared prefix; `(promptKey, i)` when the sequence's whole prompt repeats across requests
 * (`promptKey` ≥ 0) and the block lies inside the prompt; else `(sequence id, i)` (its own prompt
 * tokens and generated tokens, which only that sequence can hit again, when it is recomputed after
 * a preemption). A sequence with hash ids from a trace (`Sequence.hashIds`) keys the blocks they
 * cover by them instead: `(hash id, index among the id's blocks)`, so any two prompts share exactly
 * the blocks their ids say they share (see `hashRunStart`).
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
 * Shared blocks' reference counts are implicit (see `SharedRuns`); own blocks (recomputes only)
 * carry explicit counts.
 *
 * With `hostBlocks` > 0 (`schedulerSpec.kvOffload`) evicted shared blocks go to a `HostTier`, an
 * LRU of keys in host memory. A match continues each GPU run of a key into the host tier (blocks
 * i, i+1, … of the key held there, up to the same limit); acquiring them loads them: the sequence
 * takes fresh GPU blocks for them (allocated, as for a miss, but not prefilled) and they are cached
 * under their key as if computed. Own blocks and anonymous ones never go to host memory.
 */
export class PrefixCache extends BlockManager {
  /** Cached blocks and anonymous runs, and the free queue through them. */
  private readonly entries: CacheEntries;
  private readonly groups = sharedKeys(GROUP);
  private readonly prompts = sharedKeys(PROMPT);
  private readonly hashes = sharedKeys(HASH);
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
  /** `match`'s runs continued in host memory: where the group's and the prompt's runs end with them. */
  private loadedGroup = 0;
  private loadedPrompt = 0;
  /** `match`'s run of hash-keyed blocks: where it ends on the GPU, and with its continuation in host memory. */
  private matchedHash = 0;
  private loadedHash = 0;
  /** Walks a sequence's hash ids (reused). */
  private readonly hashRuns = new HashRunCursor();
  /** Evicted shared blocks kept in host memory (undefined without offload). */
  private readonly host: HostTier | undefined;

  /**
   * `hostBlocks`: blocks of host memory for evicted shared blocks (`schedulerSpec.kvOffload`, from
   * the memory plan); 0 (default) keeps none.
   */
  constructor(totalBlocks: number, blockSize: number, hostBlocks = 0) {
    super(totalBlocks, blockSize);
    this.entries = new CacheEntries(totalBlocks);
    this.neverUsed = totalBlocks;
    this.host = hostBlocks > 0 ? new HostTier(hostBlocks) : undefined;
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

  /**
   * Of the blocks the last `match` found, those only in host memory: `acquireMatched` loads them
   * onto as many free GPU blocks (0 without offload).
   */
  get matchedHostBlocks(): number {
    return (
      this.loadedGroup -
      this.matchedGroup +
      (this.loadedPrompt - this.matchedPrompt) +
      (this.loadedHash - this.matchedHash)
    );
  }

  /** Most blocks host memory holds (`schedulerSpec.kvOffload`; 0 without offload). */
  get hostCapacityBlocks(): number {
    return this.host?.capacity ?? 0;
  }

  /** Blocks in host memory now. */
  get hostBlocks(): number {
    return this.host?.blocks ?? 0;
  }

  /** Blocks written to host memory so far (evicted shared blocks not already there). */
  get offloadedBlocks(): number {
    return this.host?.offloaded ?? 0;
  }

  /** Blocks loaded from host memory so far (by `acquireMatched`). */
  get loadedBlocks(): number {
    return this.host?.loaded ?? 0;
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
    const entries = this.entries;
    while (take > 0) {
      const head = entries.head;
      if (head === 0) throw new Error('prefix cache: free queue empty while blocks are free');
      if (entries.kind[head] === ANONYMOUS) {
        const run = entries.runs[head] ?? 0;
        if (run > take) {
          entries.runs[head] = run - take;
          this.releasedFree -= take;
          return;
        }
        this.releasedFree -= run;
        take -= run;
        entries.unlink(head);
        entries.recycle(head);
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
   * ⌊(prefillLength − 1) / blockSize⌋ so the last token is always computed. With offload, each
   * key's GPU run continues with its blocks in host memory (`matchedHostBlocks` of them). Changes
   * nothing; `acquireMatched` takes them.
   */
  match(sequence: Sequence): number {
    const blockSize = this.blockSize;
    const limit = Math.floor((sequence.prefillLength - 1) / blockSize);
    this.matchedEvictable = 0;
    const sharedEnd = Math.min(sharedBlocksOf(sequence, blockSize), limit);
    let count: number;
    if (sequence.hashIds === undefined) {
      count = this.matchGroupAndPrompt(sequence, limit);
      this.matchedHash = 0;
      this.loadedHash = 0;
    } else {
      count = this.matchHashes(sequence, sharedEnd);
      this.matchedGroup = 0;
      this.loadedGroup = 0;
      this.matchedPrompt = 0;
      this.loadedPrompt = 0;
    }
    let own = 0;
    // Own blocks exist only for a sequence that was preempted (and only behind complete shared runs).
    if (count === sharedEnd && sequence.preemptions > 0 && this.ownKeys.size > 0) {
      if (this.matched.length < limit)
        this.matched = new Int32Array(Math.max(limit, 2 * this.matched.length));
      const { matched } = this;
      const { refs } = this.entries;
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

  /** `match`'s shared part for a sequence keyed by its group and repeated prompt. */
  private matchGroupAndPrompt(sequence: Sequence, limit: number): number {
    const blockSize = this.blockSize;
    const groupBlocks = groupBlocksOf(sequence, blockSize);
    const groupEnd = Math.min(groupBlocks, limit);
    let count = groupEnd > 0 ? this.matchShared(this.groups, sequence.prefixGroup, 0, groupEnd) : 0;
    this.matchedGroup = count;
    const host = this.host;
    if (host !== undefined && count < groupEnd) {
      const id = sequence.prefixGroup;
      count = host.run(GROUP, id, count, groupEnd, this.groups.ids[id]?.table);
    }
    this.loadedGroup = count;
    const promptEnd = Math.min(promptBlocksOf(sequence, blockSize, groupBlocks), limit);
    // (A prompt run past the group's means the group's run is whole: it starts at groupBlocks.)
    const prompt = count === groupEnd && promptEnd > count;
    if (prompt) count = this.matchShared(this.prompts, sequence.promptKey, groupBlocks, promptEnd);
    this.matchedPrompt = count;
    if (prompt && host !== undefined && count < promptEnd) {
      const id = sequence.promptKey;
      count = host.run(PROMPT, id, count, promptEnd, this.prompts.ids[id]?.table);
    }
    this.loadedPrompt = count;
    return count;
  }

  /**
   * `match`'s shared part for a sequence with hash ids: the run of its leading blocks up to `end`
   * cached on the GPU, id after id, then (with offload) its continuation in host memory, which stops
   * at the first block not there (or back on the GPU).
   */
  private matchHashes(sequence: Sequence, end: number): number {
    // Runs are contiguous, so each id's run starts where the previous one ended.
    const runs = this.hashRuns.start(sequence, this.blockSize, 0, end);
    let count = 0;
    while (runs.next()) {
      const found = this.matchShared(this.hashes, runs.id, 0, runs.runTo);
      count += found;
      if (found < runs.runTo) break;
    }
    this.matchedHash = count;
    const host = this.host;
    if (host !== undefined && count < end) {
      runs.start(sequence, this.blockSize, count, end);
      while (runs.next()) {
        const reached = host.run(HASH, runs.id, runs.runFrom, runs.runTo, this.hashes.ids[runs.id]?.table);
        count += reached - runs.runFrom;
        if (reached < runs.runTo) break;
      }
    }
    this.loadedHash = count;
    return count;
  }

  /**
   * References the blocks the last `match` found for this sequence (it now holds them as its
   * leading `cachedBlocks`); those found in host memory are loaded onto `matchedHostBlocks` newly
   * allocated blocks and cached under their keys. The caller allocates the rest of its blocks
   * privately afterwards.
   */
  acquireMatched(sequence: Sequence): void {
    if (this.matchedGroup > 0) this.acquireShared(this.groups, sequence.prefixGroup, this.matchedGroup);
    if (this.matchedPrompt > this.loadedGroup)
      this.acquireShared(this.prompts, sequence.promptKey, this.matchedPrompt);
    const runs = this.hashRuns.start(sequence, this.blockSize, 0, this.matchedHash);
    while (runs.next()) this.acquireShared(this.hashes, runs.id, runs.runTo);
    const { matched, entries } = this;
    const { refs } = entries;
    for (let index = 0; index < this.matchedOwn; index++) {
      const entry = matched[index] ?? 0;
      const count = refs[entry] ?? 0;
      if (count === 0) {
        entries.unlink(entry);
        this.evictable--;
        this.used++;
      }
      refs[entry] = count + 1;
    }
    if (this.host !== undefined && this.matchedHostBlocks > 0) this.load(this.host, sequence);
    // (One of loadedPrompt and loadedHash is 0: a sequence is keyed by hash ids or by group and prompt.)
    sequence.cachedBlocks = this.loadedPrompt + this.loadedHash + this.matchedOwn;
  }

  /**
   * Loads the host runs of the last `match` (after its GPU blocks are held, so the allocation
   * cannot evict them): they become the most recently used in host memory, then take fresh GPU
   * blocks (possibly evicting others to host memory) and are cached as the sequence's, as if it
   * had computed them.
   */
  private load(host: HostTier, sequence: Sequence): void {
    const { matchedGroup, loadedGroup, matchedPrompt, loadedPrompt, matchedHash, loadedHash } = this;
    const blockSize = this.blockSize;
    if (loadedGroup > matchedGroup) host.load(GROUP, sequence.prefixGroup, matchedGroup, loadedGroup);
    if (loadedPrompt > matchedPrompt) host.load(PROMPT, sequence.promptKey, matchedPrompt, loadedPrompt);
    const runs = this.hashRuns.start(sequence, blockSize, matchedHash, loadedHash);
    while (runs.next()) host.load(HASH, runs.id, runs.runFrom, runs.runTo);
    this.allocate(this.matchedHostBlocks);
    if (loadedHash > matchedHash) this.registerHashes(sequence, matchedHash, loadedHash);
    const groupBlocks = groupBlocksOf(sequence, blockSize);
    if (loadedGroup > matchedGroup)
      this.registerShared(this.groups, sequence.prefixGroup, 0, groupBlocks, matchedGroup, loadedGroup);
    if (loadedPrompt > matchedPrompt) {
      const promptBlocks = promptBlocksOf(sequence, blockSize, groupBlocks);
      this.registerShared(
        this.prompts,
        sequence.promptKey,
        groupBlocks,
        promptBlocks,
        matchedPrompt,
        loadedPrompt,
      );
    }
  }

  /**
   * Caches the sequence's shared blocks (of its group's prefix, and of its prompt when it repeats)
   * that are full once its first `computedTokens` tokens are computed (call when the chunk that
   * computes them is scheduled). Its private copies become cached blocks under the shared key, or,
   * where the key is already cached, are dropped for a reference to the cached block.
   */
  registerPrompt(sequence: Sequence, computedTokens: number): void {
    const blockSize = this.blockSize;
    if (sequence.hashIds !== undefined) {
      const held = sequence.cachedBlocks;
      const end = Math.min(sharedBlocksOf(sequence, blockSize), Math.floor(computedTokens / blockSize));
      if (held >= end) return;
      this.registerHashes(sequence, held, end);
      sequence.cachedBlocks = end;
      return;
    }
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
    this.releaseBlocks(sequence, kvLength, keepOwn ? OWN : ANONYMOUS);
  }

  /**
   * A sequence that produced its last token leaves the GPU (see `release`). With `outputCached` (a
   * session's turn), its full blocks of generated tokens are not dropped but cached under its
   * `promptKey`, behind its prompt's blocks (the next turn's prompt is this turn's prompt and
   * answer), and join the free queue ahead of them, tail first, as vLLM frees a request's blocks.
   */
  releaseFinished(sequence: Sequence, kvLength: number): void {
    this.releaseBlocks(
      sequence,
      kvLength,
      sequence.outputCached && sequence.promptKey >= 0 ? PROMPT : ANONYMOUS,
    );
  }

  /**
   * `release`'s work: the private full blocks become `keep`-keyed cached blocks (OWN: under the
   * sequence's own keys; PROMPT: those past its prompt, under its prompt key) or anonymous ones.
   */
  private releaseBlocks(sequence: Sequence, kvLength: number, keep: number): void {
    const blockSize = this.blockSize;
    const total = Math.ceil(kvLength / blockSize);
    const full = Math.floor(kvLength / blockSize);
    const cached = sequence.cachedBlocks;
    if (total - cached > this.used)
      throw new Error(`KV double free: ${total - cached} returned, ${this.used} in use`);
    this.used -= total - cached;
    if (total > full) this.appendAnonymous(1);
    const entries = this.entries;
    // Private blocks from here on are cached (with OWN, all of them; with PROMPT, the generated ones).
    const first =
      keep === OWN
        ? cached
        : keep === PROMPT
          ? Math.max(cached, promptBlocksOf(sequence, blockSize, groupBlocksOf(sequence, blockSize)))
          : full;
    if (full > first) {
      const runs =
        keep === PROMPT
          ? sharedRuns(this.prompts, sequence.promptKey, groupBlocksOf(sequence, blockSize), full)
          : undefined;
      const base = sequence.id * OWN_STRIDE;
      for (let index = full - 1; index >= first; index--) {
        if (runs === undefined) {
          const key = base + index;
          // Defensive: an older copy under this key (not reachable with tail-first eviction) stays.
          if (this.ownKeys.has(key)) {
            this.appendAnonymous(1);
            continue;
          }
          const entry = entries.createKeyed(OWN, sequence.id, index);
          this.ownKeys.set(key, entry);
          entries.linkLast(entry);
        } else {
          // Defensive: a copy another sequence cached under this key stays (sessions send one turn at a time).
          if ((runs.table[index] ?? -1) >= 0) {
            this.appendAnonymous(1);
            continue;
          }
          const entry = entries.createKeyed(PROMPT, sequence.promptKey, index);
          runs.table[index] = entry;
          runs.cached++;
          entries.linkLast(entry);
        }
        this.evictable++;
      }
    }
    const anonymousEnd = Math.min(first, full);
    if (anonymousEnd > cached) this.appendAnonymous(anonymousEnd - cached);
    this.releaseHeld(sequence);
  }

  /** The sequence's blocks held through the cache (its leading `cachedBlocks`) lose its reference. */
  private releaseHeld(sequence: Sequence): void {
    const cached = sequence.cachedBlocks;
    if (cached === 0) return;
    const blockSize = this.blockSize;
    const sharedBlocks = sharedBlocksOf(sequence, blockSize);
    const entries = this.entries;
    const refs = entries.refs;
    for (let index = cached - 1; index >= sharedBlocks; index--) {
      const entry = this.ownKeys.get(sequence.id * OWN_STRIDE + index);
      const count = entry === undefined ? undefined : refs[entry];
      if (entry === undefined || count === undefined || !(count > 0))
        throw new Error(`prefix cache: block ${index} of sequence ${sequence.id} not held`);
      refs[entry] = count - 1;
      if (count === 1) {
        entries.linkLast(entry);
        this.evictable++;
        this.used--;
      }
    }
    if (sequence.hashIds !== undefined) {
      // Last id first: the free queue takes a sequence's blocks tail first.
      const runs = this.hashRuns.start(sequence, blockSize, 0, Math.min(cached, sharedBlocks), true);
      while (runs.next()) this.releaseShared(this.hashes, runs.id, 0, runs.runTo, sequence);
      sequence.cachedBlocks = 0;
      return;
    }
    const groupBlocks = groupBlocksOf(sequence, blockSize);
    const promptRun = Math.min(cached, sharedBlocks);
    if (promptRun > groupBlocks)
      this.releaseShared(this.prompts, sequence.promptKey, groupBlocks, promptRun, sequence);
    const groupRun = Math.min(cached, groupBlocks);
    if (groupRun > 0) this.releaseShared(this.groups, sequence.prefixGroup, 0, groupRun, sequence);
    sequence.cachedBlocks = 0;
  }

  /**
   * Reference count of the cached block with the sequence's key for block `index`: −1 when no such
   * block is cached, 0 when cached and evictable (for tests).
   */
  referenceCount(sequence: Sequence, index: number): number {
    return cachedReferenceCount(this.state(), this.blockSize, sequence, index);
  }

  /** Walks every structure and checks it against the running counts (O(total blocks); for tests). */
  audit(): PrefixCacheAudit {
    return auditPrefixCache(this.state());
  }

  /** The structures and running counts, as the audit reads them. */
  private state(): PrefixCacheState {
    return {
      entries: this.entries,
      shared: [this.groups, this.prompts, this.hashes],
      ownKeys: this.ownKeys,
      used: this.used,
      evictable: this.evictable,
      releasedFree: this.releasedFree,
      neverUsed: this.neverUsed,
      totalBlocks: this.totalBlocks,
      host: this.host,
    };
  }

  /** End of the run of `id`'s blocks cached from `start` up to `end` (the referenced ones first). */
  private matchShared(shared: SharedKeys, id: number, start: number, end: number): number {
    const runs = shared.ids[id];
    if (runs === undefined) return start;
    const table = runs.table;
    const stop = Math.min(end, table.length);
    if (stop <= start) return start;
    // The referenced run is cached; after it, cached blocks are unreferenced (evictable).
    const referenced = Math.max(start, Math.min(runs.referenced, stop));
    let count = referenced;
    while (count < stop && (table[count] ?? -1) >= 0) count++;
    this.matchedEvictable += count - referenced;
    return count;
  }

  /** A sequence takes `id`'s cached blocks up to `runEnd` (found by `matchShared`). */
  private acquireShared(shared: SharedKeys, id: number, runEnd: number): void {
    const runs = shared.ids[id];
    if (runs === undefined) throw new Error(`prefix cache: blocks of ${id} acquired but never cached`);
    const unqueued = acquireRun(this.entries, runs, runEnd);
    this.evictable -= unqueued;
    this.used += unqueued;
  }

  /** A sequence holding its blocks before `held` caches its blocks [held, end) under its hash ids. */
  private registerHashes(sequence: Sequence, held: number, end: number): void {
    const runs = this.hashRuns.start(sequence, this.blockSize, held, end);
    while (runs.next())
      this.registerShared(this.hashes, runs.id, 0, runs.runLength, runs.runFrom, runs.runTo);
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
    const runs = sharedRuns(shared, id, start, blocks);
    const { table, holders, referenced } = runs;
    const entries = this.entries;
    for (let index = held; index < end; index++) {
      const existing = table[index] ?? -1;
      if (existing >= 0) {
        if (index >= referenced) {
          entries.unlink(existing);
          this.evictable--;
          this.used++;
        }
        this.used--;
        this.appendAnonymous(1);
      } else {
        table[index] = entries.createKeyed(shared.kind, id, index);
        runs.cached++;
      }
    }
    if (held > start) holders[held] = (holders[held] ?? 0) - 1;
    holders[end] = (holders[end] ?? 0) + 1;
    if (end > referenced) runs.referenced = end;
  }

  /** A sequence holding `id`'s blocks [start, runEnd) lets them go. */
  private releaseShared(
    shared: SharedKeys,
    id: number,
    start: number,
    runEnd: number,
    sequence: Sequence,
  ): void {
    const runs = shared.ids[id];
    if (runs === undefined || !((runs.holders[runEnd] ?? 0) > 0))
      throw new Error(
        `prefix cache: sequence ${sequence.id} does not hold blocks ${start}..${runEnd - 1} of ${id}`,
      );
    const queued = releaseRun(this.entries, runs, start, runEnd);
    this.evictable += queued;
    this.used -= queued;
  }

  /** Removes the cached block at the queue's head for reuse (its key is forgotten). */
  private evict(entry: number): void {
    const entries = this.entries;
    entries.unlink(entry);
    this.evictable--;
    const kind = entries.kind[entry] ?? 0;
    const id = entries.id[entry] ?? 0;
    const index = entries.index[entry] ?? 0;
    if (kind === OWN) this.ownKeys.delete(id * OWN_STRIDE + index);
    else {
      this.host?.store(kind, id, index);
      const shared = kind === GROUP ? this.groups : kind === PROMPT ? this.prompts : this.hashes;
      const runs = shared.ids[id];
      if (runs !== undefined) {
        runs.table[index] = -1;
        // Nothing of the id is cached (so nobody holds any of it): forget it (sessions are many).
        if (--runs.cached === 0) shared.ids[id] = undefined;
      }
    }
    entries.recycle(entry);
  }

  /** Appends `blocks` key-less free blocks at the queue's tail (merged into a tail run). */
  private appendAnonymous(blocks: number): void {
    if (blocks <= 0) return;
    this.releasedFree += blocks;
    const entries = this.entries;
    const tail = entries.tail;
    if (tail !== 0 && entries.kind[tail] === ANONYMOUS) {
      entries.runs[tail] = (entries.runs[tail] ?? 0) + blocks;
      return;
    }
    const entry = entries.create();
    entries.kind[entry] = ANONYMOUS;
    entries.runs[entry] = blocks;
    entries.linkLast(entry);
  }
}
