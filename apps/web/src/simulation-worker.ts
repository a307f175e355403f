import {
  asUnvalidatedConfig,
  ConfigError,
  createRandomStreams,
  enumerateCandidates,
  evaluateCandidate,
  LLMInferenceSimulator,
  latencyCdfs,
  type PlanRequest,
  rankCandidates,
  SimError,
  type SimulatorConfig,
  WorkloadSource,
} from '@sim/engine';
import { type JsonObject, setPath } from './config-path';
import {
  firstRequestOf,
  type PlanSpec,
  type RunResult,
  type SweepPoint,
  type SweepSpec,
  type WorkerRequest,
  type WorkerResponse,
} from './worker-protocol';

/*
 * The simulation worker: runs @sim/engine off the page's thread, in chunks (runAsync yields between
 * them), so the page stays responsive and a cancel message is handled between chunks.
 */

/** Runs expected to complete more requests than this skip per-request records (the CDFs then come from the summary). */
const RECORD_LIMIT = 200_000;

const running = new Map<number, AbortController>();

function post(response: WorkerResponse): void {
  postMessage(response);
}

/**
 * The page's config (built from form fields and links) as the engine's input: not validated yet;
 * `LLMInferenceSimulator` validates it (resolveConfig) and throws a ConfigError naming each bad field.
 */
const simulatorConfig: (config: JsonObject) => SimulatorConfig = asUnvalidatedConfig;

async function run(
  config: JsonObject,
  signal: AbortSignal,
  onProgress: (fraction: number) => void,
): Promise<RunResult> {
  const simulator = new LLMInferenceSimulator(simulatorConfig(config));
  const resolved = simulator.resolvedConfig();
  // The engine's own estimate of the run's requests (numRequests, or the open-loop arrivals over the
  // duration, load stages included; NaN for a closed loop without numRequests: not recorded).
  const source = new WorkloadSource(resolved, createRandomStreams(resolved.seed));
  const expected = source.plannedRequests ?? source.expectedArrivals(resolved.simulationDurationS);
  const recordRequests = expected <= RECORD_LIMIT;
  const started = performance.now();
  const metrics = await simulator.runAsync({
    signal,
    recordRequests,
    onProgress: (progress) => onProgress(progress.fraction),
  });
  return {
    statistics: metrics.computeStatistics(),
    resolvedConfig: metrics.config,
    timeSeries: metrics.timeSeries(),
    cdfs: recordRequests ? latencyCdfs(metrics.requestRecords()) : undefined,
    elapsedMs: performance.now() - started,
  };
}

async function sweep(
  config: JsonObject,
  spec: SweepSpec,
  signal: AbortSignal,
  onProgress: (fraction: number) => void,
): Promise<SweepPoint[]> {
  const points: SweepPoint[] = [];
  for (const [index, value] of spec.values.entries()) {
    const result = await run(setPath(config, spec.path, value), signal, (fraction) =>
      onProgress((index + fraction) / spec.values.length),
    );
    points.push({ value, statistics: result.statistics });
  }
  return points;
}

async function plan(
  config: JsonObject,
  spec: PlanSpec,
  signal: AbortSignal,
  onProgress: (fraction: number) => void,
) {
  const request: PlanRequest = {
    base: simulatorConfig(config),
    targetRate: spec.targetRate,
    ttftP99S: spec.ttftP99S,
    ...(spec.tpotP99S === undefined ? {} : { tpotP99S: spec.tpotP99S }),
    gpus: spec.gpus,
    maxGpus: spec.maxGpus,
  };
  const { candidates } = enumerateCandidates(request);
  const evaluations = [];
  for (const [index, candidate] of candidates.entries()) {
    if (signal.aborted) throw new SimError('ABORTED', 'The simulation was aborted.');
    evaluations.push(evaluateCandidate(request, candidate));
    onProgress((index + 1) / candidates.length);
    await new Promise((resolve) => setTimeout(resolve, 0));
  }
  return rankCandidates(request, evaluations);
}

async function handle(request: Exclude<WorkerRequest, { kind: 'cancel' }>): Promise<void> {
  const { id } = request;
  const controller = new AbortController();
  running.set(id, controller);
  const onProgress = (fraction: number) => post({ kind: 'progress', id, fraction });
  try {
    if (request.kind === 'run')
      post({ kind: 'run-result', id, result: await run(request.config, controller.signal, onProgress) });
    else if (request.kind === 'sweep')
      post({
        kind: 'sweep-result',
        id,
        points: await sweep(request.config, request.sweep, controller.signal, onProgress),
      });
    else
      post({
        kind: 'plan-result',
        id,
        result: await plan(request.config, request.plan, controller.signal, onProgress),
      });
  } catch (error) {
    if (error instanceof SimError && error.code === 'ABORTED') post({ kind: 'cancelled', id });
    else if (error instanceof ConfigError)
      post({ kind: 'error', id, message: error.message, issues: error.issues });
    else post({ kind: 'error', id, message: error instanceof Error ? error.message : String(error) });
  } finally {
    running.delete(id);
  }
}

addEventListener('message', (event: MessageEvent<WorkerRequest>) => {
  const request = event.data;
  if (request.kind === 'cancel') running.get(request.id)?.abort();
  else void handle(request);
});
post({ kind: 'ready', id: 0 });
// The page's first run, given in the worker's name so that it starts without a message from the page.
const firstRequest = firstRequestOf(self.name);
if (firstRequest !== undefined && firstRequest.kind !== 'cancel') void handle(firstRequest);
