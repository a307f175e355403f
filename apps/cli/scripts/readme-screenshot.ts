/**
 * Regenerates docs/images/report.png, the README's screenshot of an HTML report (headless
 * Debian chromium through playwright-core). Run: pnpm --filter @sim/cli screenshot
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LLMInferenceSimulator } from '@sim/engine';
import { chromium } from 'playwright-core';
import { renderReport, reportRunOf } from '../src/html-report';

const metrics = new LLMInferenceSimulator({
  modelSpec: { name: 'llama-3.1-8b' },
  clusterSpec: { gpuSpec: { name: 'H100' } },
  workloadSpec: {
    arrivalRate: 12,
    lengthDistribution: 'lognormal',
    avgInputLength: 1024,
    avgOutputLength: 256,
  },
  simulationDurationS: 120,
}).run({ recordRequests: true });
const html = renderReport({
  title: 'llm-sim report: llama-3.1-8b on H100-80GB, 12 req/s',
  runs: [reportRunOf('llama-3.1-8b on H100-80GB', metrics)],
});
const file = join(mkdtempSync(join(tmpdir(), 'llm-sim-report-')), 'report.html');
writeFileSync(file, html);
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: ['--no-sandbox'],
});
const page = await browser.newPage({ viewport: { width: 1300, height: 1500 } });
await page.goto(`file://${file}`);
await page.waitForFunction(
  () => (globalThis as unknown as { __chartsRendered?: number }).__chartsRendered !== undefined,
);
const output = resolve(fileURLToPath(new URL('../../..', import.meta.url)), 'docs/images/report.png');
await page.screenshot({ path: output });
await browser.close();
console.log(`wrote ${output}`);
