import type { CacheEntries } from './cache-entries';
import { hashBlocksOf } from './hash-chain';
import type { Sequence } from './sequence';

/**
 * The blocks of one id (a prefix group, a repeated prompt) shared under one kind of key. Their
 * reference counts are implicit, so that admitting and releasing a request of a hot group costs
 * O(1), not O(prefix blocks): every holder of the id's blocks holds a leading run [start, end) of
 * them, so block i's count is the number of holders whose run is longer than i. Per id (a repeated
 * prompt's runs start where its group's end) the cache keeps how many holders have each run length
 * and the longest run (the referenced blocks are exactly the blocks before it); only blocks whose
 * count crosses 0 are touched.
 */
export interface SharedRuns {
  /** Block index → entry (−1 when not cached). */
  table: Int32Array;
  /** Run end → sequences whose run ends there (one longer than `table`). */
  holders: Int32Array;
  /** End of the longest run held (from it on, cached blocks are unreferenced). */
  referenced: number;
  /** Where its blocks start (0 for a group; its group's end for a prompt). */
  readonly start: number;
  /** Entries of `table` that are cached (≥ 0); at 0 the id's runs are dropped (their memory freed). */
  cached: number;
}

/** Blocks shared under one kind of key (GROUP, PROMPT or HASH), per id. */
export interface SharedKeys {
  readonly kind: number;
  readonly ids: (SharedRuns | undefined)[];
}

export const sharedKeys = (kind: number): SharedKeys => ({ kind, ids: [] });

/** `id`'s runs, with a block table grown to at least `blocks` blocks (and its holder counts). */
export function sharedRuns(shared: SharedKeys, id: number, start: number, blocks: number): SharedRuns {
  const runs = shared.ids[id];
  if (runs !== undefined && runs.table.length >= blocks) return runs;
  // Room to grow (a session's prompt grows every turn): each (re)allocation costs an ArrayBuffer.
  const length = Math.max(2 * blocks, 2 * (runs?.table.length ?? 0));
  const table = new Int32Array(length).fill(-1);
  const holders = new Int32Array(length + 1);
  if (runs !== undefined) {
    table.set(runs.table);
    holders.set(runs.holders);
    runs.table = table;
    runs.holders = holders;
    return runs;
  }
  while (shared.ids.length < id) shared.ids.push(undefined);
  const created: SharedRuns = { table, holders, referenced: start, start, cached: 0 };
  shared.ids[id] = created;
  return created;
}

/**
 * A sequence takes the cached blocks of `runs` up to `runEnd`; returns how many of them nobody
 * held before (they leave the free queue: evictable → referenced).
 */
export function acquireRun(entries: CacheEntries, runs: SharedRuns, runEnd: number): number {
  const referenced = runs.referenced;
  let unqueued = 0;
  if (runEnd > referenced) {
    const table = runs.table;
    for (let index = referenced; index < runEnd; index++) entries.unlink(table[index] ?? 0);
    unqueued = runEnd - referenced;
    runs.referenced = runEnd;
  }
  const holders = runs.holders;
  holders[runEnd] = (holders[runEnd] ?? 0) + 1;
  return unqueued;
}

/**
 * A sequence holding the blocks [start, runEnd) of `runs` (check it does) lets them go; returns how
 * many blocks nobody holds any more: they join the free queue, tail first (referenced → evictable).
 */
export function releaseRun(entries: CacheEntries, runs: SharedRuns, start: number, runEnd: number): number {
  const { holders, table, referenced } = runs;
  const holding = (holders[runEnd] ?? 0) - 1;
  holders[runEnd] = holding;
  if (runEnd !== referenced || holding !== 0) return 0;
  // The longest holder left: blocks past the next longest run lose their last reference.
  let still = referenced - 1;
  while (still > start && holders[still] === 0) still--;
  for (let index = referenced - 1; index >= still; index--) entries.linkLast(table[index] ?? 0);
  runs.referenced = still;
  return referenced - still;
}

/** Reference count of a shared block `index`: holders of runs longer than `index`. */
export function sharedReferences(holders: Int32Array, index: number): number {
  let count = 0;
  for (let end = index + 1; end < holders.length; end++) count += holders[end] ?? 0;
  return count;
}

/** Full blocks of the sequence inside its group's shared prefix (0 without a group). */
export function groupBlocksOf(sequence: Sequence, blockSize: number): number {
  if (sequence.prefixGroup < 0) return 0;
  return Math.floor(Math.min(sequence.sharedPrefixTokens, sequence.inputTokens) / blockSize);
}

/** End of the sequence's blocks keyed by its prompt: its full prompt blocks when the prompt repeats, else `groupBlocks`. */
export function promptBlocksOf(sequence: Sequence, blockSize: number, groupBlocks: number): number {
  if (sequence.promptKey < 0) return groupBlocks;
  return Math.max(groupBlocks, Math.floor(sequence.inputTokens / blockSize));
}

/**
 * End of the sequence's leading blocks keyed by something other requests share (its hash ids,
 * else its group and repeated prompt); its own keys (after a preemption) start there.
 */
export function sharedBlocksOf(sequence: Sequence, blockSize: number): number {
  if (sequence.hashIds !== undefined) return hashBlocksOf(sequence, blockSize);
  return promptBlocksOf(sequence, blockSize, groupBlocksOf(sequence, blockSize));
}
