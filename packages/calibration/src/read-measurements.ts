import type { Measurements } from './measurements';
import { readMeasurementsCsv } from './read-measurements-csv';
import { readVllmBenchJson } from './read-vllm-bench';

/**
 * Reads a measurement file of either format: a `.json` file (or text starting with `{`) as vLLM's
 * serving-benchmark result ({@link readVllmBenchJson}), anything else as the per-request CSV
 * ({@link readMeasurementsCsv}). Throws a MeasurementError naming the file and line.
 *
 * @param text the file's contents
 * @param file its name, for messages and to choose the format
 */
export function readMeasurements(text: string, file: string): Measurements {
  const json = /\.json$/i.test(file) || text.trimStart().startsWith('{');
  return json ? readVllmBenchJson(text, file) : readMeasurementsCsv(text, file);
}
