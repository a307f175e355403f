import type { Measurements } from './measurements';
import { readMeasurementsCsv } from './read-measurements-csv';
import { isStageSummaries, readStageSummaries } from './read-stage-summaries';
import { readVllmBenchJson } from './read-vllm-bench';
import type { StageMeasurements } from './stage-measurements';

/** Choices of {@link readMeasurements}. */
export interface ReadMeasurementsOptions {
  /** Which experiment of a stage-summary file holding several (its id, or a part naming one). */
  readonly experiment?: string;
}

/**
 * Reads a measurement file of any format: JSON with `stages` or `experiments` as stage summaries
 * ({@link readStageSummaries}), other JSON (a `.json` file, or text starting with `{`) as vLLM's
 * serving-benchmark result ({@link readVllmBenchJson}), anything else as the per-request CSV
 * ({@link readMeasurementsCsv}). Throws a MeasurementError naming the file and line or field.
 *
 * @param text the file's contents
 * @param file its name, for messages and to choose the format
 */
export function readMeasurements(
  text: string,
  file: string,
  options: ReadMeasurementsOptions = {},
): Measurements | StageMeasurements {
  const json = /\.json$/i.test(file) || text.trimStart().startsWith('{');
  if (!json) return readMeasurementsCsv(text, file);
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return readVllmBenchJson(text, file); // its reader names the JSON error
  }
  return isStageSummaries(data)
    ? readStageSummaries(text, file, options.experiment)
    : readVllmBenchJson(text, file);
}
