import {
  blocksFor,
  ContinuousPolicy,
  PrefixCache,
  QUEUE_KEYS,
  type SchedulerEvents,
  type SchedulerOptions,
  Sequence,
  WaitingQueue,
} from '@sim/scheduler';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { testOptions } from './test-options';

const base: SchedulerOptions = testOptions();

const BLOCK = base.kvBlockSize;

/** KV blocks a live sequence holds on the GPU between iterations. */
function held(policy: ContinuousPolicy, sequence: Sequence): number {
  if (sequence.status === 'prefilling') return sequence.blocks;
  if (sequence.status === 'decoding') return blocksFor(sequence.kvLengthAt(policy.decodeStep), BLOCK);
  return 0;
}

/**
 * The block accounting against the sequences: without caching the used blocks are exactly what the
 * live sequences hold; with caching, referenced + evictable + empty = total, the referenced blocks
 * are the live sequences' private blocks plus each referenced cached block once, and the reference
 * counts add up to the blocks held through the cache (aborted and finished sequences hold none).
 */
function checkAccounting(policy: ContinuousPolicy, sequences: readonly Sequence[]): void {
  const blocks = policy.blocks;
  expect(blocks.usedBlocks + blocks.freeBlocks).toBe(blocks.totalBlocks);
  if (!(blocks instanceof PrefixCache)) {
    let total = 0;
    for (const sequence of sequences) total += held(policy, sequence);
    expect(blocks.usedBlocks).toBe(total);
    return;
  }
  const audit = blocks.audit();
  let privateBlocks = 0;
  let references = 0;
  for (const sequence of sequences) {
    if (sequence.status !== 'prefilling' && sequence.status !== 'decoding') {
      expect(sequence.cachedBlocks).toBe(0);
      continue;
    }
    privateBlocks += held(policy, sequence) - sequence.cachedBlocks;
    references += sequence.cachedBlocks;
  }
  expect(audit.references).toBe(references);
  expect(blocks.usedBlocks).toBe(privateBlocks + audit.referencedCached);
  expect(blocks.usedBlocks + blocks.evictableBlocks + blocks.emptyBlocks).toBe(blocks.totalBlocks);
}

interface Request {
  readonly arrival: number;
  readonly input: number;
  readonly output: number;
  /** Prefix group (−1: none) sharing its first 48 tokens. */
  readonly group?: number;
  /** Abort this long after arrival (undefined: never). */
  readonly abortAfter?: number | undefined;
}

function makeSequences(requests: readonly Request[]): Sequence[] {
  return requests.map((request, id) => {
    const sequence = new Sequence(id, request.arrival, request.input, request.output);
    if (request.group !== undefined && request.group >= 0) {
      sequence.prefixGroup = request.group;
      sequence.sharedPrefixTokens = Math.min(48, request.input);
    }
    return sequence;
  });
}

/**
 * Drives a continuous policy with one time unit per iteration, aborting each request with an
 * `abortAfter` at its arrival + abortAfter (between iterations, as the engine does), checking the
 * accounting after every iteration and abort. With `bulk`, steady decode runs are advanced through
 * the window API up to the next arrival or abort.
 */
function run(requests: readonly Request[], overrides: Partial<SchedulerOptions>, bulk = false) {
  const policy = new ContinuousPolicy({ ...base, ...overrides });
  const sequences = makeSequences(requests);
  const finished: [number, number][] = [];
  const aborted: [number, number, string][] = [];
  const abortAt = requests.map((request) =>
    request.abortAfter === undefined ? Number.POSITIVE_INFINITY : request.arrival + request.abortAfter,
  );
  const done = new Set<number>();
  let next = 0;
  let now = 0;
  const events: SchedulerEvents = {
    onFirstToken: () => {},
    onFinish: (sequence, time) => {
      expect(done.has(sequence.id)).toBe(false);
      done.add(sequence.id);
      finished.push([sequence.id, time]);
    },
    onPreempt: () => {},
  };
  for (let guard = 0; guard < 200_000; guard++) {
    while (next < sequences.length && (sequences[next] as Sequence).arrivalTime <= now)
      policy.enqueue(sequences[next++] as Sequence);
    let nextAbort = Number.POSITIVE_INFINITY;
    for (let id = 0; id < next; id++) {
      const sequence = sequences[id] as Sequence;
      if ((abortAt[id] as number) > now) {
        nextAbort = Math.min(nextAbort, abortAt[id] as number);
        continue;
      }
      if (done.has(id)) continue;
      const status = sequence.status;
      expect(policy.abort(sequence)).toBe(true);
      expect(sequence.status).toBe('aborted');
      expect(policy.abort(sequence)).toBe(false);
      done.add(id);
      aborted.push([id, now, status]);
      checkAccounting(policy, sequences);
    }
    const nextArrival =
      next < sequences.length ? (sequences[next] as Sequence).arrivalTime : Number.POSITIVE_INFINITY;
    if (bulk) {
      const window = policy.steadyDecodeWindow();
      if (window !== undefined) {
        const fits = Math.min(window.iterations, Math.max(0, Math.min(nextArrival, nextAbort) - now));
        const iterations = policy.steadyDecodeBlocks(fits);
        policy.advanceSteadyDecode(iterations);
        now += iterations;
        checkAccounting(policy, sequences);
        if (iterations > 0) continue;
      }
    }
    const plan = policy.plan(now);
    if (plan === undefined) {
      if (next >= sequences.length && policy.waitingCount === 0 && policy.runningCount === 0) break;
      now = Math.max(now, Math.min(nextArrival, nextAbort));
      if (!Number.isFinite(now)) throw new Error('stuck');
      continue;
    }
    now += 1;
    policy.complete(now, events);
    checkAccounting(policy, sequences);
  }
  return { policy, sequences, finished, aborted, now };
}

/**
 * Steps a policy one time unit per iteration until a condition holds, checking the accounting of
 * `sequences` (every sequence given so far) after each iteration.
 */
class Driver {
  readonly policy: ContinuousPolicy;
  readonly sequences: Sequence[] = [];
  private now = 0;

  constructor(options: Partial<SchedulerOptions>) {
    this.policy = new ContinuousPolicy({ ...base, ...options });
  }

  enqueue(...sequences: Sequence[]): this {
    for (const sequence of sequences) {
      this.sequences.push(sequence);
      this.policy.enqueue(sequence);
    }
    return this;
  }

  until(condition: () => boolean, events: Partial<SchedulerEvents> = {}): void {
    const listeners: SchedulerEvents = {
      onFirstToken: () => {},
      onFinish: () => {},
      onPreempt: () => {},
      ...events,
    };
    while (!condition()) {
      if (this.policy.plan(this.now) === undefined) throw new Error('idle before the condition held');
      this.now++;
      this.policy.complete(this.now, listeners);
      checkAccounting(this.policy, this.sequences);
    }
  }

  /** Runs until nothing is waiting or running; returns the ids that finished, in order. */
  drain(): number[] {
    const finished: number[] = [];
    this.until(() => this.policy.runningCount + this.policy.waitingCount === 0, {
      onFinish: (sequence) => finished.push(sequence.id),
    });
    return finished;
  }
}

describe('WaitingQueue.remove', () => {
  it('takes any queued sequence out and keeps the order of the rest, under any interleaving', () => {
    const operation = fc.oneof(
      fc.record({
        op: fc.constant('push' as const),
        input: fc.integer({ min: 1, max: 9 }),
        preempted: fc.boolean(),
      }),
      fc.record({ op: fc.constant('pop' as const) }),
      fc.record({ op: fc.constant('remove' as const), pick: fc.nat() }),
    );
    fc.assert(
      fc.property(fc.array(operation, { maxLength: 200 }), fc.boolean(), (operations, fcfs) => {
        const key = (fcfs ? QUEUE_KEYS.fcfs : QUEUE_KEYS['shortest-input-first']) as (s: Sequence) => number;
        const queue = new WaitingQueue(key);
        const reference: { sequence: Sequence; rank: [number, number, number] }[] = [];
        const sort = () =>
          reference.sort((a, b) => a.rank[0] - b.rank[0] || a.rank[1] - b.rank[1] || a.rank[2] - b.rank[2]);
        const all: Sequence[] = [];
        for (const step of operations) {
          if (step.op === 'push') {
            const sequence = new Sequence(all.length, 0, step.input, 1);
            all.push(sequence);
            queue.push(sequence, step.preempted);
            reference.push({ sequence, rank: [step.preempted ? 0 : 1, key(sequence), sequence.id] });
          } else if (step.op === 'pop') {
            sort();
            expect(queue.pop()).toBe(reference.shift()?.sequence);
          } else if (all.length > 0) {
            const sequence = all[step.pick % all.length] as Sequence;
            const index = reference.findIndex((entry) => entry.sequence === sequence);
            expect(queue.remove(sequence)).toBe(index >= 0);
            if (index >= 0) reference.splice(index, 1);
          }
          sort();
          expect(queue.size).toBe(reference.length);
          expect(queue.peek()).toBe(reference[0]?.sequence);
        }
      }),
      { numRuns: 300, seed: 3 },
    );
  });
});

describe('ContinuousPolicy.abort', () => {
  for (const enablePrefixCaching of [false, true]) {
    const label = enablePrefixCaching ? 'with prefix caching' : 'without prefix caching';

    it(`frees exactly a decoding sequence's blocks (${label})`, () => {
      const driver = new Driver({ enablePrefixCaching });
      const { policy } = driver;
      const [a, b] = makeSequences([
        { arrival: 0, input: 100, output: 50, group: 0 },
        { arrival: 0, input: 70, output: 50, group: 0 },
      ]) as [Sequence, Sequence];
      driver.enqueue(a, b).until(() => a.status === 'decoding' && policy.decodeStep >= 20);
      const before = policy.blocks.usedBlocks;
      const kvLength = a.kvLengthAt(policy.decodeStep);
      // The shared prefix blocks b also references stay in use.
      const shared = enablePrefixCaching ? Math.floor(48 / BLOCK) : 0;
      expect(policy.abort(a)).toBe(true);
      expect(a.status).toBe('aborted');
      expect(a.generated).toBe(kvLength - 100 + 1);
      expect(before - policy.blocks.usedBlocks).toBe(blocksFor(kvLength, BLOCK) - shared);
      expect(policy.runningCount).toBe(1);
      checkAccounting(policy, driver.sequences);
      // b finishes; a never reports again; every block comes back.
      expect(driver.drain()).toEqual([1]);
      expect(policy.blocks.usedBlocks).toBe(0);
      expect(policy.abort(b)).toBe(false);
    });

    it(`frees exactly a prefilling sequence's blocks, mid-prefill (${label})`, () => {
      const driver = new Driver({
        enablePrefixCaching,
        chunkedPrefill: true,
        maxNumBatchedTokens: 64,
        prefillChunkSize: 64,
      });
      const { policy } = driver;
      const [a, c] = makeSequences([
        { arrival: 0, input: 300, output: 20, group: 0 },
        { arrival: 0, input: 300, output: 2, group: 0 },
      ]) as [Sequence, Sequence];
      driver.enqueue(a).until(() => a.prefilled >= 128);
      expect(a.status).toBe('prefilling');
      expect(policy.blocks.usedBlocks).toBe(blocksFor(300, BLOCK));
      expect(policy.abort(a)).toBe(true);
      expect(policy.blocks.usedBlocks).toBe(0);
      expect(policy.runningCount).toBe(0);
      checkAccounting(policy, driver.sequences);
      if (enablePrefixCaching) {
        // Its shared prefix blocks, computed before the abort, stay cached for the group's next request.
        expect((policy.blocks as PrefixCache).evictableBlocks).toBe(Math.floor(48 / BLOCK));
      }
      driver.enqueue(c);
      expect(driver.drain()).toEqual([1]);
      expect(c.cachedPromptTokens).toBe(enablePrefixCaching ? 48 : 0);
      expect(policy.blocks.usedBlocks).toBe(0);
    });

    it(`a waiting sequence holds nothing and is never admitted (${label})`, () => {
      const driver = new Driver({ enablePrefixCaching, maxBatchSize: 1 });
      const { policy } = driver;
      const [a, b, c] = makeSequences([
        { arrival: 0, input: 40, output: 5 },
        { arrival: 0, input: 40, output: 5 },
        { arrival: 0, input: 40, output: 5 },
      ]) as [Sequence, Sequence, Sequence];
      driver.enqueue(a, b, c).until(() => a.status === 'decoding');
      expect(b.status).toBe('waiting');
      const used = policy.blocks.usedBlocks;
      expect(policy.abort(b)).toBe(true);
      expect(policy.blocks.usedBlocks).toBe(used);
      expect(policy.waitingCount).toBe(1);
      expect(driver.drain()).toEqual([0, 2]);
      expect(b.status).toBe('aborted');
      expect(Number.isNaN(b.firstScheduledTime)).toBe(true);
      expect(c.status).toBe('finished');
      expect(policy.blocks.usedBlocks).toBe(0);
    });
  }

  it('a swapped sequence holds no GPU blocks and never comes back', () => {
    // Three 64-token prompts fill 12 of 14 blocks; the first decode step needs 3 more: one is swapped out.
    const driver = new Driver({ totalBlocks: 14, preemptionMode: 'swap' });
    const { policy } = driver;
    let victim: Sequence | undefined;
    driver
      .enqueue(
        ...makeSequences([
          { arrival: 0, input: 64, output: 40 },
          { arrival: 0, input: 64, output: 40 },
          { arrival: 0, input: 64, output: 40 },
        ]),
      )
      .until(() => victim?.status === 'swapped', {
        onPreempt: (sequence) => {
          victim = sequence;
        },
      });
    const swapped = victim as Sequence;
    const used = policy.blocks.usedBlocks;
    expect(policy.abort(swapped)).toBe(true);
    expect(policy.blocks.usedBlocks).toBe(used);
    expect(driver.drain().sort()).toEqual([0, 1, 2].filter((id) => id !== swapped.id));
    expect(swapped.status).toBe('aborted');
    expect(policy.blocks.usedBlocks).toBe(0);
  });

  for (const enablePrefixCaching of [false, true])
    it(`a recompute-preempted sequence waiting to be re-prefilled is removed (${enablePrefixCaching ? 'with' : 'without'} prefix caching)`, () => {
      const driver = new Driver({ totalBlocks: 14, enablePrefixCaching });
      const { policy } = driver;
      let victim: Sequence | undefined;
      driver
        .enqueue(
          ...makeSequences([
            { arrival: 0, input: 64, output: 40 },
            { arrival: 0, input: 64, output: 40 },
            { arrival: 0, input: 64, output: 40 },
          ]),
        )
        .until(() => victim?.status === 'waiting', {
          onPreempt: (sequence) => {
            victim = sequence;
          },
        });
      const waiting = policy.waitingCount;
      const used = policy.blocks.usedBlocks;
      expect(policy.abort(victim as Sequence)).toBe(true);
      expect(policy.waitingCount).toBe(waiting - 1);
      expect(policy.blocks.usedBlocks).toBe(used);
      expect(driver.drain()).toHaveLength(2);
      expect(policy.blocks.usedBlocks).toBe(0);
    });

  it('a finished sequence cannot be aborted', () => {
    const driver = new Driver({});
    const [a] = makeSequences([{ arrival: 0, input: 20, output: 3 }]) as [Sequence];
    driver.enqueue(a).until(() => a.status === 'finished');
    expect(driver.policy.abort(a)).toBe(false);
    expect(a.status).toBe('finished');
  });

  it('random aborts in every state keep the accounting exact, return every block, and bulk decoding matches', () => {
    const requests = fc
      .array(
        fc.record({
          gap: fc.integer({ min: 0, max: 3 }),
          input: fc.integer({ min: 1, max: 200 }),
          output: fc.integer({ min: 1, max: 80 }),
          group: fc.integer({ min: -1, max: 2 }),
          abortAfter: fc.option(fc.integer({ min: 0, max: 60 }), { nil: undefined }),
        }),
        { minLength: 1, maxLength: 40 },
      )
      .map((items) => {
        let time = 0;
        return items.map(({ gap, ...request }) => {
          time += gap;
          return { arrival: time, ...request };
        });
      });
    const states = new Set<string>();
    fc.assert(
      fc.property(
        requests,
        fc.integer({ min: 16, max: 64 }),
        fc.boolean(),
        fc.boolean(),
        fc.constantFrom('recompute' as const, 'swap' as const),
        (list, totalBlocks, chunkedPrefill, enablePrefixCaching, preemptionMode) => {
          const fits = list.filter(
            (request) => blocksFor(request.input + request.output, BLOCK) <= totalBlocks,
          );
          const options = {
            totalBlocks,
            chunkedPrefill,
            enablePrefixCaching,
            preemptionMode,
            maxNumBatchedTokens: chunkedPrefill ? 64 : 512,
            prefillChunkSize: 32,
          };
          const exact = run(fits, options);
          // Every request either finished or was aborted, once; nothing is held at the end.
          const ids = [...exact.finished.map(([id]) => id), ...exact.aborted.map(([id]) => id)];
          expect(ids.sort((x, y) => x - y)).toEqual(fits.map((_, id) => id));
          expect(exact.policy.blocks.usedBlocks).toBe(0);
          for (const [id, , status] of exact.aborted) {
            states.add(status);
            expect(exact.sequences[id]?.status).toBe('aborted');
          }
          for (const [id, time] of exact.finished) {
            const request = fits[id] as Request;
            if (request.abortAfter !== undefined)
              expect(time).toBeLessThanOrEqual(request.arrival + request.abortAfter);
          }
          const again = run(fits, options);
          expect(again.finished).toEqual(exact.finished);
          expect(again.aborted).toEqual(exact.aborted);
          const bulk = run(fits, options, true);
          expect(bulk.finished).toEqual(exact.finished);
          expect(bulk.aborted).toEqual(exact.aborted);
          expect(bulk.now).toBe(exact.now);
        },
      ),
      { numRuns: 80, seed: 7 },
    );
    // The property exercised aborts in every state.
    expect([...states].sort()).toEqual(['decoding', 'prefilling', 'swapped', 'waiting']);
  });
});
