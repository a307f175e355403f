import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root. */
export const repoRoot = resolve(fileURLToPath(new URL('../..', import.meta.url)));

/** A failed check: its message says what failed and how to look into it. */
export class CheckError extends Error {}

/** Throws a CheckError with `message` unless `condition` holds. */
export function check(condition: unknown, message: string): asserts condition {
  if (!condition) throw new CheckError(message);
}

export interface RunOptions {
  readonly cwd: string;
  readonly env?: Readonly<Record<string, string>>;
  /** What the failure message calls the command (default: the command line). */
  readonly label?: string;
}

export interface RunResult {
  readonly stdout: string;
  readonly stderr: string;
}

/** Keeps the last `lines` lines of a command's output for a failure message. */
function tail(text: string, lines = 40): string {
  const all = text.trimEnd().split('\n');
  return (all.length > lines ? ['...', ...all.slice(-lines)] : all).join('\n');
}

/**
 * Runs `command args` (no shell) and resolves with its output; rejects with a CheckError that
 * shows the command, where it ran, its exit code and the end of its stdout and stderr.
 */
export function run(command: string, args: readonly string[], options: RunOptions): Promise<RunResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: { ...process.env, ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    child.on('error', (error) =>
      reject(new CheckError(`${options.label ?? command}: could not start ${command}: ${error.message}`)),
    );
    child.on('close', (code, signal) => {
      const result = { stdout: Buffer.concat(stdout).toString(), stderr: Buffer.concat(stderr).toString() };
      if (code === 0) return resolvePromise(result);
      const line = [command, ...args].join(' ');
      reject(
        new CheckError(
          [
            `${options.label ?? line}: exited ${code ?? signal}`,
            `  command: ${line}`,
            `  in:      ${options.cwd}`,
            '--- stdout (end) ---',
            tail(result.stdout),
            '--- stderr (end) ---',
            tail(result.stderr),
          ].join('\n'),
        ),
      );
    });
  });
}

/** Runs `tasks` with at most `limit` at a time; resolves with their results in order. */
export async function inParallel<T>(limit: number, tasks: readonly (() => Promise<T>)[]): Promise<T[]> {
  const results: T[] = new Array(tasks.length);
  let next = 0;
  const worker = async () => {
    while (next < tasks.length) {
      const index = next++;
      results[index] = await (tasks[index] as () => Promise<T>)();
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, tasks.length) }, worker));
  return results;
}

/** Seconds since `start` (a performance.now() reading), one decimal. */
export function secondsSince(start: number): string {
  return ((performance.now() - start) / 1000).toFixed(1);
}
