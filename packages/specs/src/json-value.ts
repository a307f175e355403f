/** Whether a value (parsed JSON, a thrown value) is an object whose properties can be read: not null. */
export function isIndexable(value: unknown): value is Readonly<Record<PropertyKey, unknown>> {
  return typeof value === 'object' && value !== null;
}

/** Whether parsed JSON is an object (not null, not an array). */
export function isJsonObject(value: unknown): value is Readonly<Record<string, unknown>> {
  return isIndexable(value) && !Array.isArray(value);
}

/** Whether `value` is one of `options` (narrows a string to a union of names). */
export function isOneOf<T extends string>(options: readonly T[], value: unknown): value is T {
  return options.some((option) => option === value);
}

/** The message of a thrown value (an Error's message, else the value as a string). */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
