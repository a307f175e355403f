import { existsSync } from 'node:fs';
import { extname } from 'node:path';
import { traceHasArrivalTimes } from '@sim/specs';
import { InputError } from './input-error';
import { isIndexable } from './json-value';

/**
 * Points a config at a request trace (`--trace FILE`, a CSV or JSON Lines file of arrival time,
 * input tokens, output tokens; optionally session ids and Mooncake's hash ids). A trace with arrival times is replayed (arrivalProcess "trace"), unless `lengthsOnly`
 * (the planner searches the rate; `--rate` sets the arrivals) or the config chose another arrival
 * process; then, as for a trace without times, its (input, output) pairs become the length
 * distribution. Returns a note for stderr in that case (the file's times, if any, are not used).
 */
export function useRequestTrace(
  config: Record<string, unknown>,
  file: string,
  options: { lengthsOnly?: boolean; why?: string } = {},
): string | undefined {
  if (extname(file).toLowerCase() === '.json')
    throw new InputError(
      `--trace reads a request trace (CSV or JSON Lines: arrival time, input tokens, output tokens), and "${file}" is JSON. To write a Chrome trace of the run, use --chrome-trace ${file}.`,
    );
  if (!existsSync(file))
    throw new InputError(
      `--trace ${file}: the file does not exist (relative paths are read from ${process.cwd()}).`,
    );
  const workload = isIndexable(config.workloadSpec) ? config.workloadSpec : {};
  config.workloadSpec = workload;
  const chosen = workload.arrivalProcess;
  const times = traceHasArrivalTimes(file);
  if (times && !options.lengthsOnly && (chosen === undefined || chosen === 'trace')) {
    workload.arrivalProcess = 'trace';
    workload.traceFile = file;
    delete workload.lengthDistribution; // the replay's lengths are the trace's
    return undefined;
  }
  // Lengths only: the file is the length distribution; arrivals come from the generator.
  if (chosen === 'trace') workload.arrivalProcess = 'poisson';
  delete workload.traceFile;
  workload.lengthDistribution = { type: 'empirical', file };
  const reason =
    options.why ?? (times ? `arrivalProcess is "${chosen}"` : 'the file has no arrival-time column');
  return `note: --trace ${file}: its request lengths are used, with generated arrivals (${reason}).`;
}
