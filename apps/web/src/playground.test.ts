import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  appRoot,
  browserAvailable,
  linkTo,
  openPlaygroundSite,
  type PlaygroundSite,
  shownMetrics,
  waitForRuns,
} from '../test/playground-site';

/*
 * The built playground in headless Chromium (Debian's; .ci/run installs it and sets
 * LLM_SIM_REQUIRE_BROWSER=1 so CI cannot skip this), checked against the CLI's `--json` output.
 */

const cliBin = join(
  dirname(createRequire(import.meta.url).resolve('@sim/cli/package.json')),
  'dist',
  'bin.js',
);

/** The CLI's `llm-sim run --json` for a config (as a file), flattened to dotted paths of its numbers. */
function cliNumbers(config: object): Map<string, number> {
  const directory = mkdtempSync(join(tmpdir(), 'llm-sim-web-'));
  const file = join(directory, 'config.json');
  writeFileSync(file, JSON.stringify(config));
  const output = execFileSync(process.execPath, [cliBin, 'run', '--config', file, '--json'], {
    encoding: 'utf8',
  });
  const { resolvedConfig: _resolved, ...statistics } = JSON.parse(output);
  const numbers = new Map<string, number>();
  const walk = (prefix: string, node: unknown) => {
    if (typeof node === 'number') numbers.set(prefix, node);
    else if (node !== null && typeof node === 'object' && !Array.isArray(node))
      for (const [key, child] of Object.entries(node)) walk(prefix === '' ? key : `${prefix}.${key}`, child);
  };
  walk('', statistics);
  return numbers;
}

/**
 * Expects the page's numbers to be the CLI's. Counts must be equal; other numbers may differ in the
 * last bits only: Chromium's V8 and Node 20's compute Math.log, Math.exp and Math.pow with different
 * last-bit rounding (measured: 7–10% of 20,000 random arguments differ by one ulp), so the same
 * config and seed is byte-identical within a runtime, and equal to ~1e-16 relative across them.
 */
function expectCliNumbers(shown: ReadonlyMap<string, number>, cli: ReadonlyMap<string, number>): void {
  expect([...shown.keys()].sort()).toEqual([...cli.keys()].sort());
  for (const [path, value] of cli) {
    const seen = shown.get(path) ?? Number.NaN;
    if (Number.isInteger(value)) expect(seen, path).toBe(value);
    else
      expect(Math.abs(seen - value), path).toBeLessThanOrEqual(
        1e-12 * Math.max(Math.abs(seen), Math.abs(value)),
      );
  }
}

const hostile = '<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script>';

describe.skipIf(!browserAvailable())('the web playground (built site in Chromium)', () => {
  let site: PlaygroundSite;
  let page: Page;
  const errors: string[] = [];

  beforeAll(async () => {
    site = await openPlaygroundSite();
    page = await site.browser.newPage({ viewport: { width: 1400, height: 1000 } });
    page.on('console', (message) => {
      if (message.type() === 'error') errors.push(message.text());
    });
    page.on('pageerror', (error) => errors.push(error.message));
  }, 120_000);

  afterAll(async () => {
    await site?.close();
  });

  it('ships at most 200 KiB of JavaScript (gzipped), the budget the README states', () => {
    const assets = join(appRoot, 'dist', 'assets');
    const scripts = readdirSync(assets).filter((file) => file.endsWith('.js'));
    const gzipped = scripts.map((file) => gzipSync(readFileSync(join(assets, file)), { level: 9 }).length);
    expect(scripts.length).toBeGreaterThan(1);
    expect(gzipped.reduce((sum, size) => sum + size, 0)).toBeLessThanOrEqual(200 * 1024);
  });

  it('runs the default config on opening and shows the numbers the CLI prints', async () => {
    await page.goto(site.url);
    await waitForRuns(page, 1);
    const shown = await shownMetrics(page);
    const cli = cliNumbers({});
    expect(shown.size).toBeGreaterThan(40);
    expectCliNumbers(shown, cli);
    // 3 latency CDFs, throughput, queue and batch, KV use.
    expect(await page.$$('[data-testid="results"] .chart canvas')).toHaveLength(6);
    // The element's text is the number itself.
    expect(await page.textContent('[data-testid="metric-completedRequests"]')).toBe(
      String(cli.get('completedRequests')),
    );
    expect(errors).toEqual([]);
  });

  it('builds the whole page before the first result on a narrow screen (one column: the form comes first)', async () => {
    const narrow = await site.browser.newPage({ viewport: { width: 800, height: 900 } });
    await narrow.goto(site.url);
    await waitForRuns(narrow, 1);
    const mark = (name: string) =>
      narrow.evaluate(
        (full) => performance.getEntriesByName(full)[0]?.startTime ?? Number.NaN,
        `llm-sim:${name}`,
      );
    expect(await mark('page-built')).toBeLessThan(await mark('numbers-shown'));
    expect(await narrow.$$('[data-testid="results"] .chart canvas')).toHaveLength(6);
    await narrow.close();
  });

  it('restores a config given in the URL fragment, runs it, and matches the CLI', async () => {
    const config = {
      modelSpec: { name: 'llama-3.1-8b' },
      clusterSpec: { gpuSpec: { name: 'H100' } },
      workloadSpec: { arrivalRate: 6, numRequests: 300, lengthDistribution: 'lognormal' },
      seed: 7,
      drain: true,
    };
    await page.goto(linkTo(site, config));
    await page.reload(); // a fresh page load of the link (goto only changed the fragment)
    await waitForRuns(page, 1);
    expect(await page.inputValue('[data-testid="field-workloadSpec.arrivalRate"]')).toBe('6');
    expect(await page.inputValue('[data-testid="field-modelSpec.name"]')).toBe('llama-3.1-8b');
    const shown = await shownMetrics(page);
    expectCliNumbers(shown, cliNumbers(config));
    expect(shown.get('completedRequests')).toBe(300);
    // Editing a field updates the fragment.
    await page.fill('[data-testid="field-workloadSpec.arrivalRate"]', '5');
    await page.dispatchEvent('[data-testid="field-workloadSpec.arrivalRate"]', 'change');
    expect(decodeURIComponent(new URL(page.url()).hash)).toContain('"arrivalRate":5');
    expect(errors).toEqual([]);
  });

  it('shows a bad value as its field error and runs nothing', async () => {
    await page.goto(linkTo(site, { workloadSpec: { arrivalRate: -2 } }));
    await page.reload();
    const error = page.locator('[data-testid="error-workloadSpec.arrivalRate"]');
    await error.waitFor({ state: 'visible' });
    expect(await error.textContent()).toMatch(/>0|positive|greater/i);
    expect(await page.$$('[data-testid^="metric-"]')).toHaveLength(0);
    expect(await page.evaluate(() => document.body.dataset.completedRuns)).toBeUndefined();
    // A typed value that is not a number is reported on its field too.
    await page.fill('[data-testid="field-workloadSpec.arrivalRate"]', 'fast');
    await page.dispatchEvent('[data-testid="field-workloadSpec.arrivalRate"]', 'change');
    await page.click('[data-testid="run"]');
    await page.waitForFunction(
      () => document.querySelector('[data-testid="status"]')?.textContent === 'run: invalid config',
    );
    expect(await error.textContent()).toMatch(/number/i);
    expect(await page.evaluate(() => document.body.dataset.completedRuns)).toBeUndefined();
    expect(errors).toEqual([]);
  });

  it('imports a YAML config (snake_case keys) into the form and the link, and exports JSON and YAML', async () => {
    await page.goto(site.url);
    await waitForRuns(page, 1);
    await page.click('summary:has-text("Import / export")');
    await page.fill('[data-testid="config-text"]', 'workload_spec:\n  arrival_rate: 7\nseed: 3\n');
    await page.click('[data-testid="config-import"]');
    await expect.poll(() => page.inputValue('[data-testid="field-workloadSpec.arrivalRate"]')).toBe('7');
    expect(await page.inputValue('[data-testid="field-seed"]')).toBe('3');
    expect(decodeURIComponent(new URL(page.url()).hash)).toContain('"arrivalRate":7');
    await page.click('[data-testid="config-export-json"]');
    expect(JSON.parse(await page.inputValue('[data-testid="config-text"]'))).toEqual({
      workloadSpec: { arrivalRate: 7 },
      seed: 3,
    });
    await page.click('[data-testid="config-export-yaml"]');
    await expect.poll(() => page.inputValue('[data-testid="config-text"]')).toContain('arrivalRate: 7');
    expect(errors).toEqual([]);
  });

  it('escapes config strings from a link: a hostile model name is shown as text, never run as script', async () => {
    const config = {
      modelSpec: { name: hostile, nParams: 7e9, hiddenSize: 4096, nLayers: 32, nHeads: 32, ffnDim: 11008 },
      workloadSpec: { numRequests: 50 },
    };
    await page.goto(linkTo(site, config));
    await page.reload();
    await waitForRuns(page, 1);
    expect(await page.inputValue('[data-testid="field-modelSpec.name"]')).toBe(hostile);
    expect(await page.evaluate(() => (globalThis as { __pwned?: number }).__pwned)).toBeUndefined();
    expect(await page.$$('img[src="x"]')).toHaveLength(0);
    expect(errors).toEqual([]);
  });

  it('compares two configs with ratios and overlaid CDFs, and draws a sweep', async () => {
    await page.goto(linkTo(site, { workloadSpec: { numRequests: 200, arrivalRate: 4 } }));
    await page.reload();
    await waitForRuns(page, 1);
    await page.fill(
      '[data-testid="compare-overrides"]',
      JSON.stringify({ clusterSpec: { gpuSpec: { name: 'H100' } } }),
    );
    await page.click('[data-testid="compare-run"]');
    await page.waitForSelector('[data-testid="compare-output"] .chart canvas');
    expect(await page.$$('[data-testid="compare-output"] .chart canvas')).toHaveLength(3);
    expect(await page.textContent('[data-testid="compare-ratio-timePerOutputToken.p50"]')).toMatch(
      /^0\.\d+×$/,
    ); // H100 decodes faster
    await page.fill('[data-testid="sweep-values"]', '1, 2, 4');
    await page.click('[data-testid="sweep-run"]');
    await page.waitForSelector('[data-testid="sweep-output"] .chart canvas');
    expect(await page.$$('[data-testid="sweep-output"] .chart canvas')).toHaveLength(4);
    expect(await page.$$('[data-testid="sweep-output"] table.metrics tbody tr')).toHaveLength(3);
    expect(errors).toEqual([]);
  }, 120_000);

  it('keeps the page responsive during a 1M-request run and cancels it', async () => {
    await page.goto(
      linkTo(site, {
        workloadSpec: { numRequests: 1_000_000, arrivalRate: 1.75, lengthDistribution: 'lognormal' },
        simulationDurationS: 1_000_000,
      }),
    );
    await page.reload();
    await page.waitForFunction(() => Number(document.querySelector('progress')?.value ?? 0) > 0, undefined, {
      timeout: 60_000,
    });
    // The rest of the page is built beside a long first run (not after it), with the link's config,
    // and its task buttons are disabled while the run goes on (one task at a time).
    expect(await page.inputValue('[data-testid="field-workloadSpec.arrivalRate"]')).toBe('1.75');
    for (const button of ['run', 'compare-run', 'sweep-run', 'plan-run'])
      expect(await page.isDisabled(`[data-testid="${button}"]`), button).toBe(true);
    expect(await page.isEnabled('[data-testid="cancel"]')).toBe(true);
    // While it runs: a typed key reaches an input, and timers fire on time.
    await page.fill('[data-testid="sweep-values"]', '3, 5');
    expect(await page.inputValue('[data-testid="sweep-values"]')).toBe('3, 5');
    const lateness = await page.evaluate(
      () =>
        new Promise<number>((resolve) => {
          const start = performance.now();
          setTimeout(() => resolve(performance.now() - start - 50), 50);
        }),
    );
    expect(lateness).toBeLessThan(200);
    expect(await page.evaluate(() => document.body.dataset.completedRuns)).toBeUndefined();
    await page.click('[data-testid="cancel"]');
    await page.waitForFunction(
      () => document.querySelector('[data-testid="status"]')?.textContent === 'run: cancelled',
      undefined,
      {
        timeout: 30_000,
      },
    );
    expect(await page.evaluate(() => document.body.dataset.completedRuns)).toBeUndefined();
    expect(errors).toEqual([]);
  }, 120_000);

  it('plans capacity and draws the Pareto chart', async () => {
    await page.goto(site.url);
    await waitForRuns(page, 1);
    await page.fill('[data-testid="plan-gpus"]', 'A100-80GB');
    await page.fill('[data-testid="plan-max-gpus"]', '2');
    await page.click('[data-testid="plan-run"]');
    await page.waitForSelector('[data-testid="plan-output"] .chart canvas, [data-testid="plan-empty"]', {
      timeout: 90_000,
    });
    expect(await page.$$('[data-testid="plan-table"] > tbody > tr')).not.toHaveLength(0);
    expect(errors).toEqual([]);
  }, 120_000);
});
