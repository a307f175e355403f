import type { ConfigIssue, PlanResult } from '@sim/engine';
import type { JsonObject } from './config-path';
import type {
  PlanSpec,
  RunResult,
  SweepPoint,
  SweepSpec,
  WorkerRequest,
  WorkerResponse,
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

interface Pending {
  readonly resolve: (response: WorkerResponse) => void;
  readonly onProgress: (fraction: number) => void;
}

/** The page's side of the simulation worker: one promise per task, progress callbacks, cancel. */
export class SimulationClient {
  private readonly worker: Worker;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;

  constructor() {
    this.worker = new Worker(new URL('./simulation-worker.ts', import.meta.url), { type: 'module' });
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
  }

  /** Runs one config. */
  async run(config: JsonObject, onProgress: (fraction: number) => void): Promise<RunResult> {
    const response = await this.send({ kind: 'run', id: this.nextId++, config }, onProgress);
    if (response.kind === 'run-result') return response.result;
    throw failure(response);
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
    return new Promise((resolve) => {
      this.pending.set(request.id, { resolve, onProgress });
      this.worker.postMessage(request);
    });
  }
}

function failure(response: WorkerResponse): Error {
  if (response.kind === 'cancelled') return new TaskCancelled();
  if (response.kind === 'error') return new TaskError(response.message, response.issues);
  return new TaskError(`unexpected answer from the simulation worker: ${response.kind}`);
}
