/**
 * `pnpm --filter @sim/web bench`: time from opening a link to the first result for the default
 * config, in headless Chromium against the built site on a local static server. Reports each of
 * seven (or BENCH_RUNS) fresh page loads (new browser context: no cache) and their median, after one discarded
 * load (a user's browser is already running when they open a link; the first load after launching
 * Chromium also pays for Chromium's own start). The first result is the
 * page's `llm-sim:numbers-shown` mark (the run's statistics are in the page; its charts follow in
 * the next frame, `llm-sim:charts-drawn`, reported among the phases), on the page's own clock from
 * navigation start, so the harness's polling does not count. Also reports the
 * JavaScript the site ships, gzipped.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { appRoot, openPlaygroundSite, waitForRuns } from '../test/playground-site';

const RUNS = Number(process.env.BENCH_RUNS ?? 7);
const site = await openPlaygroundSite();
try {
  const times: number[] = [];
  const phases = new Map<string, number[]>();
  for (let run = -1; run < RUNS; run++) {
    const context = await site.browser.newContext();
    const page = await context.newPage();
    await page.goto(site.url);
    await waitForRuns(page, 1);
    const marks = await page.evaluate(() =>
      performance
        .getEntriesByType('mark')
        .map((mark) => [mark.name.replace('llm-sim:', ''), mark.startTime] as const),
    );
    await context.close();
    if (run < 0) continue; // the discarded first load
    for (const [name, time] of marks) phases.set(name, [...(phases.get(name) ?? []), time]);
    times.push(marks.find(([name]) => name === 'numbers-shown')?.[1] ?? Number.NaN);
  }
  const sorted = [...times].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
  console.log(
    `open → first result (default config), ${RUNS} fresh loads: ${times.map((time) => time.toFixed(0)).join(', ')} ms`,
  );
  console.log(`median ${median.toFixed(0)} ms (budget 1000 ms)`);
  const medianOf = (values: readonly number[]) =>
    [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? Number.NaN;
  console.log(
    `phases (median ms from navigation start): ${[...phases].map(([name, values]) => `${name} ${medianOf(values).toFixed(0)}`).join(', ')}`,
  );
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
}
