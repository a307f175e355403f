import type { ParsedConfig } from './config-schema';
import type { ConfigIssue } from './errors';
import type { ResolvedModelSpec } from './model-spec';
import { resolveModel } from './resolve-model';
import type { ResolvedSpeculativeSpec } from './speculative-spec';

const PATH = 'speculativeSpec';

/**
 * The speculative-decoding section with its acceptance rate per position and its draft model
 * resolved; undefined (with issues recorded) when it is inconsistent: a draft model missing for
 * `draft-model` or given for another method, or a rate list of the wrong length.
 */
export function resolveSpeculative(
  input: NonNullable<ParsedConfig['speculativeSpec']>,
  target: ResolvedModelSpec | undefined,
  issues: ConfigIssue[],
): ResolvedSpeculativeSpec | undefined {
  const k = input.numSpeculativeTokens;
  const given = input.acceptanceRate;
  if (Array.isArray(given) && given.length !== k) {
    issues.push({
      code: 'invalid_value',
      path: `${PATH}.acceptanceRate`,
      message: `has ${given.length} rates for numSpeculativeTokens ${k}: give one per draft position, or one number for all.`,
    });
    return undefined;
  }
  const acceptanceRates = Array.isArray(given) ? given : Array.from({ length: k }, () => given);
  if (input.method !== 'draft-model') {
    if (input.draftModelSpec !== undefined) {
      issues.push({
        code: 'invalid_value',
        path: `${PATH}.draftModelSpec`,
        message: `is used by method "draft-model" only; "${input.method}" drafts without one. Remove draftModelSpec, or set method: "draft-model".`,
      });
      return undefined;
    }
    return { method: input.method, numSpeculativeTokens: k, acceptanceRates };
  }
  if (input.draftModelSpec === undefined) {
    issues.push({
      code: 'invalid_value',
      path: `${PATH}.draftModelSpec`,
      message:
        'is required by method "draft-model": name the draft model (e.g. { name: "llama-3.2-1b" } or a geometry).',
    });
    return undefined;
  }
  const draftIssues: ConfigIssue[] = [];
  const draftModelSpec = resolveModel(input.draftModelSpec, draftIssues);
  for (const issue of draftIssues)
    issues.push({ ...issue, path: issue.path.replace(/^modelSpec/, `${PATH}.draftModelSpec`) });
  if (draftModelSpec === undefined) return undefined;
  if (target !== undefined && draftModelSpec.nParams >= target.nParams)
    issues.push({
      code: 'invalid_value',
      path: `${PATH}.draftModelSpec`,
      message: `${draftModelSpec.name} (${(draftModelSpec.nParams / 1e9).toFixed(1)}B) is not smaller than ${target.name} (${(target.nParams / 1e9).toFixed(1)}B): a draft model must be cheaper than the target.`,
    });
  return { method: input.method, numSpeculativeTokens: k, acceptanceRates, draftModelSpec };
}
