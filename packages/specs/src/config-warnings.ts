import { deriveParamCount } from './model-spec';
import type { ResolvedConfig } from './simulator-config';

/** Non-fatal observations about a resolved config (shown to the user as warnings). */
export function configWarnings(config: ResolvedConfig): string[] {
  const warnings: string[] = [];
  const { modelSpec: model, workloadSpec: workload } = config;
  if (
    workload.lengthDistribution.type === 'fixed' &&
    workload.avgInputLength + workload.avgOutputLength > model.maxContextLength
  ) {
    warnings.push(
      `${workload.avgInputLength} input + ${workload.avgOutputLength} output tokens exceed ${model.name}'s context of ${model.maxContextLength}; simulated anyway (a real server would reject or truncate these requests).`,
    );
  }
  const derived = deriveParamCount(model);
  if (Math.abs(model.nParams - derived) > 0.1 * derived) {
    warnings.push(
      `nParams ${(model.nParams / 1e9).toFixed(2)}B disagrees with ${model.name}'s geometry (${(derived / 1e9).toFixed(2)}B from hiddenSize, nLayers, heads, ffnDim, vocabSize): memory and bytes read use nParams, kernel times the geometry, so utilization figures mix the two. Fix nParams or the geometry.`,
    );
  }
  return warnings;
}
