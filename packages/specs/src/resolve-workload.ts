import { LENGTH_DISTRIBUTION_DEFAULTS, WORKLOAD_DEFAULTS } from './config-defaults';
import type { ParsedLengthDistribution, ParsedWorkloadSpec } from './config-schema';
import type { ConfigIssue } from './errors';
import { getFileReader, noFileAccessIssue } from './file-reader';
import type { ResolvedSchedulerSpec } from './scheduler-spec';
import { TRACE_COLUMNS, traceHasArrivalTimes } from './trace-file';
import type {
  LengthDistribution,
  LengthDistributionInput,
  PrefixSharing,
  ResolvedWorkloadSpec,
  Sessions,
} from './workload-spec';

/** Fills a length distribution's default parameters. */
export function resolveLengthDistribution(
  input: LengthDistributionInput | ParsedLengthDistribution | undefined,
  traceFile?: string,
): LengthDistribution {
  const value =
    typeof input === 'string' ? { type: input } : (input ?? { type: WORKLOAD_DEFAULTS.lengthDistribution });
  switch (value.type) {
    case 'fixed':
      return { type: 'fixed' };
    case 'uniform':
      return {
        type: 'uniform',
        spread: ('spread' in value ? value.spread : undefined) ?? LENGTH_DISTRIBUTION_DEFAULTS.uniform.spread,
      };
    case 'normal':
      return {
        type: 'normal',
        cv: ('cv' in value ? value.cv : undefined) ?? LENGTH_DISTRIBUTION_DEFAULTS.normal.cv,
      };
    case 'lognormal':
      return {
        type: 'lognormal',
        cv: ('cv' in value ? value.cv : undefined) ?? LENGTH_DISTRIBUTION_DEFAULTS.lognormal.cv,
      };
    case 'zipf':
      return {
        type: 'zipf',
        exponent:
          ('exponent' in value ? value.exponent : undefined) ?? LENGTH_DISTRIBUTION_DEFAULTS.zipf.exponent,
      };
    case 'empirical':
      return { type: 'empirical', file: ('file' in value ? value.file : undefined) ?? traceFile ?? '' };
  }
}

export function resolveWorkload(
  input: ParsedWorkloadSpec,
  scheduler: ResolvedSchedulerSpec,
  issues: ConfigIssue[],
): ResolvedWorkloadSpec {
  const traceFile = input.traceFile;
  const explicitArrival = input.arrivalProcess;
  const lengthInput = input.lengthDistribution;
  const reader = getFileReader();
  const traceReadable = traceFile !== undefined && reader?.exists(traceFile) === true;
  const traceTimes = traceReadable && traceHasArrivalTimes(traceFile);
  // A trace is always used: its times drive arrivals when it has them and no other process is
  // chosen; otherwise its (input, output) pairs are the length distribution.
  const arrivalProcess = explicitArrival ?? (traceTimes ? 'trace' : WORKLOAD_DEFAULTS.arrivalProcess);
  const lengthDistribution = resolveLengthDistribution(
    lengthInput ?? (traceFile !== undefined && arrivalProcess !== 'trace' ? 'empirical' : undefined),
    traceFile,
  );
  if (
    traceFile !== undefined &&
    arrivalProcess !== 'trace' &&
    !(lengthDistribution.type === 'empirical' && lengthDistribution.file === traceFile)
  ) {
    issues.push({
      code: 'trace_unused',
      path: 'workloadSpec.traceFile',
      message: `is not used: arrivalProcess "${arrivalProcess}" sets the arrival times and lengthDistribution "${lengthDistribution.type}" the lengths. Remove traceFile, set arrivalProcess: "trace" to replay it, or lengthDistribution: "empirical" to draw lengths from it.`,
    });
  }
  if (
    arrivalProcess === 'trace' &&
    lengthInput !== undefined &&
    !(lengthDistribution.type === 'empirical' && lengthDistribution.file === traceFile)
  ) {
    issues.push({
      code: 'trace_unused',
      path: 'workloadSpec.lengthDistribution',
      message: `is not used: a trace replay takes each request's lengths from the trace. Remove lengthDistribution, or choose an arrivalProcess (e.g. "poisson" with an arrivalRate) to generate arrivals with these lengths.`,
    });
  }
  if (arrivalProcess === 'trace' && traceReadable && !traceTimes) {
    issues.push({
      code: 'trace_malformed',
      path: 'workloadSpec.arrivalProcess',
      message: `"trace" needs arrival times, and ${traceFile} has no arrival-time column (${TRACE_COLUMNS.arrivalTime.join('/')}). Leave arrivalProcess out (or set "poisson" with an arrivalRate) to replay its lengths with generated arrivals.`,
    });
  }
  if (arrivalProcess === 'trace' && traceFile === undefined) {
    issues.push({
      code: 'trace_missing',
      path: 'workloadSpec.traceFile',
      message:
        'arrivalProcess "trace" needs a traceFile (CSV with arrival time, input tokens, output tokens).',
    });
  }
  if (lengthDistribution.type === 'empirical' && lengthDistribution.file === '') {
    issues.push({
      code: 'trace_missing',
      path: 'workloadSpec.lengthDistribution.file',
      message:
        'an empirical length distribution needs a file (or the workload traceFile) with input and output token columns.',
    });
  }
  for (const [path, file] of [
    ['workloadSpec.traceFile', traceFile],
    [
      'workloadSpec.lengthDistribution.file',
      lengthDistribution.type === 'empirical' && lengthDistribution.file !== traceFile
        ? lengthDistribution.file
        : undefined,
    ],
  ] as const) {
    if (file === undefined || file === '') continue;
    if (reader === undefined) issues.push(noFileAccessIssue(file, path));
    else if (!reader.exists(file)) {
      issues.push({
        code: 'trace_missing',
        path,
        message: `file "${file}" does not exist. Check the path (relative paths are resolved from the config file's folder, or the working directory for API calls).`,
      });
    }
  }
  const workload: ResolvedWorkloadSpec = {
    avgInputLength: input.avgInputLength ?? WORKLOAD_DEFAULTS.avgInputLength,
    avgOutputLength: input.avgOutputLength ?? WORKLOAD_DEFAULTS.avgOutputLength,
    arrivalRate: input.arrivalRate ?? WORKLOAD_DEFAULTS.arrivalRate,
    arrivalProcess,
    burstinessCv: input.burstinessCv ?? WORKLOAD_DEFAULTS.burstinessCv,
    concurrency: input.concurrency ?? WORKLOAD_DEFAULTS.concurrency,
    thinkTimeS: input.thinkTimeS ?? WORKLOAD_DEFAULTS.thinkTimeS,
    lengthDistribution,
    traceTimeScale: input.traceTimeScale ?? WORKLOAD_DEFAULTS.traceTimeScale,
    ...(input.numRequests === undefined ? {} : { numRequests: input.numRequests }),

    ...(traceFile === undefined
      ? {}
      : {
          traceFile,
          traceHashBlockTokens: input.traceHashBlockTokens ?? WORKLOAD_DEFAULTS.traceHashBlockTokens,
        }),
    ...(input.requestTimeoutS === undefined ? {} : { requestTimeoutS: input.requestTimeoutS }),
    abortOnTimeout: input.abortOnTimeout ?? WORKLOAD_DEFAULTS.abortOnTimeout,
    ...(input.prefixSharing === undefined
      ? {}
      : { prefixSharing: resolvePrefixSharing(input.prefixSharing) }),
    ...(input.stages === undefined ? {} : { stages: input.stages }),
    ...(input.sessions === undefined ? {} : { sessions: resolveSessions(input.sessions) }),
  };
  if (workload.sessions !== undefined) {
    if (arrivalProcess === 'closed-loop' || arrivalProcess === 'trace')
      issues.push({
        code: 'invalid_value',
        path: 'workloadSpec.sessions',
        message: `sessions start with open-loop arrivals (arrivalRate new sessions per second); arrivalProcess "${arrivalProcess}" has none. Use arrivalProcess "poisson" (or another open-loop process), or remove sessions.`,
      });
    if (workload.prefixSharing?.promptsPerGroup !== undefined)
      issues.push({
        code: 'invalid_value',
        path: 'workloadSpec.prefixSharing.promptsPerGroup',
        message:
          "repeated prompts and sessions cannot be combined: a session's turns grow its own conversation. Remove promptsPerGroup (the groups' shared prefixes still start every session), or remove sessions.",
      });
  }
  if (workload.stages !== undefined) {
    if (input.arrivalRate !== undefined)
      issues.push({
        code: 'invalid_value',
        path: 'workloadSpec.arrivalRate',
        message:
          'is not used: with stages, each stage sets its own rate. Remove arrivalRate, or remove stages for one constant rate.',
      });
    if (arrivalProcess !== 'poisson' && arrivalProcess !== 'deterministic')
      issues.push({
        code: 'invalid_value',
        path: 'workloadSpec.arrivalProcess',
        message: `"${arrivalProcess}" cannot run in stages: stages are constant-rate. Use arrivalProcess "poisson" or "deterministic" (evenly spaced, as inference-perf's constant load), or remove stages.`,
      });
  }
  if (workload.requestTimeoutS !== undefined && scheduler.batchingType !== 'continuous')
    issues.push({
      code: 'invalid_value',
      path: 'workloadSpec.requestTimeoutS',
      message: `needs continuous batching: with batchingType "${scheduler.batchingType}" a batch runs to completion, so a request cannot be aborted mid-batch. Remove requestTimeoutS, or set schedulerSpec.batchingType: "continuous".`,
    });
  return workload;
}

/** The parsed sessions, numbers as fixed values. */
function resolveSessions(input: NonNullable<ParsedWorkloadSpec['sessions']>): Sessions {
  const { turnsPerSession: turns, thinkTimeS: think } = input;
  return {
    turnsPerSession: typeof turns === 'number' ? { type: 'fixed', value: turns } : turns,
    thinkTimeS: typeof think === 'number' ? { type: 'fixed', value: think } : think,
  };
}

/** The parsed prefix sharing, without the fields left undefined. */
function resolvePrefixSharing(input: NonNullable<ParsedWorkloadSpec['prefixSharing']>): PrefixSharing {
  const { groups, prefixLength, promptsPerGroup } = input;
  return { groups, prefixLength, ...(promptsPerGroup === undefined ? {} : { promptsPerGroup }) };
}
