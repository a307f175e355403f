import { blocksFor, ContinuousPolicy, PrefixCache, type SchedulerOptions, Sequence } from '@sim/scheduler';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { testOptions } from './test-options';

const base: SchedulerOptions = testOptions({ enablePrefixCaching: true });

interface Request {
  readonly arrival: number;
  readonly input: number;
  readonly output: number;
  /** Prefix group (−1 or absent: none). */
  readonly group?: number;
  /** Shared prefix tokens of the group. */
  readonly shared?: number;
  /** Whole-prompt identity (−1 or absent: the prompt beyond the prefix is the request's own). */
  readonly prompt?: number;
  /** Trace hash ids (one per `hashTokens` prompt tokens, chained); absent: none. */
  readonly hashes?: readonly number[];
  /** Prompt tokens per hash id (default 32). */
  readonly hashTokens?: number;
}

interface Run {
  readonly policy: ContinuousPolicy;
  readonly sequences: Sequence[];
  /** Per sequence id: its prefill chunks as [time, tokens, context]. */
  readonly chunks: [number, number, number][][];
  /** (id, time) of each finish. */
  readonly finished: [number, number][];
  readonly preemptions: number;
  readonly now: number;
  /** Per iteration: blocks in use, evictable, empty. */
  readonly blocks: [number, number, number][];
  /** Blocks the plans loaded from host memory (`offloadLoadBlocks`), in all. */
  readonly loaded: number;
}

function makeSequences(requests: readonly Request[]): Sequence[] {
  return requests.map((request, id) => {
    const sequence = new Sequence(id, request.arrival, request.input, request.output);
    if (request.group !== undefined && request.group >= 0) {
      sequence.prefixGroup = request.group;
      sequence.sharedPrefixTokens = Math.min(request.shared ?? 0, request.input);
    }
    if (request.prompt !== undefined) sequence.promptKey = request.prompt;
    if (request.hashes !== undefined) {
      sequence.hashIds = Int32Array.from(request.hashes);
      sequence.hashBlockTokens = request.hashTokens ?? 32;
    }
    return sequence;
  });
}

/**
 * Checks the cache's accounting against the sequences: referenced + evictable + free = total, the
 * referenced blocks are the live sequences' private blocks plus each referenced cached block once,
 * and the reference counts add up to the blocks the sequences hold through the cache.
 */
function checkAccounting(policy: ContinuousPolicy, sequences: readonly Sequence[], blockSize: number) {
  const cache = policy.blocks;
  if (!(cache instanceof PrefixCache)) {
    let held = 0;
    for (const sequence of sequences) {
      if (sequence.status === 'prefilling') held += sequence.blocks;
      if (sequence.status === 'decoding')
        held += blocksFor(sequence.kvLengthAt(policy.decodeStep), blockSize);
    }
    expect(cache.usedBlocks).toBe(held);
    return;
  }
  const audit = cache.audit();
  let privateBlocks = 0;
  let references = 0;
  for (const sequence of sequences) {
    if (sequence.status !== 'prefilling' && sequence.status !== 'decoding') {
      expect(sequence.cachedBlocks).toBe(0);
      continue;
    }
    const held =
      sequence.status === 'prefilling'
        ? sequence.blocks
        : blocksFor(sequence.kvLengthAt(policy.decodeStep), blockSize);
    expect(sequence.cachedBlocks).toBeLessThanOrEqual(held);
    privateBlocks += held - sequence.cachedBlocks;
    references += sequence.cachedBlocks;
    for (let index = 0; index < sequence.cachedBlocks; index++)
      expect(cache.referenceCount(sequence, index)).toBeGreaterThan(0);
  }
  expect(audit.references).toBe(references);
  expect(cache.usedBlocks).toBe(privateBlocks + audit.referencedCached);
  expect(cache.evictableBlocks).toBe(audit.evictable);
  expect(cache.emptyBlocks).toBe(audit.releasedFree + audit.neverUsed);
  expect(cache.usedBlocks + cache.evictableBlocks + cache.emptyBlocks).toBe(cache.totalBlocks);
  expect(cache.freeBlocks).toBe(cache.evictableBlocks + cache.emptyBlocks);
}

/**
 * Drives a continuous policy with one time unit per iteration (with `bulk`, steady decode runs are
 * advanced through the window API, as the engine does), checking the accounting after every
 * iteration.
 */
function run(
  requests: readonly Request[],
  overrides: Partial<SchedulerOptions> = {},
  { bulk = false, onIteration = (_policy: ContinuousPolicy, _sequences: readonly Sequence[]) => {} } = {},
): Run {
  const options = { ...base, ...overrides };
  const policy = new ContinuousPolicy(options);
  const sequences = makeSequences(requests);
  const chunks: [number, number, number][][] = sequences.map(() => []);
  const finished: [number, number][] = [];
  const blocks: [number, number, number][] = [];
  let preemptions = 0;
  let loaded = 0;
  let next = 0;
  let now = 0;
  const events = {
    onFirstToken: () => {},
    onFinish: (sequence: Sequence, time: number) => finished.push([sequence.id, time]),
    onPreempt: () => preemptions++,
  };
  for (let guard = 0; guard < 200_000; guard++) {
    while (next < sequences.length && (sequences[next] as Sequence).arrivalTime <= now)
      policy.enqueue(sequences[next++] as Sequence);
    const nextArrival =
      next < sequences.length ? (sequences[next] as Sequence).arrivalTime : Number.POSITIVE_INFINITY;
    if (bulk) {
      const window = policy.steadyDecodeWindow();
      if (window !== undefined) {
        const iterations = policy.steadyDecodeBlocks(
          Math.min(window.iterations, Math.max(0, nextArrival - now)),
        );
        policy.advanceSteadyDecode(iterations);
        now += iterations;
        checkAccounting(policy, sequences, options.kvBlockSize);
        if (iterations > 0) continue;
      }
    }
    const plan = policy.plan(now);
    if (plan === undefined) {
      if (next >= sequences.length && policy.waitingCount === 0 && policy.runningCount === 0) break;
      now = Math.max(now, nextArrival);
      if (!Number.isFinite(now)) throw new Error('stuck');
      continue;
    }
    // Each sequence's chunk is what complete() adds to its `prefilled`, after a context of what it had.
    const before = sequences.map((sequence) => sequence.prefilled);
    const planned = [...plan.prefillChunks];
    loaded += plan.offloadLoadBlocks;
    const time = now;
    now += 1;
    policy.complete(now, events);
    const seen: number[] = [];
    for (const sequence of sequences) {
      const context = before[sequence.id] as number;
      if (sequence.prefilled === context) continue;
      chunks[sequence.id]?.push([time, sequence.prefilled - context, context]);
      seen.push(sequence.prefilled - context);
    }
    expect(seen.sort((x, y) => x - y)).toEqual(planned.sort((x, y) => x - y));
    checkAccounting(policy, sequences, options.kvBlockSize);
    const cache = policy.blocks;
    blocks.push([
      cache.usedBlocks,
      cache instanceof PrefixCache ? cache.evictableBlocks : 0,
      cache instanceof PrefixCache ? cache.emptyBlocks : cache.freeBlocks,
    ]);
    onIteration(policy, sequences);
  }
  return { policy, sequences, chunks, finished, preemptions, now, blocks, loaded };
}

const cacheOf = (policy: ContinuousPolicy) => policy.blocks as PrefixCache;

describe('prefix cache (continuous policy, enablePrefixCaching)', () => {
  const prompt = { input: 150, output: 5, shared: 100 };

  it('a later request of a group skips the cached full blocks of the shared prefix', () => {
    const trace = run([
      { arrival: 0, group: 3, ...prompt },
      { arrival: 20, group: 3, ...prompt },
    ]);
    // ⌊100 / 16⌋ = 6 blocks = 96 tokens come from the cache: one chunk of 54 tokens after 96 of context.
    expect(trace.chunks).toEqual([[[0, 150, 0]], [[20, 54, 96]]]);
    expect(trace.sequences.map((sequence) => sequence.cachedPromptTokens)).toEqual([0, 96]);
    expect(trace.finished).toEqual([
      [0, 5],
      [1, 25],
    ]);
    expect(trace.policy.blocks.usedBlocks).toBe(0);
  });

  it('a request admitted in the same iteration hits blocks scheduled there (vLLM V1), also in chunks', () => {
    const same = run([
      { arrival: 0, group: 0, ...prompt },
      { arrival: 0, group: 0, ...prompt },
    ]);
    expect(same.chunks).toEqual([[[0, 150, 0]], [[0, 54, 96]]]);
    // Chunked prefill: the first request's first chunk (64 tokens) caches 4 blocks, the second
    // request hits them in the same iteration and its own chunk caches blocks 4 and 5; the first
    // request, computing its copies of those in the next iteration, drops them for references.
    const chunked = run(
      [
        { arrival: 0, group: 0, ...prompt },
        { arrival: 0, group: 0, ...prompt },
      ],
      { chunkedPrefill: true, maxNumBatchedTokens: 128, prefillChunkSize: 64 },
    );
    expect(chunked.chunks).toEqual([
      [
        [0, 64, 0],
        [1, 64, 64],
        [2, 22, 128],
      ],
      [
        [0, 64, 64],
        [1, 22, 128],
      ],
    ]);
    expect(chunked.sequences.map((sequence) => sequence.cachedPromptTokens)).toEqual([0, 64]);
    // 10 blocks each: 6 shared + 6 + 4 private after the first iteration, 6 + 4 + 4 after the second.
    expect(chunked.blocks.slice(0, 2).map(([used]) => used)).toEqual([16, 14]);
  });

  it('no hit across different groups, for requests without a group, or with caching off', () => {
    const groups = run([
      { arrival: 0, group: 1, ...prompt },
      { arrival: 20, group: 2, ...prompt },
      { arrival: 40, ...prompt },
      { arrival: 60, ...prompt },
    ]);
    expect(groups.chunks.map((chunks) => chunks.map(([, tokens, context]) => [tokens, context]))).toEqual([
      [[150, 0]],
      [[150, 0]],
      [[150, 0]],
      [[150, 0]],
    ]);
    const off = run(
      [
        { arrival: 0, group: 1, ...prompt },
        { arrival: 20, group: 1, ...prompt },
      ],
      { enablePrefixCaching: false },
    );
    expect(off.policy.blocks).not.toBeInstanceOf(PrefixCache);
    expect(off.chunks).toEqual([[[0, 150, 0]], [[20, 150, 0]]]);
    expect(off.sequences.map((sequence) => sequence.cachedPromptTokens)).toEqual([0, 0]);
  });

  it('a repeated prompt (same promptKey) hits all its full blocks; another prompt of the group only the prefix', () => {
    const trace = run([
      { arrival: 0, group: 0, prompt: 7, ...prompt },
      { arrival: 20, group: 0, prompt: 7, ...prompt },
      { arrival: 40, group: 0, prompt: 8, ...prompt },
      { arrival: 60, group: 0, ...prompt },
      // A repeated prompt of whole blocks (160 tokens) recomputes its last block.
      { arrival: 80, group: 1, prompt: 9, input: 160, output: 5, shared: 100 },
      { arrival: 100, group: 1, prompt: 9, input: 160, output: 5, shared: 100 },
    ]);
    // ⌊149 / 16⌋ = 9 blocks (144 tokens) of a repeated 150-token prompt; 6 blocks of the prefix otherwise.
    expect(trace.chunks.map((chunks) => chunks.map(([, tokens, context]) => [tokens, context]))).toEqual([
      [[150, 0]],
      [[6, 144]],
      [[54, 96]],
      [[54, 96]],
      [[160, 0]],
      [[16, 144]],
    ]);
    expect(trace.sequences.map((sequence) => sequence.cachedPromptTokens)).toEqual([0, 144, 96, 96, 0, 144]);
    // Cached when all are gone: group 0's 6 prefix blocks, prompts 7 and 8's blocks 6–8, group 1's
    // 6 and prompt 9's blocks 6–9.
    expect(cacheOf(trace.policy).audit()).toMatchObject({
      referencedCached: 0,
      evictable: 6 + 3 + 3 + 6 + 4,
    });
  });

  it('never serves the last prompt token from the cache', () => {
    // A prompt that is all shared prefix (64 tokens, 4 full blocks): the 4th block is recomputed.
    const whole = run([
      { arrival: 0, input: 64, output: 2, group: 0, shared: 64 },
      { arrival: 10, input: 64, output: 2, group: 0, shared: 64 },
      { arrival: 20, input: 65, output: 2, group: 0, shared: 64 },
      { arrival: 30, input: 50, output: 2, group: 0, shared: 64 },
    ]);
    expect(whole.chunks.map((chunks) => chunks.map(([, tokens, context]) => [tokens, context]))).toEqual([
      [[64, 0]],
      [[16, 48]],
      [[1, 64]],
      [[2, 48]],
    ]);
    expect(whole.sequences.map((sequence) => sequence.cachedPromptTokens)).toEqual([0, 48, 64, 48]);
    // A one-token prompt never hits.
    const tiny = run([
      { arrival: 0, input: 1, output: 2, group: 0, shared: 1 },
      { arrival: 10, input: 1, output: 2, group: 0, shared: 1 },
    ]);
    expect(tiny.chunks.map((chunks) => chunks.map(([, tokens]) => tokens))).toEqual([[1], [1]]);
  });

  it('evicts the least recently freed block first when memory is tight; an evicted group misses', () => {
    // 20 blocks. Groups 0 and 1 each leave 4 cached blocks (64-token prompts, one output token).
    // The free queue is then [A3 A2 A1 A0 C3 C2 C1 C0] (each request's tail first) behind the 12
    // never-used blocks. A 14-block private request takes the 12 and evicts A3 and A2.
    const short = { input: 64, output: 1, shared: 64 };
    const trace = run(
      [
        { arrival: 0, group: 0, ...short }, // A
        { arrival: 10, group: 1, ...short }, // C
        { arrival: 20, input: 224, output: 1 }, // D: 14 blocks
        { arrival: 30, group: 0, ...short }, // E: hits A0, A1 only
        { arrival: 40, group: 1, ...short }, // F: group 1 lost C3, C2 to E's allocation
        { arrival: 50, group: 2, ...short }, // G: a group never seen
      ],
      { totalBlocks: 20 },
    );
    expect(trace.chunks.map((chunks) => chunks.map(([, tokens, context]) => [tokens, context]))).toEqual([
      [[64, 0]],
      [[64, 0]],
      [[224, 0]],
      [[32, 32]],
      // E's two new blocks evicted C3 and C2 (then at the queue's head); F hits C0, C1.
      [[32, 32]],
      [[64, 0]],
    ]);
    expect(trace.sequences.map((sequence) => sequence.cachedPromptTokens)).toEqual([0, 0, 0, 32, 32, 0]);
  });

  it('the eviction order, block by block', () => {
    const cache = new PrefixCache(10, 16);
    const a = grouped(0, 0, 64);
    const b = grouped(1, 1, 64);
    for (const sequence of [a, b]) {
      cache.allocate(4);
      sequence.blocks = 4;
      cache.registerPrompt(sequence, 64);
    }
    expect(cache.audit()).toMatchObject({ referencedCached: 8, references: 8, evictable: 0, neverUsed: 2 });
    cache.release(a, 64, false);
    cache.release(b, 64, false);
    expect(cache.usedBlocks).toBe(0);
    expect(cache.evictableBlocks).toBe(8);
    expect(cache.freeBlocks).toBe(10);
    const state = () =>
      [a, b].map((sequence) => [0, 1, 2, 3].map((index) => cache.referenceCount(sequence, index)));
    expect(state()).toEqual([
      [0, 0, 0, 0],
      [0, 0, 0, 0],
    ]);
    cache.allocate(2); // never-used blocks: nothing evicted
    expect(state()).toEqual([
      [0, 0, 0, 0],
      [0, 0, 0, 0],
    ]);
    cache.allocate(3); // a's tail first
    expect(state()).toEqual([
      [0, -1, -1, -1],
      [0, 0, 0, 0],
    ]);
    // Hitting b's blocks takes them out of the queue: the next evictions skip them.
    const b2 = grouped(2, 1, 64);
    expect(cache.match(b2)).toBe(3);
    expect(cache.matchedEvictableBlocks).toBe(3);
    cache.acquireMatched(b2);
    expect(cache.usedBlocks).toBe(8);
    cache.allocate(2); // a0, then b3
    expect(state()).toEqual([
      [-1, -1, -1, -1],
      [1, 1, 1, -1],
    ]);
    expect(() => cache.allocate(1)).toThrow(/over-allocation/);
    cache.free(7);
    cache.release(b2, 48, false);
    expect(cache.audit()).toMatchObject({ referencedCached: 0, evictable: 3, releasedFree: 7, neverUsed: 0 });
    // Anonymous (key-less) free blocks queued before b's are taken first.
    cache.allocate(7);
    expect(state()[1]).toEqual([0, 0, 0, -1]);
    cache.allocate(1); // b's blocks were freed tail first: b2 goes
    expect(state()[1]).toEqual([0, 0, -1, -1]);
  });

  it("a session's turn leaves its answer cached for the next turn, which hits prompt and answer", () => {
    const cache = new PrefixCache(20, 16);
    const turn = (id: number, input: number) => {
      const sequence = new Sequence(id, 0, input, 40);
      sequence.promptKey = 7;
      sequence.outputCached = true;
      return sequence;
    };
    // Turn 1: a 50-token prompt (3 full blocks) and a 40-token answer: 90 tokens, 5 full blocks + 1 partial.
    const first = turn(0, 50);
    expect(cache.match(first)).toBe(0);
    cache.acquireMatched(first);
    cache.allocate(4);
    cache.registerPrompt(first, 50);
    cache.allocate(2); // the answer's blocks
    cache.releaseFinished(first, 90);
    // Its 5 full blocks stay cached under the session (3 prompt, 2 answer); the partial one is anonymous.
    expect(cache.audit()).toMatchObject({ referencedCached: 0, evictable: 5, releasedFree: 1 });
    // Turn 2 resends the 90 tokens plus a 30-token question: it hits all 5 full blocks (80 tokens).
    const second = turn(1, 120);
    second.sessionContextTokens = 90;
    expect(cache.match(second)).toBe(5);
    cache.acquireMatched(second);
    expect(cache.usedBlocks).toBe(5);
    cache.allocate(3);
    cache.registerPrompt(second, 120);
    expect(cache.audit()).toMatchObject({ referencedCached: 7, references: 7 });
    // Outside a session (outputCached false) a finish caches nothing of the answer.
    const alone = new Sequence(2, 0, 50, 40);
    alone.promptKey = 9;
    cache.match(alone);
    cache.acquireMatched(alone);
    cache.allocate(4);
    cache.registerPrompt(alone, 50);
    cache.allocate(2);
    cache.releaseFinished(alone, 90);
    expect([3, 4].map((index) => cache.referenceCount(alone, index))).toEqual([-1, -1]);
    expect(cache.referenceCount(alone, 2)).toBe(0);
  });

  it("a session's blocks are forgotten once all of them are evicted (its key's table is freed)", () => {
    const cache = new PrefixCache(8, 16);
    const first = new Sequence(0, 0, 64, 32);
    first.promptKey = 3;
    first.outputCached = true;
    cache.match(first);
    cache.acquireMatched(first);
    cache.allocate(4);
    cache.registerPrompt(first, 64);
    cache.allocate(2);
    cache.releaseFinished(first, 96);
    expect(cache.audit()).toMatchObject({ evictable: 6 });
    cache.allocate(8); // evicts all six
    expect(cache.audit()).toMatchObject({ evictable: 0, referencedCached: 0 });
    cache.free(8);
    // A later turn of that session misses everything and caches afresh under the same key.
    const second = new Sequence(1, 0, 120, 8);
    second.promptKey = 3;
    second.outputCached = true;
    expect(cache.match(second)).toBe(0);
    cache.acquireMatched(second);
    cache.allocate(8);
    cache.registerPrompt(second, 120);
    expect(cache.audit()).toMatchObject({ referencedCached: 7, references: 7 });
  });

  it('trace hash ids: prompts share exactly the blocks their common leading ids cover', () => {
    // 32 tokens per id (2 blocks). B shares A's first two ids (64 tokens); C repeats A.
    const trace = run([
      { arrival: 0, input: 96, output: 2, hashes: [1, 2, 3] },
      { arrival: 10, input: 96, output: 2, hashes: [1, 2, 9] },
      { arrival: 20, input: 96, output: 2, hashes: [1, 2, 3] },
      { arrival: 30, input: 96, output: 2, hashes: [4, 10, 11] },
      // Fewer ids than its prompt needs: blocks past them are its own.
      { arrival: 40, input: 96, output: 2, hashes: [1] },
    ]);
    // C hits ⌊95 / 16⌋ = 5 blocks; D, whose first id differs, nothing; E its one id's 2 blocks.
    expect(trace.chunks.map((chunks) => chunks.map(([, tokens, context]) => [tokens, context]))).toEqual([
      [[96, 0]],
      [[32, 64]],
      [[16, 80]],
      [[96, 0]],
      [[64, 32]],
    ]);
    expect(trace.sequences.map((sequence) => sequence.cachedPromptTokens)).toEqual([0, 64, 80, 0, 32]);
    // Cached at the end: ids 1, 2 (4 blocks), A's 3 and B's 9 (2 each), D's 4, 10, 11 (6).
    expect(cacheOf(trace.policy).audit()).toMatchObject({ referencedCached: 0, evictable: 4 + 2 + 2 + 6 });
  });

  it('trace hash ids that are not whole blocks key each block by the id holding its last token', () => {
    // 24 tokens per id, 16 per block: id 0 keys block 0, id 1 blocks 1–2, id 2 block 3.
    const trace = run([
      { arrival: 0, input: 72, output: 2, hashes: [5, 6, 7], hashTokens: 24 },
      { arrival: 10, input: 72, output: 2, hashes: [5, 6, 8], hashTokens: 24 },
      { arrival: 20, input: 72, output: 2, hashes: [5, 9, 10], hashTokens: 24 },
    ]);
    // B shares 48 tokens (2 ids): blocks 0–2. C shares 24 tokens: block 0 only (block 1 ends past them).
    expect(trace.sequences.map((sequence) => sequence.cachedPromptTokens)).toEqual([0, 48, 16]);
    // With offload, blocks evicted from the GPU come back from host memory, id after id.
    const cache = new PrefixCache(6, 16, 8);
    const request = (id: number, hashes: number[]) => {
      const sequence = new Sequence(id, 0, 72, 1);
      sequence.hashIds = Int32Array.from(hashes);
      sequence.hashBlockTokens = 24;
      return sequence;
    };
    const first = request(0, [5, 6, 7]);
    cache.match(first);
    cache.acquireMatched(first);
    cache.allocate(5);
    cache.registerPrompt(first, 72);
    cache.release(first, 72, false);
    expect(cache.audit()).toMatchObject({ evictable: 4, keys: 4 });
    cache.allocate(4); // the never-used and the anonymous block, then blocks 3 and 2 (tail first)
    expect(cache.audit()).toMatchObject({ evictable: 2, hostBlocks: 2 });
    cache.free(4);
    const second = request(1, [5, 6, 7]);
    // ⌊71 / 16⌋ = 4 blocks at most: 2 on the GPU (blocks 0, 1), 2 in host memory (2, 3).
    expect(cache.match(second)).toBe(4);
    expect(cache.matchedHostBlocks).toBe(2);
    cache.acquireMatched(second);
    expect(second.cachedBlocks).toBe(4);
    expect([0, 1, 2, 3].map((index) => cache.referenceCount(second, index))).toEqual([1, 1, 1, 1]);
    expect(cache.audit()).toMatchObject({ referencedCached: 4, references: 4 });
  });

  it("keying only the hash ids another request shares changes nothing (the engine's shortcut without offload)", () => {
    let hits = 0;
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            gap: fc.integer({ min: 0, max: 3 }),
            document: fc.integer({ min: 0, max: 3 }),
            question: fc.integer({ min: 1, max: 60 }),
            output: fc.integer({ min: 1, max: 40 }),
          }),
          { minLength: 1, maxLength: 30 },
        ),
        fc.integer({ min: 12, max: 60 }),
        fc.boolean(),
        (items, totalBlocks, chunkedPrefill) => {
          // Each request: its document's 2 ids (64 tokens) and one id of its own for its question.
          let time = 0;
          const full = items.map(({ gap, document, question, output }, index) => {
            time += gap;
            return {
              arrival: time,
              input: 64 + question,
              output,
              hashes: [10 * document, 10 * document + 1, 1000 + index],
            };
          });
          const fits = full.filter((request) => blocksFor(request.input + request.output, 16) <= totalBlocks);
          const seen = new Map<number, number>();
          for (const request of fits) for (const id of request.hashes) seen.set(id, (seen.get(id) ?? 0) + 1);
          const shared = fits.map((request) => ({
            ...request,
            hashes: request.hashes.filter((id) => (seen.get(id) ?? 0) >= 2),
          }));
          const options = { totalBlocks, chunkedPrefill, maxNumBatchedTokens: chunkedPrefill ? 48 : 512 };
          const all = run(fits, options);
          const some = run(shared, options);
          expect(some.chunks).toEqual(all.chunks);
          expect(some.finished).toEqual(all.finished);
          expect(some.preemptions).toBe(all.preemptions);
          expect(some.sequences.map((sequence) => sequence.cachedPromptTokens)).toEqual(
            all.sequences.map((sequence) => sequence.cachedPromptTokens),
          );
          hits += all.sequences.filter((sequence) => sequence.cachedPromptTokens > 0).length;
          return true;
        },
      ),
      { numRuns: 60, seed: 11 },
    );
    expect(hits).toBeGreaterThan(0);
  });

  it('a recompute after preemption hits its own cached blocks', () => {
    // 8 blocks, two 40-token prompts decoding in step: at KV length 64 both need a 5th block, so the
    // later one (1) is preempted; its 4 full blocks are cached under its own keys, the survivor's
    // growth evicts the last of them, and when 0 finishes, 1 recomputes 65 tokens from 48 cached.
    const requests = [
      { arrival: 0, input: 40, output: 26 },
      { arrival: 0, input: 40, output: 60 },
    ];
    const trace = run(requests, { totalBlocks: 8 });
    expect(trace.preemptions).toBe(1);
    expect(trace.chunks[1]?.map(([, tokens, context]) => [tokens, context])).toEqual([
      [40, 0],
      [17, 48],
    ]);
    expect(trace.sequences[1]?.cachedPromptTokens).toBe(0);
    const off = run(requests, { totalBlocks: 8, enablePrefixCaching: false });
    expect(off.chunks[1]?.map(([, tokens, context]) => [tokens, context])).toEqual([
      [40, 0],
      [65, 0],
    ]);
    // One time unit per iteration here, so the finishes agree; only the recompute's work differs.
    expect(trace.finished).toEqual(off.finished);
  });

  it('shared blocks are counted once and reference-counted while two requests hold them', () => {
    const seen: number[][] = [];
    const trace = run(
      [
        { arrival: 0, input: 100, output: 10, group: 0, shared: 64 },
        { arrival: 0, input: 100, output: 20, group: 0, shared: 64 },
      ],
      {},
      {
        onIteration: (policy, sequences) => {
          const cache = cacheOf(policy);
          const first = sequences[0] as Sequence;
          seen.push([
            cache.usedBlocks,
            cache.referenceCount(first, 0),
            cache.referenceCount(first, 3),
            cache.referenceCount(first, 4),
          ]);
        },
      },
    );
    // 7 blocks each, 4 of them shared: 10 in use after the prefill, not 14.
    expect(seen[0]).toEqual([10, 2, 2, -1]);
    expect(trace.chunks.map((chunks) => chunks.map(([, tokens, context]) => [tokens, context]))).toEqual([
      [[100, 0]],
      [[36, 64]],
    ]);
    // The first request finishes at time 10 (its 10th token): one reference left.
    expect(seen[9]).toEqual([4 + 3, 1, 1, -1]);
    // Both gone: the 4 shared blocks are cached and evictable; nothing is referenced.
    expect(seen.at(-1)).toEqual([0, 0, 0, -1]);
    expect(cacheOf(trace.policy).evictableBlocks).toBe(4);
  });

  it('is deterministic, keeps the accounting exact (host memory too), and bulk steady decoding matches iteration by iteration', () => {
    let loadedRuns = 0;
    let hashHits = 0;
    const requests = fc
      .array(
        fc.record({
          gap: fc.integer({ min: 0, max: 3 }),
          input: fc.integer({ min: 1, max: 200 }),
          output: fc.integer({ min: 1, max: 80 }),
          group: fc.integer({ min: -1, max: 2 }),
          shared: fc.integer({ min: 1, max: 160 }),
          prompt: fc.integer({ min: -3, max: 3 }),
          branch: fc.integer({ min: -4, max: 2 }),
          hashTokens: fc.constantFrom(16, 24, 40),
        }),
        { minLength: 1, maxLength: 40 },
      )
      .map((items) => {
        let time = 0;
        return items.map(({ gap, prompt, branch, hashTokens, ...request }) => {
          time += gap;
          // Trace hash ids of a chain that branches after its second id (ids fixed per position).
          if (branch >= 0) {
            const count = Math.ceil(request.input / hashTokens);
            const hashes = Array.from({ length: count }, (_, k) => (k < 2 ? k : 1000 * (branch + 1) + k));
            return { arrival: time, input: request.input, output: request.output, hashes, hashTokens };
          }
          // A repeated prompt: the same group, prefix and length every time it comes.
          if (prompt >= 0)
            return {
              ...request,
              arrival: time,
              prompt,
              group: prompt % 2,
              shared: 40,
              input: 30 + 47 * prompt,
            };
          return { arrival: time, ...request };
        });
      });
    fc.assert(
      fc.property(
        requests,
        fc.integer({ min: 16, max: 120 }),
        fc.boolean(),
        fc.constantFrom('recompute' as const, 'swap' as const),
        fc.constantFrom(0, 3, 40),
        (list, totalBlocks, chunkedPrefill, preemptionMode, offloadBlocks) => {
          const fits = list.filter((request) => blocksFor(request.input + request.output, 16) <= totalBlocks);
          const options = {
            totalBlocks,
            chunkedPrefill,
            preemptionMode,
            maxNumBatchedTokens: chunkedPrefill ? 64 : 512,
            prefillChunkSize: 32,
            offloadBlocks,
          };
          const exact = run(fits, options);
          expect(exact.finished.map(([id]) => id).sort((x, y) => x - y)).toEqual(fits.map((_, id) => id));
          expect(exact.policy.blocks.usedBlocks).toBe(0);
          // Host memory (checked by the audit after every iteration) never exceeds its blocks; every
          // block loaded was counted in a plan.
          const cache = cacheOf(exact.policy);
          expect(cache.hostBlocks).toBeLessThanOrEqual(offloadBlocks);
          expect(cache.audit().hostBlocks).toBe(cache.hostBlocks);
          expect(exact.loaded).toBe(cache.loadedBlocks);
          loadedRuns += exact.loaded > 0 ? 1 : 0;
          for (const sequence of exact.sequences)
            if (sequence.hashIds !== undefined && sequence.cachedPromptTokens > 0) hashHits++;
          if (offloadBlocks === 0) expect(cache.offloadedBlocks + cache.loadedBlocks).toBe(0);
          for (const sequence of exact.sequences)
            expect(sequence.hostPromptTokens).toBeLessThanOrEqual(sequence.cachedPromptTokens);
          const again = run(fits, options);
          expect(again.chunks).toEqual(exact.chunks);
          expect(again.loaded).toBe(exact.loaded);
          expect(again.blocks).toEqual(exact.blocks);
          expect(again.sequences.map((sequence) => sequence.cachedPromptTokens)).toEqual(
            exact.sequences.map((sequence) => sequence.cachedPromptTokens),
          );
          const bulk = run(fits, options, { bulk: true });
          expect(bulk.finished).toEqual(exact.finished);
          expect(bulk.preemptions).toBe(exact.preemptions);
          expect(bulk.chunks).toEqual(exact.chunks);
          expect(bulk.now).toBe(exact.now);
          expect(bulk.loaded).toBe(exact.loaded);
          for (const sequence of exact.sequences)
            expect(sequence.cachedPromptTokens).toBeLessThanOrEqual(Math.max(0, sequence.inputTokens - 1));
          // With caching off the same requests schedule as before (prefix fields are ignored).
          const off = run(fits, { ...options, enablePrefixCaching: false });
          expect(off.sequences.every((sequence) => sequence.cachedPromptTokens === 0)).toBe(true);
          return true;
        },
      ),
      { numRuns: 40, seed: 5 },
    );
    // The generated runs do exercise host loads and hits on trace hash ids.
    expect(loadedRuns).toBeGreaterThan(0);
    expect(hashHits).toBeGreaterThan(0);
  });
});

function grouped(id: number, group: number, input: number): Sequence {
  const sequence = new Sequence(id, 0, input, 1);
  sequence.prefixGroup = group;
  sequence.sharedPrefixTokens = input;
  return sequence;
}

describe('KV offload (PrefixCache with host blocks, schedulerSpec.kvOffload)', () => {
  /** Caches `sequence`'s first `blocks` blocks as if it computed them, then lets them go (evictable, tail first). */
  function cacheAndRelease(cache: PrefixCache, sequence: Sequence, blocks: number) {
    cache.match(sequence);
    cache.acquireMatched(sequence);
    cache.allocate(blocks - sequence.cachedBlocks);
    cache.registerPrompt(sequence, blocks * 16);
    cache.release(sequence, blocks * 16, false);
  }

  it('an evicted shared block goes to host memory; a later match hits the GPU blocks, then the host ones, and loads them', () => {
    const cache = new PrefixCache(8, 16, 8);
    const first = grouped(0, 0, 96);
    cacheAndRelease(cache, first, 6);
    expect(cache.audit()).toMatchObject({ evictable: 6, neverUsed: 2, hostBlocks: 0 });
    cache.allocate(4); // the 2 never-used blocks, then blocks 5 and 4 (the tail first)
    expect(cache.audit()).toMatchObject({ evictable: 4, hostBlocks: 2 });
    expect([cache.offloadedBlocks, cache.loadedBlocks]).toEqual([2, 0]);
    cache.free(4);
    // A 112-token prompt of the group: ⌊111 / 16⌋ = 6 blocks can hit, 4 on the GPU and 2 in host memory.
    const second = grouped(1, 0, 112);
    second.sharedPrefixTokens = 96;
    expect(cache.match(second)).toBe(6);
    expect(cache.matchedEvictableBlocks).toBe(4);
    expect(cache.matchedHostBlocks).toBe(2);
    cache.acquireMatched(second);
    // The two loaded blocks take fresh GPU blocks and are cached under their keys, held by the sequence.
    expect(second.cachedBlocks).toBe(6);
    expect(cache.usedBlocks).toBe(6);
    expect([0, 4, 5].map((index) => cache.referenceCount(second, index))).toEqual([1, 1, 1]);
    expect(cache.loadedBlocks).toBe(2);
    // The host copies stay (host memory is a second copy, not a move); nothing more was written.
    expect(cache.audit()).toMatchObject({ referencedCached: 6, references: 6, hostBlocks: 2 });
    expect(cache.offloadedBlocks).toBe(2);
    cache.allocate(1);
    cache.release(second, 112, false);
    // Everything is on the GPU again: the next match hits it there and loads nothing.
    const third = grouped(2, 0, 112);
    third.sharedPrefixTokens = 96;
    expect(cache.match(third)).toBe(6);
    expect(cache.matchedHostBlocks).toBe(0);
    // Evicting blocks already in host memory writes nothing new.
    cache.allocate(8);
    expect(cache.offloadedBlocks).toBe(2 + 4); // blocks 4 and 5 were there already
    expect(cache.audit()).toMatchObject({ evictable: 0, hostBlocks: 6 });
  });

  it('host memory drops its least recently used block when full; a load counts as a use', () => {
    const cache = new PrefixCache(3, 16, 2);
    const block = (id: number, group: number, input = 16) => {
      const sequence = grouped(id, group, input);
      sequence.sharedPrefixTokens = 16;
      return sequence;
    };
    for (const group of [0, 1, 2]) cacheAndRelease(cache, block(group, group), 1);
    cache.allocate(3); // evicts groups 0, 1, 2 in that order: 0 is dropped from host memory
    cache.free(3);
    const hostHit = (group: number) => {
      const probe = block(10 + group, group, 32);
      return [cache.match(probe), cache.matchedHostBlocks];
    };
    expect([0, 1, 2].map(hostHit)).toEqual([
      [0, 0],
      [1, 1],
      [1, 1],
    ]);
    expect(cache.audit()).toMatchObject({ hostBlocks: 2, neverUsed: 0 });
    // Loading group 1 makes it the most recently used: the next write drops group 2, not group 1.
    const reader = block(20, 1, 32);
    cache.match(reader);
    cache.acquireMatched(reader);
    cache.release(reader, 16, false);
    cache.allocate(3); // group 1's block goes back to host memory (already there: nothing written)
    cache.free(3);
    cacheAndRelease(cache, block(21, 3), 1);
    cache.allocate(3); // group 3's block is written: group 2's is dropped
    expect([0, 1, 2, 3].map(hostHit)).toEqual([
      [0, 0],
      [1, 1],
      [0, 0],
      [1, 1],
    ]);
    expect([cache.offloadedBlocks, cache.loadedBlocks]).toEqual([4, 1]);
    expect(cache.audit()).toMatchObject({ hostBlocks: 2 });
  });

  it('own (recompute) blocks and anonymous blocks never go to host memory; without host blocks nothing does', () => {
    const trace = run(
      [
        { arrival: 0, input: 40, output: 26 },
        { arrival: 0, input: 40, output: 60 },
      ],
      { totalBlocks: 8, offloadBlocks: 16 },
    );
    // As in the recompute test above: own blocks evicted, none offloaded.
    expect(trace.preemptions).toBe(1);
    expect(cacheOf(trace.policy).offloadedBlocks).toBe(0);
    const plain = new PrefixCache(4, 16);
    cacheAndRelease(plain, grouped(0, 0, 64), 4);
    plain.allocate(4);
    expect([plain.hostCapacityBlocks, plain.hostBlocks, plain.offloadedBlocks]).toEqual([0, 0, 0]);
  });

  it('the continuous policy loads host hits before the prefill and counts them in the plan', () => {
    // The eviction test above, with 16 blocks of host memory: A's blocks 3 and 2, evicted by D, are
    // in host memory. E hits A0, A1 on the GPU and A2 in host memory (⌊63 / 16⌋ = 3 blocks at most).
    const short = { input: 64, output: 1, shared: 64 };
    const requests = [
      { arrival: 0, group: 0, ...short }, // A
      { arrival: 10, group: 1, ...short }, // C
      { arrival: 20, input: 224, output: 1 }, // D: 14 blocks
      { arrival: 30, group: 0, ...short }, // E
      { arrival: 40, group: 1, ...short }, // F
    ];
    const trace = run(requests, { totalBlocks: 20, offloadBlocks: 16 });
    const work = (result: Run) =>
      result.chunks.map((chunks) => chunks.map(([, tokens, context]) => [tokens, context]));
    expect(work(trace)).toEqual([[[64, 0]], [[64, 0]], [[224, 0]], [[16, 48]], [[16, 48]]]);
    expect(
      trace.sequences.map((sequence) => [sequence.cachedPromptTokens, sequence.hostPromptTokens]),
    ).toEqual([
      [0, 0],
      [0, 0],
      [0, 0],
      [48, 16],
      [48, 16],
    ]);
    // E's two new blocks (A2's copy and its last block) evict C3, C2 to host memory: F hits C0, C1
    // on the GPU and loads C2 (F's blocks come from D's freed ones). Two blocks loaded in all, one
    // per admission; four written (A3, A2 by D; C3, C2 by E).
    expect(trace.loaded).toBe(2);
    expect(cacheOf(trace.policy).loadedBlocks).toBe(2);
    expect(cacheOf(trace.policy).offloadedBlocks).toBe(4);
    const without = run(requests, { totalBlocks: 20 });
    expect(work(without)).toEqual([[[64, 0]], [[64, 0]], [[224, 0]], [[32, 32]], [[32, 32]]]);
    expect(without.loaded).toBe(0);
  });
});
