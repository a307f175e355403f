import type { Sequence } from '@sim/scheduler';
import type { LogHistogram } from './distribution';
import { withRoomFor } from './typed-array-room';

/**
 * Inter-token gaps of one virtual engine's sequences, each measured from that sequence's own
 * previous token, without visiting every sequence at every iteration.
 *
 * Every decode step of a policy advances all of its decoding sequences at once, so between two
 * decode steps a sequence's latest token was produced either at the previous decode step (the
 * "decoded" group) or when it joined since: its prefill finished, its recompute prefill finished,
 * or it was swapped back in. Joiners are kept as a short list of (token time, count, measured
 * count); a decode step gives each joiner group its own gap and the rest the gap since the
 * previous decode step, then merges everyone into the decoded group. A sequence that leaves
 * (finishes, is preempted) is taken out of its joiner group; its latest token time is kept on the
 * sequence, so a recompute or swap-in measures its next gap from that token.
 *
 * Only `measured` sequences (not arriving during the warm-up) add gaps to the histogram.
 */
export class TokenGaps {
  private readonly histogram: LogHistogram;
  /** Bumped at every decode step: a sequence with `tokenGroup === group` is a joiner. */
  private group = 0;
  /** Time of the last decode step. */
  private decodedAt = 0;
  /** Joiner groups since the last decode step, in `joined` slots of parallel arrays (reused). */
  private joinTimes = new Float64Array(16);
  private joinCounts = new Int32Array(16);
  private joinMeasured = new Int32Array(16);
  private joined = 0;

  constructor(histogram: LogHistogram) {
    this.histogram = histogram;
  }

  /** `sequence`'s latest token was produced at `time` outside a decode step; it decodes next. */
  join(sequence: Sequence, time: number): void {
    const last = this.joined - 1;
    const measured = sequence.measured ? 1 : 0;
    if (last >= 0 && this.joinTimes[last] === time) {
      this.joinCounts[last] = (this.joinCounts[last] ?? 0) + 1;
      this.joinMeasured[last] = (this.joinMeasured[last] ?? 0) + measured;
    } else {
      this.joinTimes = withRoomFor(this.joinTimes, this.joined);
      this.joinCounts = withRoomFor(this.joinCounts, this.joined);
      this.joinMeasured = withRoomFor(this.joinMeasured, this.joined);
      this.joinTimes[this.joined] = time;
      this.joinCounts[this.joined] = 1;
      this.joinMeasured[this.joined] = measured;
      this.joined++;
    }
    sequence.tokenTime = time;
    sequence.tokenGroup = this.group;
  }

  /** A recompute prefill of a preempted sequence produced its next token at `time`. */
  recomputed(sequence: Sequence, time: number): void {
    if (sequence.measured) this.histogram.add(time - sequence.tokenTime, 1);
    this.join(sequence, time);
  }

  /** A sequence leaves the decoding set (finished or preempted); its latest token time stays on it. */
  leave(sequence: Sequence): void {
    if (sequence.tokenGroup !== this.group) {
      sequence.tokenTime = this.decodedAt;
    } else {
      for (let index = this.joined - 1; index >= 0; index--) {
        if (this.joinTimes[index] !== sequence.tokenTime || this.joinCounts[index] === 0) continue;
        this.joinCounts[index] = (this.joinCounts[index] ?? 0) - 1;
        if (sequence.measured) this.joinMeasured[index] = (this.joinMeasured[index] ?? 0) - 1;
        break;
      }
      // Keep the list short when no decode step comes (e.g. one-token outputs finish at prefill).
      while (this.joined > 0 && this.joinCounts[this.joined - 1] === 0) this.joined--;
    }
    sequence.tokenGroup = -1;
  }

  /** `measured` of the decoding sequences each produced a token at `time` (one decode step). */
  decodeStep(time: number, measured: number): void {
    let remaining = measured;
    for (let index = 0; index < this.joined && remaining > 0; index++) {
      const gapCount = Math.min(this.joinMeasured[index] ?? 0, remaining);
      if (gapCount > 0) this.histogram.add(time - (this.joinTimes[index] ?? 0), gapCount);
      remaining -= gapCount;
    }
    this.joined = 0;
    if (remaining > 0) this.histogram.add(time - this.decodedAt, remaining);
    this.decodedAt = time;
    this.group++;
  }
}
