import { EventQueue } from '@sim/engine';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

describe('EventQueue', () => {
  it('pops in (time, priority, insertion) order under any interleaving of pushes and pops', () => {
    const operation = fc.oneof(
      fc.record({
        push: fc.constant(true),
        time: fc.integer({ min: 0, max: 20 }),
        priority: fc.integer({ min: 0, max: 3 }),
      }),
      fc.record({ push: fc.constant(false) }),
    );
    fc.assert(
      fc.property(fc.array(operation, { maxLength: 300 }), (operations) => {
        const queue = new EventQueue<number>();
        const reference: { time: number; priority: number; sequence: number }[] = [];
        let sequence = 0;
        for (const op of operations) {
          if (op.push && 'time' in op) {
            queue.push(op.time, op.priority, sequence);
            reference.push({ time: op.time, priority: op.priority, sequence: sequence++ });
          } else {
            reference.sort((a, b) => a.time - b.time || a.priority - b.priority || a.sequence - b.sequence);
            const expected = reference.shift();
            expect(queue.peekTime()).toBe(expected?.time ?? Number.POSITIVE_INFINITY);
            expect(queue.peek()).toBe(expected?.sequence);
            expect(queue.pop()).toBe(expected?.sequence);
          }
          expect(queue.size).toBe(reference.length);
        }
      }),
      { numRuns: 200, seed: 7 },
    );
  });
});
