import type { ResolvedConfig, SimulationStatistics } from '@sim/engine';

/**
 * What `--json` prints for one run: every field of `computeStatistics()` at the top level (so
 * `jq .throughputTokensPerSec` works), plus `resolvedConfig`, the fully defaulted config the run
 * used (engine-profile batching defaults included).
 */
export type StatisticsJson = SimulationStatistics & { readonly resolvedConfig: ResolvedConfig };

export function statisticsJson(statistics: SimulationStatistics, config: ResolvedConfig): StatisticsJson {
  return { ...statistics, resolvedConfig: config };
}
