import { CacheEntries, GROUP, PROMPT } from './cache-entries';

/** One id's blocks in host memory: block index → host entry (−1 when not there), and how many there are. */
interface HostRuns {
  table: Int32Array;
  blocks: number;
}

/** Counts walked out of a `HostTier` by its audit (for tests). */
export interface HostTierAudit {
  /** Blocks in host memory (in the LRU list, each found under its key). */
  readonly blocks: number;
  /** Keys in the per-id tables (each must point to a listed entry carrying that key). */
  readonly keys: number;
}

/**
 * The host-memory tier of a `PrefixCache` (`schedulerSpec.kvOffload`, as vLLM's CPU offloading
 * connector / LMCache, SGLang's HiCache): the keys of shared blocks (GROUP, PROMPT or HASH kind) the GPU
 * evicted, at most `capacity` of them, least recently used first out. Only keys are kept: what a
 * block holds is its key (see `PrefixCache`). A block stays here when a hit loads it back to the
 * GPU (the host copy is still valid), so a later eviction of it writes nothing. Writes happen on
 * eviction and are free of GPU time (vLLM overlaps them with compute); loads are counted and timed
 * by the engine.
 *
 * Entries live in a `CacheEntries` (typed arrays grown by doubling up to `capacity`, recycled),
 * whose queue is the LRU list: head least recently used. Per id, a typed table maps block index to
 * entry, as `SharedRuns` does on the GPU, and is dropped once none of the id's blocks is left.
 * Nothing allocates per block.
 */
export class HostTier {
  /** Most blocks host memory holds. */
  readonly capacity: number;
  private readonly entries: CacheEntries;
  /** Per kind (GROUP, PROMPT, HASH): id → its blocks here. */
  private readonly groups: (HostRuns | undefined)[] = [];
  private readonly prompts: (HostRuns | undefined)[] = [];
  private readonly hashes: (HostRuns | undefined)[] = [];
  private held = 0;
  /** Blocks written to host memory since the start (evictions of blocks not already here). */
  offloaded = 0;
  /** Blocks loaded back to the GPU since the start (prefix hits on host blocks). */
  loaded = 0;

  constructor(capacity: number) {
    this.capacity = capacity;
    this.entries = new CacheEntries(capacity);
  }

  /** Blocks in host memory now. */
  get blocks(): number {
    return this.held;
  }

  /**
   * End of the run of `id`'s blocks in host memory from `start` up to `end`: it stops at the first
   * block not here or (`gpuTable[index]` ≥ 0) cached on the GPU. Changes nothing.
   */
  run(kind: number, id: number, start: number, end: number, gpuTable: Int32Array | undefined): number {
    const runs = this.runsOf(kind)[id];
    if (runs === undefined) return start;
    const table = runs.table;
    const stop = Math.min(end, table.length);
    let count = start;
    while (count < stop && (table[count] ?? -1) >= 0 && !((gpuTable?.[count] ?? -1) >= 0)) count++;
    return count;
  }

  /**
   * `id`'s blocks [start, end) (a run found by `run`) are loaded to the GPU: they become the most
   * recently used, the first block last (a prefix's head is worth the most: later blocks are only
   * reachable through it).
   */
  load(kind: number, id: number, start: number, end: number): void {
    const runs = this.runsOf(kind)[id];
    if (runs === undefined) throw new Error(`host tier: blocks of ${id} loaded but not held`);
    const { entries } = this;
    const table = runs.table;
    for (let index = end - 1; index >= start; index--) {
      const entry = table[index] ?? -1;
      if (entry < 0) throw new Error(`host tier: block ${index} of ${id} loaded but not held`);
      entries.unlink(entry);
      entries.linkLast(entry);
    }
    this.loaded += end - start;
  }

  /**
   * The GPU evicted `id`'s block `index`: it is kept here as the most recently used, dropping the
   * least recently used block when host memory is full. A block already here is only moved to the
   * back (its copy is current; nothing is written).
   */
  store(kind: number, id: number, index: number): void {
    const ids = this.runsOf(kind);
    let runs = ids[id];
    const entries = this.entries;
    const existing = runs === undefined || index >= runs.table.length ? -1 : (runs.table[index] ?? -1);
    if (existing >= 0) {
      entries.unlink(existing);
      entries.linkLast(existing);
      return;
    }
    if (this.held >= this.capacity) {
      this.dropHead();
      runs = ids[id];
    }
    if (runs === undefined || index >= runs.table.length) runs = this.grown(ids, id, runs, index + 1);
    const entry = entries.createKeyed(kind, id, index);
    entries.linkLast(entry);
    runs.table[index] = entry;
    runs.blocks++;
    this.held++;
    this.offloaded++;
  }

  /** Walks the list and the tables and checks them against each other and the count (for tests). */
  audit(): HostTierAudit {
    const { entries } = this;
    let blocks = 0;
    for (let entry = entries.head; entry !== 0; entry = entries.next[entry] ?? 0) {
      if (entries.prev[entries.next[entry] ?? 0] !== entry) throw new Error('host tier audit: broken links');
      const kind = entries.kind[entry] ?? 0;
      const id = entries.id[entry] ?? 0;
      const index = entries.index[entry] ?? 0;
      if (this.runsOf(kind)[id]?.table[index] !== entry)
        throw new Error(`host tier audit: entry ${entry} (${kind}, ${id}, ${index}) not under its key`);
      if (++blocks > this.capacity)
        throw new Error('host tier audit: more blocks than capacity (or a cycle)');
    }
    let keys = 0;
    for (const ids of [this.groups, this.prompts, this.hashes])
      ids.forEach((runs, id) => {
        if (runs === undefined) return;
        let counted = 0;
        for (const entry of runs.table) if (entry >= 0) counted++;
        if (counted !== runs.blocks || counted === 0)
          throw new Error(
            `host tier audit: id ${id} has ${counted} blocks, counted ${runs.blocks} (an id with none is dropped)`,
          );
        keys += counted;
      });
    if (blocks !== this.held || keys !== blocks || entries.live !== blocks)
      throw new Error(
        `host tier audit: ${blocks} listed, ${keys} keyed, ${entries.live} entries, counted ${this.held}`,
      );
    return { blocks, keys };
  }

  private runsOf(kind: number): (HostRuns | undefined)[] {
    return kind === GROUP ? this.groups : kind === PROMPT ? this.prompts : this.hashes;
  }

  /** Drops the least recently used block (its id's table too when it was the id's last). */
  private dropHead(): void {
    const entries = this.entries;
    const head = entries.head;
    const ids = this.runsOf(entries.kind[head] ?? 0);
    const id = entries.id[head] ?? 0;
    const index = entries.index[head] ?? 0;
    const runs = ids[id];
    entries.unlink(head);
    entries.recycle(head);
    this.held--;
    if (runs === undefined) return;
    runs.table[index] = -1;
    if (--runs.blocks === 0) ids[id] = undefined;
  }

  /** `id`'s runs with a table of at least `length` blocks (grown by doubling; created when absent). */
  private grown(
    ids: (HostRuns | undefined)[],
    id: number,
    runs: HostRuns | undefined,
    length: number,
  ): HostRuns {
    const size = Math.max(length, 2 * (runs?.table.length ?? 0));
    const table = new Int32Array(size).fill(-1);
    if (runs !== undefined) {
      table.set(runs.table);
      runs.table = table;
      return runs;
    }
    while (ids.length < id) ids.push(undefined);
    const created: HostRuns = { table, blocks: 0 };
    ids[id] = created;
    return created;
  }
}
