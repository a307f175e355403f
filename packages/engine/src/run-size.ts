import type { DecodeLinearCost, PerfModel } from '@sim/perf-model';
import { ConfigError, type ResolvedConfig } from '@sim/specs';
import type { WorkloadSource } from './workload-source';

/** Rough simulation speed used to tell users what a refused run would cost (`pnpm bench`: 1M requests in a few seconds). */
const REQUESTS_PER_SECOND_OF_COMPUTE = 150_000;

function computeTime(seconds: number): string {
  if (seconds < 120) return `${seconds.toFixed(0)} s`;
  if (seconds < 7200) return `${(seconds / 60).toFixed(0)} minutes`;
  if (seconds < 172_800) return `${(seconds / 3600).toFixed(0)} hours`;
  if (seconds < 63_072_000) return `${(seconds / 86_400).toFixed(0)} days`;
  return `${(seconds / 31_536_000).toPrecision(2)} years`;
}

/** What {@link checkRunSize} estimates from. */
export interface RunSizeInput {
  readonly config: ResolvedConfig;
  readonly perf: PerfModel;
  readonly source: Pick<WorkloadSource, 'plannedRequests' | 'expectedArrivals'>;
  /** The perf model's linear decode cost for a number of decoding sequences. */
  decodeCost(sequences: number): DecodeLinearCost;
  /** Most requests a run may simulate (RunOptions.maxRequests). */
  readonly limit: number;
}

/**
 * Refuses runs whose expected request count exceeds the request limit: open loop, the arrival rate times
 * the duration (or numRequests, or the trace); closed loop, numRequests or each client's requests
 * over the duration at one request per (think time + a lower bound of its service time). The
 * same limit bounds the requests actually simulated (see `handleArrival`).
 */
export function checkRunSize(run: RunSizeInput): void {
  const { limit, perf, source } = run;
  const { workloadSpec: workload, simulationDurationS: duration, schedulerSpec } = run.config;
  const candidates: { expected: number; path: string; basis: string; fix: string }[] = [];
  if (workload.numRequests !== undefined)
    candidates.push({
      expected: workload.numRequests,
      path: 'workloadSpec.numRequests',
      basis: `numRequests ${workload.numRequests.toLocaleString('en-US')}`,
      fix: 'Lower numRequests',
    });
  const traceRows = source.plannedRequests;
  if (workload.arrivalProcess === 'trace' && traceRows !== undefined)
    candidates.push({
      expected: traceRows,
      path: 'workloadSpec.traceFile',
      basis: `the trace's ${traceRows.toLocaleString('en-US')} requests`,
      fix: 'Set workloadSpec.numRequests or simulationDurationS to replay part of the trace',
    });
  if (workload.arrivalProcess === 'closed-loop') {
    const batch = Math.max(1, Math.min(workload.concurrency, schedulerSpec.maxBatchSize));
    const cost = run.decodeCost(batch);
    const context = batch * (workload.avgInputLength + workload.avgOutputLength / 2);
    const step = perf.iterationWallTime(
      perf.cpuOverhead(batch),
      cost.fixedS + cost.perContextTokenS * context,
    );
    const perRequest = workload.thinkTimeS + workload.avgOutputLength * step;
    candidates.push({
      expected: (workload.concurrency * duration) / Math.max(perRequest, 1e-9),
      path: 'simulationDurationS',
      basis: `${workload.concurrency} clients for ${duration} s at about ${perRequest.toPrecision(3)} s per request`,
      fix: 'Shorten simulationDurationS or set workloadSpec.numRequests',
    });
  } else if (workload.stages !== undefined) {
    candidates.push({
      expected: source.expectedArrivals(duration),
      path: 'workloadSpec.stages',
      basis: `Σ rate × duration over ${workload.stages.length} load stage${workload.stages.length === 1 ? '' : 's'}${Number.isFinite(duration) ? ` within ${duration} s` : ''}`,
      fix: 'Shorten or slow the stages, or set workloadSpec.numRequests',
    });
  } else if (workload.arrivalProcess !== 'trace') {
    candidates.push({
      expected: workload.arrivalRate * duration,
      path: 'simulationDurationS',
      basis: `${workload.arrivalRate} req/s for ${duration} s`,
      fix: 'Shorten simulationDurationS or set workloadSpec.numRequests',
    });
  }
  let bound: (typeof candidates)[number] | undefined;
  for (const candidate of candidates)
    if (bound === undefined || candidate.expected < bound.expected) bound = candidate;
  if (bound === undefined || !(bound.expected > limit)) return;
  throw new ConfigError([
    {
      code: 'run_too_large',
      path: bound.path,
      message: `this run would simulate about ${bound.expected.toPrecision(3)} requests (${bound.basis}), more than the limit of ${limit.toLocaleString('en-US')} (continuous batching simulates roughly ${REQUESTS_PER_SECOND_OF_COMPUTE.toLocaleString('en-US')} requests per second of computing, so this would take ${computeTime(bound.expected / REQUESTS_PER_SECOND_OF_COMPUTE)} or more; pipeline parallelism, static batching and long outputs are slower). ${bound.fix}, or raise the limit (run option maxRequests; llm-sim run or compare --max-requests N).`,
    },
  ]);
}

/**
 * The limit on requests actually simulated, for estimates the up-front check cannot make: the run
 * reached `arrived` requests by `now` (a closed loop whose rejected requests come straight back).
 */
export function tooManyRequests(run: {
  readonly config: ResolvedConfig;
  readonly limit: number;
  readonly arrived: number;
  readonly rejected: number;
  readonly now: number;
  readonly kvTokensPerEngine: number;
}): ConfigError {
  const closedLoop = run.config.workloadSpec.arrivalProcess === 'closed-loop';
  const rejectedLoop = closedLoop && run.rejected > 0.9 * run.arrived;
  return new ConfigError([
    {
      code: 'run_too_large',
      path: rejectedLoop ? 'workloadSpec.thinkTimeS' : 'simulationDurationS',
      message: rejectedLoop
        ? `the run reached ${run.arrived.toLocaleString('en-US')} requests by ${run.now.toPrecision(3)} simulated seconds because ${run.rejected.toLocaleString('en-US')} of them were rejected (longer than the model context or than the whole KV cache, ${run.kvTokensPerEngine} tokens) and each closed-loop client sends its next request at once. Make the requests fit (shorter lengths, more memory or TP) or give the clients a thinkTimeS.`
        : `the run reached ${run.arrived.toLocaleString('en-US')} requests by ${run.now.toPrecision(3)} simulated seconds, more than the limit of ${run.limit.toLocaleString('en-US')}. Shorten simulationDurationS or set workloadSpec.numRequests, or raise the limit (run option maxRequests; llm-sim run or compare --max-requests N).`,
    },
  ]);
}
