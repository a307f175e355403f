/**
 * Paged KV-cache accounting (vLLM's block manager, by count): a fixed pool of blocks, each
 * holding `blockSize` tokens. Sequences take blocks as they grow and return them when they finish
 * or are preempted. Throws on over-allocation or double free: those are scheduler bugs.
 */
export class BlockManager {
  readonly totalBlocks: number;
  readonly blockSize: number;
  /** Blocks referenced by sequences. */
  protected used = 0;

  constructor(totalBlocks: number, blockSize: number) {
    this.totalBlocks = totalBlocks;
    this.blockSize = blockSize;
  }

  get usedBlocks(): number {
    return this.used;
  }

  get freeBlocks(): number {
    return this.totalBlocks - this.used;
  }

  /** Fraction of blocks in use, 0..1. */
  get utilization(): number {
    return this.totalBlocks === 0 ? 0 : this.used / this.totalBlocks;
  }

  canAllocate(blocks: number): boolean {
    return blocks <= this.totalBlocks - this.used;
  }

  allocate(blocks: number): void {
    if (blocks > this.totalBlocks - this.used)
      throw new Error(`KV over-allocation: ${blocks} requested, ${this.freeBlocks} free`);
    this.used += blocks;
  }

  free(blocks: number): void {
    if (blocks > this.used) throw new Error(`KV double free: ${blocks} returned, ${this.used} in use`);
    this.used -= blocks;
  }
}
