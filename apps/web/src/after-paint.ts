/** How long to wait for the browser to report a paint before going on without it (ms). */
const PAINT_REPORT_TIMEOUT_MS = 1_000;

/**
 * Calls `callback` once, when elements just put in the page with `elementtiming="<identifier>"` have
 * been painted on screen: as the browser's Element Timing API reports it (Chromium), or else after
 * the next frame (the first task after the next animation frame), or after
 * {@link PAINT_REPORT_TIMEOUT_MS} at the latest (a hidden page paints nothing). Work that can wait
 * (charts, the rest of the page) thus does not compete for the CPU with the frame that shows the
 * results. Call it right after the elements are inserted, before the browser paints them.
 */
export function afterPaint(identifier: string, callback: () => void): void {
  let observer: PerformanceObserver | undefined;
  let called = false;
  const call = () => {
    if (called) return;
    called = true;
    observer?.disconnect();
    clearTimeout(timeout);
    callback();
  };
  const timeout = setTimeout(call, PAINT_REPORT_TIMEOUT_MS);
  if (PerformanceObserver.supportedEntryTypes.includes('element')) {
    observer = new PerformanceObserver((list) => {
      if (list.getEntries().some((entry) => identifierOf(entry) === identifier)) call();
    });
    observer.observe({ type: 'element' });
  } else requestAnimationFrame(() => setTimeout(call, 0));
}

/** An Element Timing entry's identifier (the `elementtiming` attribute of the painted element). */
function identifierOf(entry: PerformanceEntry): string | undefined {
  return 'identifier' in entry && typeof entry.identifier === 'string' ? entry.identifier : undefined;
}
