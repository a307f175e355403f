import { dataTable, element } from './dom';
import { drawLatencyCdfs, readable, statisticsNumbers } from './results-view';
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
export function renderComparison(parent: HTMLElement, a: RunResult, b: RunResult): void {
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
  drawLatencyCdfs(charts, [
    { label: 'A', result: a },
    { label: 'B', result: b },
  ]);
}
