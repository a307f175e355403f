/**
 * A command that ran but produced no result (e.g. every sweep point failed): its message goes to
 * stderr and the CLI exits with `exitCode` (1), without a stack trace.
 */
export class CommandFailure extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
  }
}
