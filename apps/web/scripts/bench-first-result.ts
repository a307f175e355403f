/**
 * `pnpm --filter @sim/web bench`: time from opening a link to the first result for the default
 * config, in headless Chromium against the built site on a local static server. Reports each of
 * seven (or BENCH_RUNS) fresh page loads (new browser context: no cache) and their median, after one discarded
 * load (a user's browser is already running when they open a link; the first load after launching
 * Chromium also pays for Chromium's own start). The first result is when the run's headline numbers
 * were first painted: the Element Timing API's render time of the values marked
 * `elementtiming="result-number"`, on the page's own clock from navigation start, so the harness's
 * polling does not count. The page's own marks are reported as phases: `numbers-shown` is when the
 * numbers entered the DOM (before the browser laid them out and painted them), `charts-drawn` when
 * the charts followed. Also reports the JavaScript the site ships, gzipped.
 *
 * `BENCH_COMPARE=<folder>` names another built site (a copy of `dist` from an earlier version that
 * has the `result-number` mark, 8807f94 or later):
 * each round then loads both, one after the other, so that the two are measured under the same
 * machine load (a must on this noisy 2-core machine), and reports each.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { appRoot, openPlaygroundSite, waitForRuns } from '../test/playground-site';
import { serveStatic } from '../test/static-server';

const RUNS = Number(process.env.BENCH_RUNS ?? 7);
/** Another built site (a `dist` folder kept from an earlier version): loads alternate between the two. */
const COMPARE = process.env.BENCH_COMPARE;

/** One site's loads: the first-result times and the page's marks (ms from navigation start). */
interface Loads {
  readonly label: string;
  readonly url: string;
  readonly times: number[];
  readonly phases: Map<string, number[]>;
}

const medianOf = (values: readonly number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? Number.NaN;

const site = await openPlaygroundSite();
const other = COMPARE === undefined ? undefined : await serveStatic(resolve(COMPARE));
try {
  const sites: Loads[] = [
    { label: 'this build', url: site.url, times: [], phases: new Map() },
    ...(other === undefined || COMPARE === undefined
      ? []
      : [{ label: COMPARE, url: other.url, times: [], phases: new Map() }]),
  ];
  for (let run = -1; run < RUNS; run++) {
    for (const loads of sites) {
      const context = await site.browser.newContext();
      const page = await context.newPage();
      await page.goto(loads.url);
      await waitForRuns(page, 1);
      const marks = await page.evaluate(() =>
        performance
          .getEntriesByType('mark')
          .map((mark) => [mark.name.replace('llm-sim:', ''), mark.startTime] as const),
      );
      const painted = await page.evaluate(firstResultPaint);
      await context.close();
      if (Number.isNaN(painted))
        throw new Error(
          `${loads.label}: no paint of the result numbers was reported (Element Timing of elementtiming="result-number"; builds before that mark was added, 8807f94, cannot be compared)`,
        );
      if (run < 0) continue; // the discarded first load
      for (const [name, time] of [...marks, ['numbers-painted', painted] as const])
        loads.phases.set(name, [...(loads.phases.get(name) ?? []), time]);
      loads.times.push(painted);
    }
  }
  for (const { label, times, phases } of sites) {
    if (sites.length > 1) console.log(`${label}:`);
    console.log(
      `open → first result painted (default config), ${RUNS} fresh loads: ${times.map((time) => time.toFixed(0)).join(', ')} ms`,
    );
    console.log(`median ${medianOf(times).toFixed(0)} ms (budget 1000 ms)`);
    console.log(
      `phases (median ms from navigation start): ${[...phases].map(([name, values]) => `${name} ${medianOf(values).toFixed(0)}`).join(', ')}`,
    );
  }
  const assets = join(appRoot, 'dist', 'assets');
  let total = 0;
  for (const name of readdirSync(assets).filter((file) => file.endsWith('.js'))) {
    const size = gzipSync(readFileSync(join(assets, name)), { level: 9 }).length;
    total += size;
    console.log(`  ${name}: ${(size / 1024).toFixed(1)} KiB gzipped`);
  }
  console.log(`JavaScript, gzipped: ${(total / 1024).toFixed(1)} KiB (budget 200 KiB)`);
} finally {
  await site.close();
  await other?.close();
}

/** In the page: the earliest render time of a result number (Element Timing), NaN when none was painted. */
function firstResultPaint(): Promise<number> {
  return new Promise((resolve) => {
    const timeout = setTimeout(() => resolve(Number.NaN), 5_000);
    new PerformanceObserver((list, observer) => {
      const times = list
        .getEntries()
        .filter((entry) => entry.name === 'text-paint' || entry.name === 'image-paint')
        .filter(
          (entry) => (entry as PerformanceEntry & { identifier?: string }).identifier === 'result-number',
        )
        .map((entry) => (entry as PerformanceEntry & { renderTime: number }).renderTime);
      if (times.length === 0) return;
      clearTimeout(timeout);
      observer.disconnect();
      resolve(Math.min(...times));
    }).observe({ type: 'element', buffered: true });
  });
}
