import { Sequence } from '@sim/scheduler';
import type { ResolvedDisaggregation } from '@sim/specs';
import { Samples } from './distribution';
import type { EventQueue } from './event-queue';
import type { RequestLedger } from './request-ledger';
import { type RunEvent, TRANSFER } from './run-events';
import { kvTransferSeconds, type ServingPool } from './serving-pool';
import { leastLoadedEngine } from './virtual-engine';

/**
 * Disaggregated serving's hand-over (`config.disaggregation`): a request's prefill instance computes
 * its prompt and first token (its scheduler sees a one-token request); then a decode instance is
 * chosen (the decode pool's router), the KV cache moves (`kvTransferSeconds`) and, when it has
 * arrived, the decode instance takes the request over with the KV already in place
 * (`BatchingPolicy.enqueueTransferred`) and generates the rest. The prefill instance frees the
 * request's KV blocks at its first token (the transfer reads them meanwhile: not modelled).
 */
export class KvHandover {
  private readonly disaggregation: ResolvedDisaggregation;
  private readonly prefill: ServingPool;
  private readonly decode: ServingPool;
  private readonly layers: number;
  private readonly queue: EventQueue<RunEvent>;
  private readonly ledger: RequestLedger;
  /** Output tokens each request in its prefill asked for, by id. */
  private readonly outputs = new Map<number, number>();
  /** Requests handed over whose decode instance has not admitted them yet (their KV on its way or waiting for blocks). */
  private readonly awaiting = new Set<number>();
  private readonly transferTimes = new Samples();
  /** Time integral of the prefill pool's waiting requests and of `awaiting`, and when last integrated. */
  private prefillWaitingIntegral = 0;
  private decodeWaitingIntegral = 0;
  private lastObservation = 0;

  constructor(
    disaggregation: ResolvedDisaggregation,
    prefill: ServingPool,
    decode: ServingPool,
    layers: number,
    run: { readonly queue: EventQueue<RunEvent>; readonly ledger: RequestLedger },
  ) {
    this.disaggregation = disaggregation;
    this.prefill = prefill;
    this.decode = decode;
    this.layers = layers;
    this.queue = run.queue;
    this.ledger = run.ledger;
  }

  /** The prefill pool's sequence for a request: its prompt and first token only (its output is remembered). */
  prefillSequence(sequence: Sequence): Sequence {
    this.outputs.set(sequence.id, sequence.outputTokens);
    const prefill = new Sequence(sequence.id, sequence.arrivalTime, sequence.inputTokens, 1);
    prefill.measured = sequence.measured;
    prefill.prefixGroup = sequence.prefixGroup;
    prefill.sharedPrefixTokens = sequence.sharedPrefixTokens;
    prefill.promptKey = sequence.promptKey;
    prefill.hashIds = sequence.hashIds;
    prefill.hashBlockTokens = sequence.hashBlockTokens;
    prefill.sessionContextTokens = sequence.sessionContextTokens;
    return prefill;
  }

  /**
   * A request's prefill finished at `time` (its first token): undefined when it wanted only that
   * token (it is complete: the caller finishes it); otherwise it is handed over (its decode
   * instance chosen, its KV transfer queued) and the decode pool's sequence is returned.
   */
  handOver(prefilled: Sequence, time: number): Sequence | undefined {
    const output = this.outputs.get(prefilled.id) ?? 1;
    this.outputs.delete(prefilled.id);
    if (output <= 1) return undefined;
    const sequence = new Sequence(prefilled.id, prefilled.arrivalTime, prefilled.inputTokens, output);
    sequence.measured = prefilled.measured;
    sequence.generated = 1;
    sequence.firstTokenTime = prefilled.firstTokenTime;
    sequence.firstScheduledTime = prefilled.firstScheduledTime;
    sequence.cachedPromptTokens = prefilled.cachedPromptTokens;
    sequence.sessionContextTokens = prefilled.sessionContextTokens;
    // The KV of the prompt arrives; the first token's own KV is computed by the next decode step.
    sequence.swappedKvLength = prefilled.inputTokens;
    // Its next token's gap counts from the first token (transfer and admission included).
    sequence.tokenTime = prefilled.firstTokenTime;
    const decode = this.decode;
    const index = decode.router.pick(decode.replicas, prefilled, time);
    const replica = decode.replicas[index];
    if (replica === undefined) throw new Error(`internal: no decode replica ${index}`);
    replica.outstanding++;
    replica.routed++;
    this.ledger.route(sequence.id, decode.offset + index);
    const delay = kvTransferSeconds(
      this.prefill.perf,
      this.disaggregation,
      prefilled.inputTokens,
      prefilled.firstTokenTime - prefilled.firstScheduledTime,
      this.layers,
    );
    if (sequence.measured) this.transferTimes.push(delay);
    this.awaiting.add(sequence.id);
    const engine = leastLoadedEngine(replica);
    this.queue.push(time + delay, TRANSFER, { kind: TRANSFER, sequence, engine });
    return sequence;
  }

  /** A decode instance admitted a sequence (a swap-in): a handed-over one stops waiting. */
  admitted(sequence: Sequence): void {
    this.awaiting.delete(sequence.id);
  }

  /** Integrates the pools' waiting requests (the prefill pool's `prefillWaiting`) up to `time`. */
  observe(time: number, prefillWaiting: number): void {
    if (time <= this.lastObservation) return;
    const span = time - this.lastObservation;
    this.prefillWaitingIntegral += prefillWaiting * span;
    this.decodeWaitingIntegral += this.awaiting.size * span;
    this.lastObservation = time;
  }

  /** Seconds each measured handed-over request's KV transfer added. */
  get transfers(): Samples {
    return this.transferTimes;
  }

  /** Time-averaged waiting requests over [0, duration]: prefill pool, decode pool. */
  meanWaiting(duration: number): { readonly prefill: number; readonly decode: number } {
    return duration > 0
      ? { prefill: this.prefillWaitingIntegral / duration, decode: this.decodeWaitingIntegral / duration }
      : { prefill: 0, decode: 0 };
  }
}
