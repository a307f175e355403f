import type { ConfigIssue, PlanResult } from '@sim/engine';
import type { JsonObject } from './config-path';
import SimulationWorker from './simulation-worker?worker';
import {
  FIRST_REQUEST,
  type PlanSpec,
  type RunResult,
  type SweepPoint,
  type SweepSpec,
  WORKER_NAME,
  type WorkerRequest,
  type WorkerResponse,
} from './worker-protocol';

/** A failed task: the worker's message, and the config's problems when it was invalid. */
export class TaskError extends Error {
  readonly issues: readonly ConfigIssue[];
  constructor(message: string, issues: readonly ConfigIssue[] = []) {
    super(message);
    this.name = 'TaskError';
    this.issues = issues;
  }
}

/** A task the user cancelled. */
export class TaskCancelled extends Error {
  constructor() {
    super('cancelled');
    this.name = 'TaskCancelled';
  }
}

/**
 * A run started before the page was built (the link's config, sent to the worker as the page
 * opens): the page takes it over once, with its own progress callback.
 */
export interface FirstRun {
  /** The config it runs. */
  readonly config: JsonObject;
  /** Its result; `onProgress` receives its progress from now on. */
  take(onProgress: (fraction: number) => void): Promise<RunResult>;
}

interface Pending {
  readonly resolve: (response: WorkerResponse) => void;
  readonly onProgress: (fraction: number) => void;
}

/** The page's side of the simulation worker: one promise per task, progress callbacks, cancel. */
export class SimulationClient {
  private readonly worker: Worker;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  /** The run of the config given to the constructor, started with the worker. */
  readonly firstRun: FirstRun | undefined;

  /**
   * Starts the simulation worker. With `firstConfig` the worker runs it as soon as its script has
   * loaded: the request travels in the worker's name, so the run does not wait for the page's
   * thread to pass it a message (a page busy building itself would hold that message back).
   */
  constructor(firstConfig?: JsonObject) {
    const firstRequest: WorkerRequest | undefined =
      firstConfig === undefined ? undefined : { kind: 'run', id: this.nextId++, config: firstConfig };
    this.worker = new SimulationWorker({ name: workerName(firstRequest) });
    this.worker.addEventListener('message', (event: MessageEvent<WorkerResponse>) => {
      const response = event.data;
      if (response.kind === 'ready') {
        performance.mark('llm-sim:worker-ready');
        return;
      }
      const pending = this.pending.get(response.id);
      if (pending === undefined) return;
      if (response.kind === 'progress') pending.onProgress(response.fraction);
      else {
        this.pending.delete(response.id);
        pending.resolve(response);
      }
    });
    this.firstRun =
      firstRequest?.kind === 'run' ? this.takeOver(firstRequest.config, firstRequest.id) : undefined;
  }

  /** Runs one config. */
  async run(config: JsonObject, onProgress: (fraction: number) => void): Promise<RunResult> {
    const response = await this.send({ kind: 'run', id: this.nextId++, config }, onProgress);
    return runResultOf(response);
  }

  /** The run `id` of `config`, already sent, for the page to take over when it is built. */
  private takeOver(config: JsonObject, id: number): FirstRun {
    let progress: (fraction: number) => void = () => {};
    const result = this.answer(id, (fraction) => progress(fraction)).then(runResultOf);
    // Handled here so that a failure before the page takes the run over is not reported as unhandled.
    result.catch(() => {});
    return {
      config,
      take(onProgress) {
        progress = onProgress;
        return result;
      },
    };
  }

  /** Runs a config once per value of one parameter. */
  async sweep(
    config: JsonObject,
    sweep: SweepSpec,
    onProgress: (fraction: number) => void,
  ): Promise<SweepPoint[]> {
    const response = await this.send({ kind: 'sweep', id: this.nextId++, config, sweep }, onProgress);
    if (response.kind === 'sweep-result') return [...response.points];
    throw failure(response);
  }

  /** Searches deployments with the capacity planner. */
  async plan(
    config: JsonObject,
    plan: PlanSpec,
    onProgress: (fraction: number) => void,
  ): Promise<PlanResult> {
    const response = await this.send({ kind: 'plan', id: this.nextId++, config, plan }, onProgress);
    if (response.kind === 'plan-result') return response.result;
    throw failure(response);
  }

  /** Cancels every task in flight (each rejects with TaskCancelled). */
  cancelAll(): void {
    for (const id of this.pending.keys())
      this.worker.postMessage({ kind: 'cancel', id } satisfies WorkerRequest);
  }

  /** Whether a task is in flight. */
  get busy(): boolean {
    return this.pending.size > 0;
  }

  private send(request: WorkerRequest, onProgress: (fraction: number) => void): Promise<WorkerResponse> {
    const answer = this.answer(request.id, onProgress);
    this.worker.postMessage(request);
    return answer;
  }

  /** The worker's answer to request `id` (its progress to `onProgress` meanwhile). */
  private answer(id: number, onProgress: (fraction: number) => void): Promise<WorkerResponse> {
    return new Promise((resolve) => this.pending.set(id, { resolve, onProgress }));
  }
}

/** The worker's name: its first request, when there is one (read by the worker as it starts). */
function workerName(request: WorkerRequest | undefined): string {
  return request === undefined ? WORKER_NAME : `${WORKER_NAME}${FIRST_REQUEST}${JSON.stringify(request)}`;
}

/** A run's result, or its failure thrown. */
function runResultOf(response: WorkerResponse): RunResult {
  if (response.kind === 'run-result') return response.result;
  throw failure(response);
}

function failure(response: WorkerResponse): Error {
  if (response.kind === 'cancelled') return new TaskCancelled();
  if (response.kind === 'error') return new TaskError(response.message, response.issues);
  return new TaskError(`unexpected answer from the simulation worker: ${response.kind}`);
}
