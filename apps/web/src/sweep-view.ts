import type { SimulationStatistics } from '@sim/engine';
import { drawChart } from './charts';
import type { ConfigField } from './config-fields';
import { dataTable, element } from './dom';
import { labelled, panel, type TaskRunner } from './task-runner';
import type { SweepPoint } from './worker-protocol';

const METRICS: readonly [title: string, value: (statistics: SimulationStatistics) => number][] = [
  ['P95 TTFT (s)', (statistics) => statistics.firstTokenLatency.p95],
  ['Output throughput (tok/s)', (statistics) => statistics.throughputTokensPerSec],
  ['P95 TPOT (s)', (statistics) => statistics.timePerOutputToken.p95],
  ['P95 end-to-end latency (s)', (statistics) => statistics.endToEndLatency.p95],
];

/** The values of a sweep as the user typed them: numbers where they parse, else text. */
export function parseSweepValues(text: string): (number | string)[] {
  return text
    .split(/[\s,]+/)
    .filter((token) => token !== '')
    .map((token) => (Number.isFinite(Number(token)) ? Number(token) : token));
}

/** Renders a sweep: metric-vs-parameter charts (numeric values) and a table of every point. */
export async function renderSweep(
  parent: HTMLElement,
  path: string,
  points: readonly SweepPoint[],
): Promise<void> {
  const numeric = points.every((point) => typeof point.value === 'number');
  const xs = points.map((point, index) => (typeof point.value === 'number' ? point.value : index));
  const charts = element('div', { class: 'charts' });
  const table = dataTable(
    [path, ...METRICS.map(([title]) => title)],
    points.map((point) =>
      element(
        'tr',
        {},
        element('th', { scope: 'row' }, String(point.value)),
        ...METRICS.map(([, value]) => element('td', {}, value(point.statistics).toPrecision(4))),
      ),
    ),
  );
  parent.replaceChildren(charts, table);
  const xLabel = numeric ? path : `${path} (${points.map((point) => String(point.value)).join(', ')})`;
  await Promise.all(
    METRICS.map(([title, value]) =>
      drawChart(charts, {
        title: `${title} vs ${path}`,
        xLabel,
        yLabel: title,
        series: [{ label: title, x: xs, y: points.map((point) => value(point.statistics)) }],
      }),
    ),
  );
}

/** Fields a sweep can vary: numbers, fixed choices, and preset names. */
function isSweepable(field: ConfigField): boolean {
  return (
    field.kind === 'number' ||
    field.kind === 'integer' ||
    field.kind === 'choice' ||
    field.path.endsWith('.name')
  );
}

/** The sweep panel: one parameter, its values, and the metric-vs-parameter charts. */
export function sweepPanel(runner: TaskRunner, fields: readonly ConfigField[]): HTMLElement {
  const path = element(
    'select',
    { 'data-testid': 'sweep-path' },
    ...fields.filter(isSweepable).map((field) => element('option', { value: field.path }, field.path)),
  );
  path.value = 'workloadSpec.arrivalRate';
  const values = element('input', { type: 'text', 'data-testid': 'sweep-values', value: '1, 2, 4, 8' });
  const output = element('div', { class: 'panel-body', 'data-testid': 'sweep-output' });
  const button = runner.button('sweep-run', 'Run sweep', () => {
    const swept = parseSweepValues(values.value);
    if (swept.length === 0) {
      runner.showProblem('give the sweep at least one value');
      return;
    }
    void runner.run('sweep', output, async () => {
      const points = await runner.client.sweep(
        runner.config(),
        { path: path.value, values: swept },
        runner.onProgress,
      );
      await renderSweep(output, path.value, points);
    });
  });
  return panel(
    'sweep',
    'Sweep',
    element('div', { class: 'toolbar' }, labelled('parameter', path), labelled('values', values), button),
    output,
  );
}
