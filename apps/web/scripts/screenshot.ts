/**
 * `pnpm --filter @sim/web screenshot`: builds the site, opens a shared link in Chromium, runs it
 * and a sweep, and writes docs/images/playground.png (the README's screenshot).
 */
import { fileURLToPath } from 'node:url';
import { linkTo, openPlaygroundSite, waitForRuns } from '../test/playground-site';

const output = fileURLToPath(new URL('../../../docs/images/playground.png', import.meta.url));
const site = await openPlaygroundSite();
try {
  const page = await site.browser.newPage({ viewport: { width: 1440, height: 1100 } });
  const config = {
    modelSpec: { name: 'llama-3.1-8b' },
    clusterSpec: { gpuSpec: { name: 'H100' } },
    workloadSpec: { arrivalRate: 12, numRequests: 2000, lengthDistribution: 'lognormal' },
  };
  await page.goto(linkTo(site, config));
  await page.reload();
  await waitForRuns(page, 1);
  await page.screenshot({ path: output });
  console.log(`wrote ${output}`);
} finally {
  await site.close();
}
