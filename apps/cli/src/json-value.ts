/** Whether a value (parsed YAML or JSON, a config section) is an object whose properties can be read: not null. */
export function isIndexable(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}
