import { mergeConfig } from './config-path';
import { dataTable, element } from './dom';
import { drawLatencyCdfs, readable, statisticsNumbers } from './results-view';
import { jsonObjectOf, panel, type TaskRunner } from './task-runner';
import type { RunResult } from './worker-protocol';

/** The metrics compared side by side (dotted statistics paths). */
const COMPARED = [
  'throughputTokensPerSec',
  'requestsPerSec',
  'firstTokenLatency.p50',
  'firstTokenLatency.p95',
  'firstTokenLatency.p99',
  'timePerOutputToken.p50',
  'timePerOutputToken.p99',
  'endToEndLatency.p50',
  'endToEndLatency.p95',
  'endToEndLatency.p99',
  'gpuUtilization',
  'kvCacheUtilization.mean',
  'preemptions',
  'completedRequests',
  'goodput',
];

/** B / A, or '–' when A is 0. */
export function ratio(a: number, b: number): string {
  return a === 0 ? '–' : `${(b / a).toFixed(3)}×`;
}

/** Renders two runs side by side: each metric of A and B, their ratio, and overlaid latency CDFs. */
export function renderComparison(parent: HTMLElement, a: RunResult, b: RunResult): Promise<void> {
  const numbersA = new Map(statisticsNumbers(a.statistics));
  const numbersB = new Map(statisticsNumbers(b.statistics));
  const rows = COMPARED.flatMap((path) => {
    const valueA = numbersA.get(path);
    const valueB = numbersB.get(path);
    if (valueA === undefined || valueB === undefined) return [];
    return [
      element(
        'tr',
        {},
        element('th', { scope: 'row' }, path),
        element('td', { 'data-testid': `compare-a-${path}` }, readable(path, valueA)),
        element('td', { 'data-testid': `compare-b-${path}` }, readable(path, valueB)),
        element('td', { 'data-testid': `compare-ratio-${path}` }, ratio(valueA, valueB)),
      ),
    ];
  });
  const charts = element('div', { class: 'charts' });
  parent.replaceChildren(dataTable(['metric', 'A', 'B', 'B / A'], rows), charts);
  return drawLatencyCdfs(charts, [
    { label: 'A', result: a },
    { label: 'B', result: b },
  ]);
}

/** The comparison panel: config B is the form's config (A) with JSON overrides; runs both and compares. */
export function comparePanel(runner: TaskRunner): HTMLElement {
  const overrides = element('textarea', {
    rows: '5',
    'data-testid': 'compare-overrides',
    spellcheck: 'false',
  });
  overrides.value = JSON.stringify({ clusterSpec: { gpuSpec: { name: 'H100' } } }, null, 2);
  const output = element('div', { class: 'panel-body', 'data-testid': 'compare-output' });
  const button = runner.button('compare-run', 'Compare A and B', () => {
    const changes = jsonObjectOf(runner, overrides.value, 'the B overrides');
    if (changes === undefined) return;
    void runner.run('comparison', output, async () => {
      const config = runner.config();
      const a = await runner.client.run(config, (fraction) => runner.onProgress(fraction / 2));
      const b = await runner.client.run(mergeConfig(config, changes), (fraction) =>
        runner.onProgress(0.5 + fraction / 2),
      );
      await renderComparison(output, a, b);
    });
  });
  return panel(
    'compare',
    'Compare',
    element('p', { class: 'muted' }, 'B is the config on the left (A) with these overrides (JSON):'),
    overrides,
    element('div', { class: 'toolbar' }, button),
    output,
  );
}
