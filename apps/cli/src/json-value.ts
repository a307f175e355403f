/** Whether a value (parsed YAML or JSON, a config section) is an object whose properties can be read: not null. */
export function isIndexable(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

/** The message of a thrown value (an Error's message, else the value as a string). */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
