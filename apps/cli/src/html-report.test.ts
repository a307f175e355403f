import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { escapeHtml, renderReport, reportRunOf, scriptSafeJson } from '@sim/cli';
import { LLMInferenceSimulator, type SimulatorConfig } from '@sim/engine';
import { chromium } from 'playwright-core';
import { describe, expect, it } from 'vitest';

const hostile = '<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script>';

function report(): string {
  const config: SimulatorConfig = {
    modelSpec: { name: hostile, nParams: 7e9, hiddenSize: 4096, nLayers: 32, nHeads: 32, ffnDim: 11008 },
    // Two replicas behind prefix-affinity routing, serving multi-turn sessions.
    clusterSpec: { nGpusPerNode: 2 },
    parallelismSpec: { dataParallelSize: 2, router: 'prefix-affinity' },
    workloadSpec: {
      arrivalRate: 3,
      avgInputLength: 256,
      lengthDistribution: 'lognormal',
      sessions: { turnsPerSession: 2, thinkTimeS: 1 },
    },
    simulationDurationS: 30,
  };
  const metrics = new LLMInferenceSimulator(config).run({ recordRequests: true });
  const statistics = metrics.computeStatistics();
  return renderReport({
    title: `report for ${hostile}`,
    runs: [reportRunOf(hostile, metrics, statistics)],
    sweep: {
      parameters: ['workloadSpec.arrivalRate', 'modelSpec.name'],
      points: [1, 2, 4].flatMap((rate) =>
        ['a', hostile].map((name) => ({ values: [rate, name], statistics })),
      ),
    },
    settings: [{ label: `sweep of ${hostile}`, value: { base: hostile, rate: [1, 2, 4] } }],
    plan: [
      { label: `${hostile} ×2`, costPerHour: 3.58, gpus: 2, ttftP99S: 0.9, tpotP99S: 0.03, pareto: true },
      { label: 'H100-80GB TP1 ×1', costPerHour: 2.99, gpus: 1, ttftP99S: 1.2, tpotP99S: 0.04, pareto: true },
      { label: 'H100-80GB TP2 ×1', costPerHour: 5.98, gpus: 2, ttftP99S: 1.5, tpotP99S: 0.02, pareto: false },
    ],
  });
}

describe('HTML report', () => {
  it('escapes every config string and embeds data as script-safe JSON', () => {
    const html = report();
    expect(html).not.toContain(hostile);
    expect(html).toContain(escapeHtml(hostile));
    expect(scriptSafeJson({ name: '</script><script>' })).not.toContain('</script>');
    expect(JSON.parse(scriptSafeJson({ name: '</script>\u2028' }))).toEqual({ name: '</script>\u2028' });
    expect(html).not.toMatch(/<script src=|<link [^>]*href="http/); // self-contained: no network
  });

  it('summarizes routing and sessions when the runs have them', () => {
    const html = report();
    for (const row of [
      'routing imbalance (max / mean)',
      'sessions started / completed / failed',
      'TTFT p50 / p99, follow-up turns',
      'follow-up prefix hit rate',
    ])
      expect(html).toContain(`<th>${row}</th>`);
  });

  it('shows the settings that produced a sweep or plan under Configuration', () => {
    const html = report();
    const configuration = html.slice(html.indexOf('<h2>Configuration</h2>'));
    expect(configuration).toContain(`<summary>sweep of ${escapeHtml(hostile)}</summary>`);
    expect(configuration).toMatch(/&quot;rate&quot;: \[\s*1,\s*2,\s*4\s*\]/);
  });

  // Runs where Debian's chromium is installed (`apt-get install -y chromium`; .ci/run does it and
  // sets LLM_SIM_REQUIRE_BROWSER=1 so CI cannot skip it).
  const browser = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
  const available = existsSync(browser);
  if (!available && process.env.LLM_SIM_REQUIRE_BROWSER === '1')
    throw new Error(`LLM_SIM_REQUIRE_BROWSER=1 but no chromium at ${browser}`);
  it.skipIf(!available)(
    'opens in headless Chromium without console errors, every chart drawn, no script injected',
    async () => {
      const directory = resolve(fileURLToPath(new URL('..', import.meta.url)), 'test-output');
      mkdirSync(directory, { recursive: true });
      const file = resolve(directory, 'report.html');
      writeFileSync(file, report());
      const instance = await chromium.launch({ executablePath: browser, args: ['--no-sandbox'] });
      try {
        const page = await instance.newPage({ viewport: { width: 1280, height: 900 } });
        const errors: string[] = [];
        page.on('console', (message) => {
          if (message.type() === 'error') errors.push(message.text());
        });
        page.on('pageerror', (error) => errors.push(error.message));
        await page.goto(`file://${file}`);
        await page.waitForFunction(
          () => (globalThis as unknown as { __chartsRendered?: number }).__chartsRendered !== undefined,
        );
        // 3 CDFs + per replica + 2 over-time charts for the run + 3 sweep charts + the plan frontier.
        expect(
          await page.evaluate(() => (globalThis as unknown as { __chartsRendered: number }).__chartsRendered),
        ).toBe(10);
        const canvases = await page.$$eval('[data-chart] canvas', (elements) =>
          elements.map(
            (element) =>
              (element as unknown as { width: number }).width *
              (element as unknown as { height: number }).height,
          ),
        );
        expect(canvases).toHaveLength(10);
        expect(await page.$$('[data-chart$=": per replica"] canvas')).toHaveLength(1);
        for (const area of canvases) expect(area).toBeGreaterThan(0);
        // Legends show a value for every series without hovering (uPlot's default is "--").
        const legendValues = await page.$$eval('.u-legend .u-value', (elements) =>
          elements.map((element) => element.textContent ?? ''),
        );
        expect(legendValues.length).toBeGreaterThan(10 * 2);
        expect(legendValues.filter((value) => value === '--' || value.trim() === '')).toEqual([]);
        expect(legendValues).toContainEqual(expect.stringMatching(/^median \d/));
        expect(legendValues).toContainEqual(expect.stringMatching(/^mean \d/));
        expect(
          await page.evaluate(() => (globalThis as unknown as { __pwned?: number }).__pwned),
        ).toBeUndefined();
        expect(await page.title()).toContain('<script>');
        expect(errors).toEqual([]);
        await page.screenshot({ path: resolve(directory, 'report.png'), fullPage: true });
      } finally {
        await instance.close();
      }
    },
  );
});
