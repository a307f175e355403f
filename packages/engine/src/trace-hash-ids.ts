import { ConfigError, groupDigits, type ResolvedWorkloadSpec, type Trace } from '@sim/specs';

/**
 * Checks a replayed trace's `hash_ids` against the config: they cannot be combined with
 * `prefixSharing` (both would say which prompts share what), and no request may have more ids than
 * its prompt has blocks of `hashBlockTokens` tokens (a sign that the trace's ids were made with
 * smaller blocks: `traceHashBlockTokens` is then wrong, and every hit would be overstated).
 */
export function checkTraceHashIds(
  trace: Trace,
  workload: ResolvedWorkloadSpec,
  hashBlockTokens: number,
): void {
  const { hashIdOffsets } = trace;
  if (hashIdOffsets === undefined) return;
  if (workload.prefixSharing !== undefined)
    throw new ConfigError([
      {
        code: 'invalid_value',
        path: 'workloadSpec.prefixSharing',
        message: `cannot be combined with a trace that has hash_ids (${workload.traceFile}): its ids already say which prompts share which blocks. Remove prefixSharing.`,
      },
    ]);
  const inputs = trace.inputTokens;
  for (let row = 0; row < inputs.length; row++) {
    const ids = (hashIdOffsets[row + 1] ?? 0) - (hashIdOffsets[row] ?? 0);
    const input = inputs[row] ?? 0;
    const most = Math.ceil(input / hashBlockTokens);
    if (ids <= most) continue;
    throw new ConfigError([
      {
        code: 'invalid_value',
        path: 'workloadSpec.traceHashBlockTokens',
        message: `is ${groupDigits(hashBlockTokens)} tokens, but request ${row + 1} of ${workload.traceFile} has ${ids} hash ids for a ${groupDigits(input)}-token prompt (at most ${most} at that size): its ids name about ${Math.max(1, Math.floor(input / ids))} tokens each. Set traceHashBlockTokens to the block size the trace's ids were made with.`,
      },
    ]);
  }
}

/**
 * Per request of a trace with hash ids: how many of its leading ids some other request of the trace
 * also has. Ids are chained, so those are a prefix of its ids; the blocks of the rest (its own
 * question, say) can be hit by no other request, and keying them changes no hit, eviction of a
 * shared block or routing decision, only costs time and memory: a replay without KV offload keys
 * only these. (With offload every computed block takes host memory, as in vLLM, so all are keyed.)
 */
export function sharedHashIdCounts(trace: Trace): Int32Array | undefined {
  const { hashIds, hashIdOffsets } = trace;
  if (hashIds === undefined || hashIdOffsets === undefined) return undefined;
  // A trace depends on its file alone (see trace-cache.ts): runs of one trace share its counts.
  const known = sharedCounts.get(trace);
  if (known !== undefined) return known;
  let most = -1;
  for (const id of hashIds) most = Math.max(most, id);
  const requests = new Int32Array(most + 1);
  for (const id of hashIds) requests[id] = (requests[id] ?? 0) + 1;
  const counts = new Int32Array(hashIdOffsets.length - 1);
  for (let row = 0; row < counts.length; row++) {
    const start = hashIdOffsets[row] ?? 0;
    const end = hashIdOffsets[row + 1] ?? 0;
    let shared = start;
    while (shared < end && (requests[hashIds[shared] ?? 0] ?? 0) >= 2) shared++;
    counts[row] = shared - start;
  }
  sharedCounts.set(trace, counts);
  return counts;
}

/** `sharedHashIdCounts` per parsed trace. */
const sharedCounts = new WeakMap<Trace, Int32Array>();
