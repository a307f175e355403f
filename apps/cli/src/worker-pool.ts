import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Tinypool } from 'tinypool';

/**
 * Maps tasks over a compiled worker module (`dist/<name>.js`, default export) on worker threads,
 * keeping the order. Falls back to `inProcess` in this thread when one worker is asked for or the
 * compiled worker does not exist (running from source, e.g. under vitest).
 */
export async function mapOnWorkers<Task, Result>(
  workerName: string,
  tasks: readonly Task[],
  inProcess: (task: Task) => Result,
  options: { workers?: number; onDone?: (done: number) => void } = {},
): Promise<Result[]> {
  const workers = Math.max(1, Math.min(options.workers ?? availableParallelism(), tasks.length));
  const file = fileURLToPath(new URL(`./${workerName}.js`, import.meta.url));
  let done = 0;
  if (workers === 1 || !existsSync(file)) {
    const results: Result[] = [];
    for (const task of tasks) {
      results.push(inProcess(task));
      options.onDone?.(++done);
    }
    return results;
  }
  const pool = new Tinypool({ filename: file, minThreads: workers, maxThreads: workers });
  try {
    return await Promise.all(
      tasks.map(async (task) => {
        // Tinypool types results as any: they are structured clones of what the worker module (compiled
        // from the same source as `inProcess`'s callers) returns for the task, so they are `Result`s.
        const result = (await pool.run(task)) as Result;
        options.onDone?.(++done);
        return result;
      }),
    );
  } finally {
    await pool.destroy();
  }
}
