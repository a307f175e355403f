/**
 * The input form of a resolved spec: every field optional and writable, so configs are plain
 * object literals that can be mutated between runs, as in the quick-start
 * (`config.workloadSpec.arrivalRate = 5`).
 */
export type ConfigInput<T> = { -readonly [K in keyof T]?: T[K] };
