/** Where the CLI writes: data to stdout, progress and warnings to stderr. Tests pass capturing functions. */
export interface Io {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  /** Whether stderr is an interactive terminal (progress bars are drawn only then). Default false. */
  readonly stderrIsTty?: boolean;
  /** Environment (NO_COLOR). Default process.env. */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/** True when colors may be used: a terminal, and NO_COLOR unset or empty (https://no-color.org). */
export function colorEnabled(io: Io): boolean {
  const env = io.env ?? process.env;
  return Boolean(io.stderrIsTty) && (env.NO_COLOR === undefined || env.NO_COLOR === '');
}

/** Writes each warning to stderr as `<prefix>warning: ...` (stdout stays data only, in every mode). */
export function writeWarnings(io: Io, warnings: readonly string[], prefix = ''): void {
  for (const warning of warnings) io.stderr(`${prefix}warning: ${warning}\n`);
}
