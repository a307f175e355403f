import type { BlockManager } from '../block-manager';
import type { DecodePool } from '../decode-pool';
import type { SteadyDecodeWindow } from '../scheduler';

/** Longest steady window handed out at once (bounds the window's buffer). */
const MAX_WINDOW = 1 << 16;

/**
 * A decode pool's runs of steady decode iterations (see `BatchingPolicy.steadyDecodeWindow`): one
 * window object reused for every offer, its `usedBlocks` buffer grown by doubling.
 */
export class SteadyDecodeRun {
  private readonly window: SteadyDecodeWindow = {
    sequences: 0,
    measuredSequences: 0,
    contextTokens: 0,
    iterations: 0,
    usedBlocks: new Int32Array(64),
    totalBlocks: 0,
  };

  /** The pool's decode-only iterations before `nextFinish` (its next finish iteration); undefined when none. */
  offer(pool: DecodePool, blocks: BlockManager, nextFinish: number): SteadyDecodeWindow | undefined {
    const iterations = nextFinish - pool.currentStep - 1;
    if (iterations <= 0) return undefined;
    const window = this.window;
    window.sequences = pool.size;
    window.measuredSequences = pool.measuredSize;
    window.contextTokens = pool.kvTokens + pool.size;
    window.iterations = iterations;
    window.totalBlocks = blocks.totalBlocks;
    return window;
  }

  /** Fills the window's `usedBlocks` for at most `iterations` iterations, as far as the KV growth fits; returns how many. */
  fillBlocks(pool: DecodePool, blocks: BlockManager, iterations: number): number {
    const window = this.window;
    const wanted = Math.min(iterations, window.iterations, MAX_WINDOW);
    if (window.usedBlocks.length < wanted)
      window.usedBlocks = new Int32Array(Math.max(wanted, 2 * window.usedBlocks.length));
    const step = pool.currentStep;
    let used = blocks.usedBlocks;
    let count = 0;
    while (count < wanted) {
      const needed = pool.blocksNeededAt(step + 1 + count);
      if (used + needed > blocks.totalBlocks) break;
      used += needed;
      window.usedBlocks[count] = used;
      count++;
    }
    return count;
  }

  /** Blocks in use after the first `iterations` (≥ 1, as filled) iterations of the window. */
  usedBlocksAfter(iterations: number, blocks: BlockManager): number {
    return this.window.usedBlocks[iterations - 1] ?? blocks.usedBlocks;
  }
}
