/**
 * The llm-sim error family. Every error the simulator throws on purpose is a {@link SimError}
 * with a machine-readable {@link SimErrorCode}; bad configuration is always a {@link ConfigError}
 * listing every problem found, each with its field path and how to fix it.
 */

/** Machine-readable error codes, stable across versions. */
export type SimErrorCode =
  /** The configuration (or a file it names) is invalid; see {@link ConfigError.issues}. */
  | 'INVALID_CONFIG'
  /** The model weights do not fit in GPU memory with the chosen parallelism. */
  | 'OUT_OF_MEMORY'
  /** A run was cancelled through its AbortSignal. */
  | 'ABORTED'
  /** A bug in the simulator: an internal invariant did not hold. */
  | 'INTERNAL';

/** Base class of every error llm-sim throws on purpose. */
export class SimError extends Error {
  /** Machine-readable code. */
  readonly code: SimErrorCode;

  constructor(code: SimErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'SimError';
    this.code = code;
  }
}

/** Machine-readable kinds of configuration problems. */
export type ConfigIssueCode =
  | 'invalid_type'
  | 'invalid_value'
  | 'not_positive'
  | 'not_finite'
  | 'out_of_range'
  | 'unknown_key'
  | 'missing_field'
  | 'unknown_preset'
  | 'tp_heads'
  | 'pp_layers'
  | 'gpu_count'
  | 'input_too_long'
  | 'file_not_found'
  | 'file_malformed'
  /** A config names a file, and this runtime has no file reader (see `setFileReader`). */
  | 'no_file_access'
  | 'trace_missing'
  | 'trace_malformed'
  | 'trace_unused'
  | 'run_too_large';

/** One problem found in a configuration. */
export interface ConfigIssue {
  /** Machine-readable kind of problem. */
  readonly code: ConfigIssueCode;
  /** Dotted path of the offending field, e.g. `parallelismSpec.tensorParallelSize` ('' for the root). */
  readonly path: string;
  /** What is wrong and how to fix it, in one or two sentences. */
  readonly message: string;
}

/** Thrown when a configuration is invalid. Lists every problem, not just the first. */
export class ConfigError extends SimError {
  /** Every problem found, in field order. Never empty. */
  readonly issues: readonly ConfigIssue[];

  constructor(issues: readonly ConfigIssue[], options?: { cause?: unknown }) {
    super('INVALID_CONFIG', formatIssues(issues), options);
    this.name = 'ConfigError';
    this.issues = issues;
  }

  /** The path of the first issue (convenient when only one field is wrong). */
  get path(): string {
    return this.issues[0]?.path ?? '';
  }
}

/** Thrown when the model weights do not fit on the GPUs. Carries the numbers. */
export class OutOfMemoryError extends SimError {
  /** Bytes of weights each GPU must hold. */
  readonly weightBytesPerGpu: number;
  /** Bytes each GPU may use (memory size × gpuMemoryUtilization). */
  readonly usableBytesPerGpu: number;

  constructor(message: string, weightBytesPerGpu: number, usableBytesPerGpu: number) {
    super('OUT_OF_MEMORY', message);
    this.name = 'OutOfMemoryError';
    this.weightBytesPerGpu = weightBytesPerGpu;
    this.usableBytesPerGpu = usableBytesPerGpu;
  }
}

function formatIssues(issues: readonly ConfigIssue[]): string {
  const lines = issues.map((issue) => `  - ${issue.path === '' ? '(config)' : issue.path}: ${issue.message}`);
  return `Invalid configuration (${issues.length} problem${issues.length === 1 ? '' : 's'}):\n${lines.join('\n')}`;
}

/** True when `error` is a {@link SimError} (works across package copies, by `code` and `name`). */
export function isSimError(error: unknown): error is SimError {
  return error instanceof SimError;
}
