/**
 * The error `action` throws, which must be an instance of `type`: another error is rethrown, and
 * nothing thrown fails with a message naming the expected type.
 */
export function thrownBy<E extends Error>(
  type: abstract new (...args: never[]) => E,
  action: () => unknown,
): E {
  try {
    action();
  } catch (error) {
    if (error instanceof type) return error;
    throw error;
  }
  throw new Error(`expected a ${type.name}, but nothing was thrown`);
}
