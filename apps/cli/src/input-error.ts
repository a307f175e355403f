/** A bad command-line value (not a config field): reported as bad input, exit code 2. */
export class InputError extends Error {}

/** Parses `--max-requests`: a positive number, or "Infinity" for no limit. */
export function requestLimit(value: string | undefined): { maxRequests?: number } {
  if (value === undefined) return {};
  if (/^inf(inity)?$/i.test(value)) return { maxRequests: Number.POSITIVE_INFINITY };
  return { maxRequests: positiveNumber(value, '--max-requests') };
}

/** Parses a positive number flag, or throws an InputError naming the flag. */
export function positiveNumber(value: string, flag: string): number {
  const number = Number(value);
  if (!Number.isFinite(number) || number <= 0)
    throw new InputError(`${flag} must be a positive number, got "${value}".`);
  return number;
}

/** Parses a whole-number flag of at least 1, or throws an InputError naming the flag (0.5 is not 0). */
export function positiveInteger(value: string, flag: string): number {
  const number = Number(value);
  if (!Number.isInteger(number) || number < 1)
    throw new InputError(`${flag} must be a whole number of at least 1, got "${value}".`);
  return number;
}
