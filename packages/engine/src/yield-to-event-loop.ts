/**
 * Resolves after the runtime has handled what else is queued (I/O, timers, UI events): a
 * `MessageChannel` message where there is one (browsers, Web Workers, Deno, Node), else
 * `setTimeout(0)`. Unlike `setImmediate` it exists everywhere, and unlike a bare `setTimeout` it
 * is not clamped to 4 ms when nested. Simulation state is only touched between yields, so runs stay
 * deterministic.
 */
export function yieldToEventLoop(): Promise<void> {
  if (typeof MessageChannel === 'function') {
    return new Promise((resolve) => {
      const { port1, port2 } = new MessageChannel();
      port1.addEventListener(
        'message',
        () => {
          port1.close();
          resolve();
        },
        { once: true },
      );
      port1.start();
      port2.postMessage(undefined);
    });
  }
  return new Promise((resolve) => setTimeout(resolve, 0));
}
