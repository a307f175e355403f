import type { CdfPoints, SimulationStatistics } from '@sim/engine';
import { groupDigits, isJsonObject } from '@sim/specs';
import { afterPaint } from './after-paint';
import { type ChartSpec, drawChart } from './charts';
import { dataTable, element } from './dom';
import type { RunResult } from './worker-protocol';

/** Every number in the statistics with its dotted path (`firstTokenLatency.p95`), arrays left out. */
export function statisticsNumbers(statistics: SimulationStatistics): [path: string, value: number][] {
  const numbers: [string, number][] = [];
  const walk = (prefix: string, node: unknown) => {
    if (typeof node === 'number') numbers.push([prefix, node]);
    else if (isJsonObject(node))
      for (const [key, child] of Object.entries(node)) walk(prefix === '' ? key : `${prefix}.${key}`, child);
  };
  walk('', statistics);
  return numbers;
}

/** A short human reading of a metric (the exact number is shown beside it). */
export function readable(path: string, value: number): string {
  const name = path.split('.')[0] ?? path;
  if (/Latency|timePerOutputToken|queueingDelay|DurationS|S$/.test(name)) {
    if (value !== 0 && Math.abs(value) < 1) return `${(value * 1000).toPrecision(3)} ms`;
    return `${value.toPrecision(4)} s`;
  }
  if (/Utilization|mfu|mbu|sloAttainment|HitRate/.test(name)) return `${(value * 100).toFixed(1)}%`;
  if (/PerSec/.test(name)) return `${value.toPrecision(4)} /s`;
  if (/Gb/.test(path)) return `${value.toPrecision(4)} GB`;
  return Number.isInteger(value) ? groupDigits(value) : value.toPrecision(4);
}

const HEADLINES: readonly [label: string, path: string][] = [
  ['Output throughput', 'throughputTokensPerSec'],
  ['Requests/s', 'requestsPerSec'],
  ['TTFT p50', 'firstTokenLatency.p50'],
  ['TTFT p99', 'firstTokenLatency.p99'],
  ['TPOT p50', 'timePerOutputToken.p50'],
  ['TPOT p99', 'timePerOutputToken.p99'],
  ['E2E p95', 'endToEndLatency.p95'],
  ['GPU busy', 'gpuUtilization'],
];

/** The metrics table: each number in an element `data-testid="metric-<path>"` whose text is the number. */
function metricsTable(numbers: readonly [string, number][]): HTMLElement {
  const rows = numbers.map(([path, value]) =>
    element(
      'tr',
      {},
      element('th', { scope: 'row' }, path),
      element('td', { 'data-testid': `metric-${path}`, class: 'exact' }, String(value)),
      element('td', {}, readable(path, value)),
    ),
  );
  return dataTable(['statistic', 'value', 'reading'], rows);
}

/**
 * The `elementtiming` of a run's headline numbers: the browser's Element Timing API reports when
 * they were painted (what `pnpm bench:web` measures, and what the charts and the rest of the page
 * wait for).
 */
export const RESULT_NUMBER = 'result-number';

/** The headline numbers, each value marked {@link RESULT_NUMBER}. */
function headlineCards(numbers: ReadonlyMap<string, number>): HTMLElement {
  return element(
    'div',
    { class: 'cards' },
    ...HEADLINES.flatMap(([label, path]) => {
      const value = numbers.get(path);
      if (value === undefined) return [];
      return [
        element(
          'div',
          { class: 'card' },
          element('div', { class: 'card-label' }, label),
          element('div', { class: 'card-value', elementtiming: RESULT_NUMBER }, readable(path, value)),
        ),
      ];
    }),
  );
}

function notesList(title: string, items: readonly string[], className: string): HTMLElement[] {
  if (items.length === 0) return [];
  return [
    element('h3', {}, title),
    element('ul', { class: className }, ...items.map((item) => element('li', {}, item))),
  ];
}

/** CDF points of a summary when per-request records were skipped (min, p50, p90, p95, p99, max). */
function summaryCdf(summary: {
  min: number;
  p50: number;
  p90: number;
  p95: number;
  p99: number;
  max: number;
}): CdfPoints {
  return {
    x: [summary.min, summary.p50, summary.p90, summary.p95, summary.p99, summary.max],
    y: [0, 0.5, 0.9, 0.95, 0.99, 1],
  };
}

/** The latency CDFs of one or more labelled runs (exact when records were kept, else percentile points). */
export async function drawLatencyCdfs(
  parent: HTMLElement,
  runs: readonly { label: string; result: RunResult }[],
  notBefore?: Promise<unknown>,
): Promise<void> {
  const pick = (result: RunResult, key: 'ttft' | 'tpot' | 'e2e'): CdfPoints => {
    if (result.cdfs !== undefined) return result.cdfs[key];
    const statistics = result.statistics;
    return summaryCdf(
      key === 'ttft'
        ? statistics.firstTokenLatency
        : key === 'tpot'
          ? statistics.timePerOutputToken
          : statistics.endToEndLatency,
    );
  };
  await Promise.all(
    (
      [
        ['ttft', 'Time to first token'],
        ['tpot', 'Time per output token'],
        ['e2e', 'End-to-end latency'],
      ] as const
    ).map(([key, title]) =>
      drawChart(
        parent,
        {
          title: `${title} (CDF)`,
          xLabel: 'seconds',
          yLabel: 'fraction of requests',
          series: runs.map(({ label, result }) => {
            const points = pick(result, key);
            return { label, x: points.x, y: points.y };
          }),
        },
        notBefore,
      ),
    ),
  );
}

/**
 * Renders one run: headline cards, warnings and confidence notes, the memory plan and every
 * statistic at once; the charts once those are painted (the numbers show first). Calls
 * `onNumbersShown` when the numbers are in the page and `onNumbersPainted` when they are on screen
 * (see afterPaint). Resolves when the charts are drawn.
 */
export function renderRun(
  parent: HTMLElement,
  result: RunResult,
  onNumbersShown: () => void = () => {},
  onNumbersPainted: () => void = () => {},
): Promise<void> {
  const numbers = statisticsNumbers(result.statistics);
  const statistics = result.statistics;
  const charts = element('div', { class: 'charts' });
  const memory = statistics.memory;
  const cards = headlineCards(new Map(numbers));
  parent.replaceChildren(
    cards,
    element(
      'p',
      { class: 'muted' },
      `Simulated ${statistics.simulatedDurationS.toPrecision(4)} s, ${groupDigits(statistics.completedRequests)} requests, in ${Math.round(result.elapsedMs)} ms.`,
    ),
    ...notesList('Warnings', statistics.warnings, 'warnings'),
    ...notesList('Confidence', statistics.confidence, 'confidence'),
    element('h3', {}, 'Memory plan (per GPU)'),
    element(
      'p',
      { 'data-testid': 'memory-plan' },
      `weights ${memory.weightGbPerGpu.toFixed(2)} GB, KV cache ${memory.kvCacheGbPerGpu.toFixed(2)} GB (${groupDigits(memory.kvCapacityTokens)} tokens)${memory.localKvGbPerGpu === undefined ? '' : ` + ${memory.localKvGbPerGpu.toFixed(2)} GB set aside for sliding-window layers`}`,
    ),
    element('h3', {}, 'Charts'),
    charts,
    element('h3', {}, 'Every statistic'),
    element('div', { class: 'statistics' }, metricsTable(numbers)),
  );
  // The chart boxes are in this frame (sized, so nothing moves); the charts are drawn once the
  // numbers are painted.
  const numbersPainted = new Promise<void>((resolve) => afterPaint(cards, RESULT_NUMBER, resolve));
  void numbersPainted.then(onNumbersPainted);
  const drawn = drawRunCharts(charts, result, numbersPainted);
  onNumbersShown();
  return drawn;
}

/** The charts of one run (latency CDFs, throughput, queue and batch, KV use over time), drawn not before `notBefore`. */
async function drawRunCharts(
  charts: HTMLElement,
  result: RunResult,
  notBefore: Promise<unknown>,
): Promise<void> {
  const series = result.timeSeries;
  const draw = (spec: ChartSpec) => drawChart(charts, spec, notBefore);
  await Promise.all([
    drawLatencyCdfs(charts, [{ label: 'run', result }], notBefore),
    draw({
      title: 'Throughput over time',
      xLabel: 'time (s)',
      yLabel: 'output tokens/s',
      series: [{ label: 'output tok/s', x: series.timeS, y: series.throughputTokensPerSec }],
    }),
    draw({
      title: 'Queue and batch over time',
      xLabel: 'time (s)',
      yLabel: 'requests',
      series: [
        { label: 'waiting', x: series.timeS, y: series.queueLength },
        { label: 'batch size', x: series.timeS, y: series.batchSize },
      ],
    }),
    draw({
      title: 'KV cache use over time',
      xLabel: 'time (s)',
      yLabel: '% of blocks',
      series: [{ label: 'KV %', x: series.timeS, y: series.kvCacheUtilization.map((value) => value * 100) }],
    }),
  ]);
}
