import { ANONYMOUS, type CacheEntries, OWN, OWN_STRIDE } from './cache-entries';
import { hashBlocksOf, hashRunStart } from './hash-chain';
import type { HostTier } from './host-tier';
import type { Sequence } from './sequence';
import { groupBlocksOf, promptBlocksOf, type SharedKeys, sharedReferences } from './shared-keys';

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
  /** Blocks in host memory (`schedulerSpec.kvOffload`; 0 without), each listed once under its key. */
  readonly hostBlocks: number;
}

/** A `PrefixCache`'s structures and running counts, as `auditPrefixCache` reads them. */
export interface PrefixCacheState {
  readonly entries: CacheEntries;
  /** The shared keys: the prefix groups', the repeated prompts', then the trace hash ids'. */
  readonly shared: readonly [groups: SharedKeys, prompts: SharedKeys, hashes: SharedKeys];
  /** Own-block key → entry. */
  readonly ownKeys: ReadonlyMap<number, number>;
  readonly used: number;
  readonly evictable: number;
  readonly releasedFree: number;
  readonly neverUsed: number;
  readonly totalBlocks: number;
  /** The host tier (undefined without offload). */
  readonly host: HostTier | undefined;
}

/** Walks every structure and checks it against the running counts (O(total blocks); for tests). */
export function auditPrefixCache(state: PrefixCacheState): PrefixCacheAudit {
  const { entries } = state;
  let evictable = 0;
  let releasedFree = 0;
  const inQueue = new Set<number>();
  for (let entry = entries.head; entry !== 0; entry = entries.next[entry] ?? 0) {
    if (inQueue.has(entry)) throw new Error(`prefix cache audit: entry ${entry} queued twice`);
    inQueue.add(entry);
    if (entries.prev[entries.next[entry] ?? 0] !== entry) throw new Error('prefix cache audit: broken links');
    if (entries.kind[entry] === ANONYMOUS) releasedFree += entries.runs[entry] ?? 0;
    else evictable++;
  }
  let keys = 0;
  let referencedCached = 0;
  let references = 0;
  const check = (entry: number, kind: number, id: number, index: number, refs: number) => {
    keys++;
    if (entries.kind[entry] !== kind || entries.id[entry] !== id || entries.index[entry] !== index)
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
  for (const shared of state.shared) {
    shared.ids.forEach((runs, id) => {
      if (runs === undefined) return;
      const { table, holders, start } = runs;
      let longest = start;
      holders.forEach((count, end) => {
        if (count < 0 || (count > 0 && end <= start))
          throw new Error(`prefix cache audit: (${shared.kind}, ${id}) has ${count} runs ending at ${end}`);
        if (count > 0) longest = end;
      });
      if (longest !== runs.referenced)
        throw new Error(
          `prefix cache audit: (${shared.kind}, ${id}) referenced up to ${runs.referenced}, held up to ${longest}`,
        );
      let cached = 0;
      table.forEach((entry, index) => {
        if (entry >= 0) cached++;
        if (entry >= 0 && index < start)
          throw new Error(
            `prefix cache audit: (${shared.kind}, ${id}) caches block ${index} before ${start}`,
          );
        if (entry >= 0) check(entry, shared.kind, id, index, sharedReferences(holders, index));
        else if (index >= start && index < longest)
          throw new Error(`prefix cache audit: held block ${index} of (${shared.kind}, ${id}) lost`);
      });
      if (cached !== runs.cached || cached === 0)
        throw new Error(
          `prefix cache audit: (${shared.kind}, ${id}) caches ${cached} blocks, counted ${runs.cached} (an id with none is dropped)`,
        );
    });
  }
  for (const [key, entry] of state.ownKeys) {
    const index = key % OWN_STRIDE;
    check(entry, OWN, (key - index) / OWN_STRIDE, index, entries.refs[entry] ?? 0);
  }
  if (evictable !== state.evictable || releasedFree !== state.releasedFree)
    throw new Error(
      `prefix cache audit: queue holds ${evictable} cached + ${releasedFree} anonymous, counts say ${state.evictable} + ${state.releasedFree}`,
    );
  if (keys !== evictable + referencedCached || entries.live !== inQueue.size + referencedCached)
    throw new Error('prefix cache audit: entries leaked');
  if (state.used + evictable + releasedFree + state.neverUsed !== state.totalBlocks)
    throw new Error('prefix cache audit: referenced + evictable + free ≠ total');
  const hostBlocks = state.host?.audit().blocks ?? 0;
  return {
    referencedCached,
    references,
    evictable,
    releasedFree,
    neverUsed: state.neverUsed,
    keys,
    hostBlocks,
  };
}

/**
 * Reference count of the cached block with `sequence`'s key for block `index`: −1 when no such
 * block is cached, 0 when cached and evictable (for tests).
 */
export function cachedReferenceCount(
  state: PrefixCacheState,
  blockSize: number,
  sequence: Sequence,
  index: number,
): number {
  const [groups, prompts, hashes] = state.shared;
  const ids = sequence.hashIds;
  if (ids !== undefined && index < hashBlocksOf(sequence, blockSize)) {
    // The id covering the block's last token, and the block's index among that id's blocks.
    const position = Math.floor(((index + 1) * blockSize - 1) / sequence.hashBlockTokens);
    const inRun = index - hashRunStart(position, sequence.hashBlockTokens, blockSize);
    const runs = hashes.ids[ids[position] ?? -1];
    const entry = runs?.table[inRun];
    if (runs === undefined || entry === undefined || entry < 0) return -1;
    return sharedReferences(runs.holders, inRun);
  }
  const groupBlocks = groupBlocksOf(sequence, blockSize);
  const shared =
    ids !== undefined
      ? null
      : index < groupBlocks
        ? groups.ids[sequence.prefixGroup]
        : index < promptBlocksOf(sequence, blockSize, groupBlocks)
          ? prompts.ids[sequence.promptKey]
          : null;
  if (shared !== null) {
    const entry = shared?.table[index];
    if (shared === undefined || entry === undefined || entry < 0) return -1;
    return sharedReferences(shared.holders, index);
  }
  const entry = state.ownKeys.get(sequence.id * OWN_STRIDE + index);
  return entry === undefined ? -1 : (state.entries.refs[entry] ?? -1);
}
