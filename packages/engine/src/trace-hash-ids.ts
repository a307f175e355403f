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
