import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type Browser, chromium, type Page } from 'playwright-core';
import { build } from 'vite';
import { serveStatic } from './static-server';

/** The web app's folder. */
export const appRoot = fileURLToPath(new URL('..', import.meta.url));

/** Debian's chromium (`apt-get install -y chromium`), or CHROMIUM_PATH. */
export const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Whether Chromium is here; with LLM_SIM_REQUIRE_BROWSER=1 (CI) its absence is an error, not a skip. */
export function browserAvailable(): boolean {
  const available = existsSync(chromiumPath);
  if (!available && process.env.LLM_SIM_REQUIRE_BROWSER === '1')
    throw new Error(`LLM_SIM_REQUIRE_BROWSER=1 but no chromium at ${chromiumPath}`);
  return available;
}

/** The built site (`vite build` into dist/), served over HTTP, and a browser to open it. */
export interface PlaygroundSite {
  readonly url: string;
  readonly browser: Browser;
  close(): Promise<void>;
}

export async function openPlaygroundSite(): Promise<PlaygroundSite> {
  await build({ root: appRoot, logLevel: 'silent', configFile: `${appRoot}vite.config.ts` });
  const server = await serveStatic(`${appRoot}dist`);
  const browser = await chromium.launch({ executablePath: chromiumPath, args: ['--no-sandbox'] });
  return {
    url: server.url,
    browser,
    close: async () => {
      await browser.close();
      await server.close();
    },
  };
}

/** The link that opens the playground with `config`. */
export function linkTo(site: PlaygroundSite, config: unknown): string {
  return `${site.url}#config=${encodeURIComponent(JSON.stringify(config))}`;
}

/** Waits until the page has completed `runs` runs. */
export async function waitForRuns(page: Page, runs: number, timeout = 60_000): Promise<void> {
  await page.waitForFunction((count) => Number(document.body.dataset.completedRuns ?? 0) >= count, runs, {
    timeout,
  });
}

/** Every shown metric: `data-testid="metric-<path>"` → its text as a number. */
export async function shownMetrics(page: Page): Promise<Map<string, number>> {
  const entries = await page.$$eval('[data-testid^="metric-"]', (elements) =>
    elements.map(
      (element) => [element.getAttribute('data-testid') ?? '', element.textContent ?? ''] as const,
    ),
  );
  return new Map(entries.map(([id, text]) => [id.slice('metric-'.length), Number(text)]));
}
