import { describeCandidate, type PlanResult } from '@sim/engine';
import { drawChart } from './charts';
import { dataTable, element } from './dom';
import { labelled, panel, type TaskRunner } from './task-runner';

/** Renders a capacity plan: the deployments meeting the SLOs at the target rate, cheapest first, and the cost/latency Pareto chart. */
export async function renderPlan(parent: HTMLElement, result: PlanResult): Promise<void> {
  if (result.rows.length === 0) {
    const closest = result.closest;
    parent.replaceChildren(
      element(
        'p',
        { 'data-testid': 'plan-empty' },
        closest === undefined
          ? 'No deployment in the search fits the model.'
          : `No deployment meets the SLOs at the target rate; the closest is ${describeCandidate(closest.candidate)} (best p99 TTFT ${closest.bestTtftP99S.toPrecision(3)} s).`,
      ),
    );
    return;
  }
  const priced = result.rows.every((row) => Number.isFinite(row.costPerHour));
  const x = (row: PlanResult['rows'][number]) => (priced ? row.costPerHour : row.totalGpus);
  const charts = element('div', { class: 'charts' });
  const table = dataTable(
    ['deployment', 'GPUs', '$/hour', '$/M output tokens', 'p99 TTFT (s)', 'p99 TPOT (s)', 'Pareto'],
    result.rows.map((row) =>
      element(
        'tr',
        {},
        element(
          'th',
          { scope: 'row' },
          `${describeCandidate(row.evaluation.candidate)} ×${row.evaluation.replicas}`,
        ),
        element('td', {}, String(row.totalGpus)),
        element('td', {}, Number.isFinite(row.costPerHour) ? row.costPerHour.toFixed(2) : '–'),
        element(
          'td',
          {},
          Number.isFinite(row.costPerMillionOutputTokens) ? row.costPerMillionOutputTokens.toFixed(3) : '–',
        ),
        element('td', {}, row.evaluation.ttftP99AtTargetS.toPrecision(3)),
        element('td', {}, row.evaluation.tpotP99AtTargetS.toPrecision(3)),
        element('td', {}, row.pareto ? 'yes' : ''),
      ),
    ),
    { 'data-testid': 'plan-table' },
  );
  parent.replaceChildren(charts, table);
  const frontier = result.rows.filter((row) => row.pareto).sort((a, b) => x(a) - x(b));
  // One point per x (the chart's data is aligned on x): the best p99 TTFT at that cost.
  const best = new Map<number, number>();
  for (const row of result.rows)
    best.set(x(row), Math.min(best.get(x(row)) ?? Number.POSITIVE_INFINITY, row.evaluation.ttftP99AtTargetS));
  await drawChart(charts, {
    title: `P99 TTFT at the target rate vs ${priced ? 'cost' : 'GPUs'}`,
    xLabel: priced ? '$ per hour' : 'GPUs',
    yLabel: 'p99 TTFT (s)',
    series: [
      { label: 'best deployment at this cost', x: [...best.keys()], y: [...best.values()], pointsOnly: true },
      {
        label: 'Pareto frontier',
        x: frontier.map(x),
        y: frontier.map((row) => row.evaluation.ttftP99AtTargetS),
      },
    ],
  });
}

/** The capacity-planner panel: the target rate, the SLOs and the GPUs to search. */
export function planPanel(runner: TaskRunner): HTMLElement {
  const input = (testId: string, value: string) =>
    element('input', { type: 'text', value, 'data-testid': testId });
  const targetRate = input('plan-target-rate', '4');
  const ttft = input('plan-ttft', '2');
  const tpot = input('plan-tpot', '0.1');
  const gpus = input('plan-gpus', 'A100-80GB, H100');
  const maxGpus = input('plan-max-gpus', '8');
  const output = element('div', { class: 'panel-body', 'data-testid': 'plan-output' });
  const button = runner.button('plan-run', 'Plan capacity', () => {
    const tpotText = tpot.value.trim();
    void runner.run('plan', output, async () => {
      const result = await runner.client.plan(
        runner.config(),
        {
          targetRate: Number(targetRate.value),
          ttftP99S: Number(ttft.value),
          ...(tpotText === '' ? {} : { tpotP99S: Number(tpotText) }),
          gpus: gpus.value.split(/[\s,]+/).filter((gpu) => gpu !== ''),
          maxGpus: Number(maxGpus.value),
        },
        runner.onProgress,
      );
      await renderPlan(output, result);
    });
  });
  return panel(
    'plan',
    'Capacity planner',
    element(
      'div',
      { class: 'toolbar wrap' },
      labelled('target req/s', targetRate),
      labelled('p99 TTFT ≤ (s)', ttft),
      labelled('p99 TPOT ≤ (s)', tpot),
      labelled('GPUs', gpus),
      labelled('max GPUs', maxGpus),
      button,
    ),
    output,
  );
}
