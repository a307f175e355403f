import {
  type BatchingPolicy,
  blocksFor,
  ContinuousPolicy,
  createPolicy,
  type SchedulerOptions,
  Sequence,
} from '@sim/scheduler';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { testOptions } from './test-options';

const base: SchedulerOptions = testOptions();

interface Request {
  readonly arrival: number;
  readonly input: number;
  readonly output: number;
}

interface Trace {
  readonly sequences: Sequence[];
  readonly finishedIds: number[];
  readonly preemptions: number;
  /** (time, id) of each first scheduling. */
  readonly scheduled: [number, number][];
  /** Per iteration: ids running (prefilling/decoding) when it was planned. */
  readonly batches: { time: number; decodes: number; chunks: number; tokens: number; running: number }[];
}

/** Drives a policy with a unit-time-per-iteration clock, checking invariants after every iteration. */
function drive(policy: BatchingPolicy, requests: readonly Request[], options: SchedulerOptions): Trace {
  const sequences = requests.map(
    (request, id) => new Sequence(id, request.arrival, request.input, request.output),
  );
  const finishedIds: number[] = [];
  const scheduled: [number, number][] = [];
  const batches: Trace['batches'] = [];
  let preemptions = 0;
  let next = 0;
  let now = 0;
  const seen = new Set<number>();
  for (let guard = 0; guard < 200_000; guard++) {
    while (next < sequences.length && (sequences[next] as Sequence).arrivalTime <= now)
      policy.enqueue(sequences[next++] as Sequence, now);
    const plan = policy.plan(now);
    if (plan === undefined) {
      if (next >= sequences.length && policy.waitingCount === 0 && policy.runningCount === 0) break;
      const wake = policy.nextWakeTime();
      const arrival =
        next < sequences.length ? (sequences[next] as Sequence).arrivalTime : Number.POSITIVE_INFINITY;
      now = Math.max(now, Math.min(wake, arrival));
      if (!Number.isFinite(now)) throw new Error('stuck: nothing can run');
      continue;
    }
    const tokens = plan.prefillChunks.reduce((sum, chunk) => sum + chunk, 0) + plan.decodeSequences;
    batches.push({
      time: now,
      decodes: plan.decodeSequences,
      chunks: plan.prefillChunks.length,
      tokens,
      running: policy.runningCount,
    });
    for (const sequence of sequences) {
      if (!Number.isNaN(sequence.firstScheduledTime) && !seen.has(sequence.id)) {
        seen.add(sequence.id);
        scheduled.push([now, sequence.id]);
      }
    }
    expect(policy.runningCount).toBeLessThanOrEqual(options.maxBatchSize);
    expect(policy.blocks.usedBlocks).toBeLessThanOrEqual(policy.blocks.totalBlocks);
    now += 1;
    policy.complete(now, {
      onFirstToken: (sequence, time) => {
        expect(time).toBe(now);
        expect(sequence.generated).toBe(1);
      },
      onFinish: (sequence) => finishedIds.push(sequence.id),
      onPreempt: () => preemptions++,
    });
    if (policy instanceof ContinuousPolicy) {
      // The aggregate block count matches a per-sequence recount.
      let recount = 0;
      for (const sequence of sequences) {
        if (sequence.status === 'prefilling') recount += sequence.blocks;
        if (sequence.status === 'decoding')
          recount += blocksFor(sequence.kvLengthAt(policy.decodeStep), options.kvBlockSize);
      }
      expect(policy.blocks.usedBlocks).toBe(recount);
    }
  }
  return { sequences, finishedIds, preemptions, scheduled, batches };
}

const requestList = (maxInput: number, maxOutput: number) =>
  fc
    .array(
      fc.record({
        gap: fc.integer({ min: 0, max: 6 }),
        input: fc.integer({ min: 1, max: maxInput }),
        output: fc.integer({ min: 1, max: maxOutput }),
      }),
      { minLength: 1, maxLength: 40 },
    )
    .map((items) => {
      let time = 0;
      return items.map(({ gap, input, output }) => {
        time += gap;
        return { arrival: time, input, output };
      });
    });

function expectAllFinishOnce(trace: Trace, count: number) {
  expect([...trace.finishedIds].sort((a, b) => a - b)).toEqual(
    Array.from({ length: count }, (_, index) => index),
  );
  for (const sequence of trace.sequences) {
    expect(sequence.generated).toBe(sequence.outputTokens);
    expect(sequence.status).toBe('finished');
  }
}

describe.each([
  ['continuous', { batchingType: 'continuous' as const }],
  [
    'continuous + chunked prefill',
    {
      batchingType: 'continuous' as const,
      chunkedPrefill: true,
      maxNumBatchedTokens: 64,
      prefillChunkSize: 32,
    },
  ],
  ['continuous + swap', { batchingType: 'continuous' as const, preemptionMode: 'swap' as const }],
  [
    'continuous + chunked prefill + prefix caching',
    {
      batchingType: 'continuous' as const,
      chunkedPrefill: true,
      maxNumBatchedTokens: 64,
      prefillChunkSize: 32,
      enablePrefixCaching: true,
    },
  ],
  [
    'continuous, request-level admission',
    { batchingType: 'continuous' as const, tokenLevelScheduling: false },
  ],
  ['static', { batchingType: 'static' as const, batchWaitTimeoutS: 3 }],
  ['dynamic', { batchingType: 'dynamic' as const, batchWaitTimeoutS: 1 }],
])('%s policy invariants (property test)', (_, overrides) => {
  it('never exceeds the batch cap, token budget or KV blocks; never loses or duplicates a request; blocks return to zero', () => {
    fc.assert(
      fc.property(requestList(300, 60), fc.integer({ min: 40, max: 200 }), (requests, totalBlocks) => {
        const options: SchedulerOptions = { ...base, ...overrides, totalBlocks };
        const fits = requests.filter(
          (request) => blocksFor(request.input + request.output, options.kvBlockSize) <= totalBlocks,
        );
        const policy = createPolicy(options);
        const trace = drive(policy, fits, options);
        expectAllFinishOnce(trace, fits.length);
        expect(policy.blocks.usedBlocks).toBe(0);
        if (options.batchingType === 'continuous') {
          for (const batch of trace.batches) {
            if (options.chunkedPrefill || batch.chunks > 1)
              expect(batch.tokens).toBeLessThanOrEqual(options.maxNumBatchedTokens);
          }
        }
      }),
      { numRuns: 60, seed: 7 },
    );
  });
});

describe('ordering and admission', () => {
  it('FCFS: requests are first scheduled in arrival order', () => {
    fc.assert(
      fc.property(requestList(100, 30), (requests) => {
        const options = { ...base, totalBlocks: 1000 };
        const trace = drive(createPolicy(options), requests, options);
        const ids = trace.scheduled.map(([, id]) => id);
        expect(ids).toEqual([...ids].sort((a, b) => a - b));
      }),
      { numRuns: 50, seed: 11 },
    );
  });

  it('static batching never admits into a running batch; continuous does', () => {
    const requests = [
      { arrival: 0, input: 20, output: 30 },
      { arrival: 0, input: 20, output: 30 },
      { arrival: 5, input: 20, output: 5 },
    ];
    const staticOptions = {
      ...base,
      batchingType: 'static' as const,
      staticBatchSize: 2,
      batchWaitTimeoutS: 1,
    };
    const staticTrace = drive(createPolicy(staticOptions), requests, staticOptions);
    const third = staticTrace.scheduled.find(([, id]) => id === 2)?.[0] ?? -1;
    expect(third).toBeGreaterThanOrEqual(30); // waits for the first batch's 30 tokens
    const continuousTrace = drive(createPolicy(base), requests, base);
    expect(continuousTrace.scheduled.find(([, id]) => id === 2)?.[0]).toBe(5);
  });

  it('static batching pads: every response of a batch returns together', () => {
    const requests = [
      { arrival: 0, input: 10, output: 3 },
      { arrival: 0, input: 10, output: 9 },
    ];
    const options = { ...base, batchingType: 'static' as const, staticBatchSize: 2 };
    const finishes: number[] = [];
    const policy = createPolicy(options);
    const sequences = requests.map(
      (request, id) => new Sequence(id, request.arrival, request.input, request.output),
    );
    for (const sequence of sequences) policy.enqueue(sequence, 0);
    let now = 0;
    let decodes: number[] = [];
    for (let plan = policy.plan(now); plan !== undefined; plan = policy.plan(now)) {
      decodes.push(plan.decodeSequences);
      now++;
      policy.complete(now, { onFirstToken() {}, onFinish: () => finishes.push(now), onPreempt() {} });
    }
    decodes = decodes.slice(1);
    expect(decodes).toEqual(new Array(8).fill(2));
    expect(finishes).toEqual([9, 9]);
  });

  it('a full KV cache preempts the latest request, which resumes and finishes', () => {
    for (const preemptionMode of ['recompute', 'swap'] as const) {
      const options = { ...base, totalBlocks: 12, preemptionMode };
      const requests = Array.from({ length: 4 }, (_, index) => ({ arrival: index, input: 30, output: 40 }));
      const trace = drive(createPolicy(options), requests, options);
      expect(trace.preemptions, preemptionMode).toBeGreaterThan(0);
      expectAllFinishOnce(trace, 4);
      expect(trace.sequences.some((sequence) => sequence.preemptions > 0)).toBe(true);
    }
  });

  it('chunked prefill keeps decoding while a long prompt is prefilled', () => {
    const options = {
      ...base,
      chunkedPrefill: true,
      maxNumBatchedTokens: 64,
      prefillChunkSize: 64,
      totalBlocks: 1000,
    };
    const trace = drive(
      createPolicy(options),
      [
        { arrival: 0, input: 10, output: 50 },
        { arrival: 3, input: 500, output: 5 },
      ],
      options,
    );
    const mixed = trace.batches.filter((batch) => batch.decodes > 0 && batch.chunks > 0);
    expect(mixed.length).toBeGreaterThanOrEqual(7); // 500 tokens in chunks of ≤ 63 alongside the decode
    const unchunked = drive(
      createPolicy({ ...base, totalBlocks: 1000 }),
      [
        { arrival: 0, input: 10, output: 50 },
        { arrival: 3, input: 500, output: 5 },
      ],
      { ...base, totalBlocks: 1000 },
    );
    expect(unchunked.batches.filter((batch) => batch.decodes > 0 && batch.chunks > 0)).toHaveLength(0);
  });
});

describe('steady decode fast path (continuous policy)', () => {
  /** Runs requests to the end; with `bulk`, steady decode runs are advanced with the window API. */
  function run(requests: readonly Request[], options: SchedulerOptions, bulk: boolean) {
    const policy = new ContinuousPolicy(options);
    const sequences = requests.map(
      (request, id) => new Sequence(id, request.arrival, request.input, request.output),
    );
    const finished: [number, number][] = [];
    let preemptions = 0;
    let bulkIterations = 0;
    let next = 0;
    let now = 0;
    for (let guard = 0; guard < 200_000; guard++) {
      while (next < sequences.length && (sequences[next] as Sequence).arrivalTime <= now)
        policy.enqueue(sequences[next++] as Sequence);
      const nextArrival =
        next < sequences.length ? (sequences[next] as Sequence).arrivalTime : Number.POSITIVE_INFINITY;
      if (bulk) {
        const window = policy.steadyDecodeWindow();
        if (window !== undefined) {
          // As the engine does: only iterations that end by the next arrival.
          const fits = Math.min(window.iterations, Math.max(0, nextArrival - now));
          const iterations = policy.steadyDecodeBlocks(fits);
          for (let index = 1; index < iterations; index++)
            expect(window.usedBlocks[index]).toBeGreaterThanOrEqual(window.usedBlocks[index - 1] as number);
          policy.advanceSteadyDecode(iterations);
          now += iterations;
          bulkIterations += iterations;
          if (iterations > 0) continue;
        }
      }
      const plan = policy.plan(now);
      if (plan === undefined) {
        if (next >= sequences.length && policy.waitingCount === 0 && policy.runningCount === 0) break;
        now = Math.max(now, nextArrival);
        continue;
      }
      now += 1;
      policy.complete(now, {
        onFirstToken: () => {},
        onFinish: (sequence, time) => finished.push([sequence.id, time]),
        onPreempt: () => preemptions++,
      });
    }
    return { finished, preemptions, now, bulkIterations, used: policy.blocks.usedBlocks };
  }

  it('advancing a window gives the same finishes, times, preemptions and blocks as planning each iteration', () => {
    fc.assert(
      fc.property(
        requestList(80, 120),
        fc.boolean(),
        fc.integer({ min: 12, max: 200 }),
        (requests, chunked, blocks) => {
          const options = { ...base, chunkedPrefill: chunked, totalBlocks: blocks };
          if (requests.some((request) => blocksFor(request.input + request.output, 16) > blocks)) return;
          const exact = run(requests, options, false);
          const bulk = run(requests, options, true);
          expect(bulk.finished).toEqual(exact.finished);
          expect(bulk.preemptions).toBe(exact.preemptions);
          expect(bulk.now).toBe(exact.now);
          expect(bulk.used).toBe(0);
        },
      ),
      { numRuns: 150, seed: 11 },
    );
    // The fast path is actually taken on a long-output workload.
    const long = run(
      [
        { arrival: 0, input: 20, output: 300 },
        { arrival: 0, input: 30, output: 280 },
      ],
      base,
      true,
    );
    expect(long.bulkIterations).toBeGreaterThan(200);
  });
});
