/** How long to wait for the browser to report a paint before going on without it (ms). */
const PAINT_REPORT_TIMEOUT_MS = 1_000;

/**
 * Calls `callback` once, when `target` (just put in the page, holding elements marked
 * `elementtiming="<identifier>"`) has been painted on screen: as the browser's Element Timing API
 * reports it (Chromium), or else after the next frame (the first task after the next animation
 * frame). When `target` turns out to be off screen (scrolled away, below a narrow layout's form) it
 * is not painted, so the callback comes as soon as the browser has found that out; in a hidden page,
 * which paints nothing, after {@link PAINT_REPORT_TIMEOUT_MS}. Work that can wait (charts, the rest
 * of the page) thus does not compete for the CPU with the frame that shows the results. Call it
 * right after `target` is inserted, before the browser paints it.
 */
export function afterPaint(target: Element, identifier: string, callback: () => void): void {
  const observers: { disconnect(): void }[] = [];
  let called = false;
  const call = () => {
    if (called) return;
    called = true;
    for (const observer of observers) observer.disconnect();
    clearTimeout(timeout);
    callback();
  };
  const timeout = setTimeout(call, PAINT_REPORT_TIMEOUT_MS);
  if (!PerformanceObserver.supportedEntryTypes.includes('element')) {
    requestAnimationFrame(() => setTimeout(call, 0));
    return;
  }
  const painted = new PerformanceObserver((list) => {
    if (list.getEntries().some((entry) => identifierOf(entry) === identifier)) call();
  });
  painted.observe({ type: 'element' });
  const visible = new IntersectionObserver((entries) => {
    if (!entries.some((entry) => entry.isIntersecting)) call();
  });
  visible.observe(target);
  observers.push(painted, visible);
}

/** An Element Timing entry's identifier (the `elementtiming` attribute of the painted element). */
function identifierOf(entry: PerformanceEntry): string | undefined {
  return 'identifier' in entry && typeof entry.identifier === 'string' ? entry.identifier : undefined;
}
