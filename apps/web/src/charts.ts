import type uPlot from 'uplot';
import { element } from './dom';

/** One line of a chart: its points (x ascending not required; they are sorted). */
export interface ChartSeries {
  readonly label: string;
  readonly x: readonly number[];
  readonly y: readonly (number | null)[];
  /** Draw points only (a scatter), not lines. */
  readonly pointsOnly?: boolean;
}

/** A chart to draw. */
export interface ChartSpec {
  readonly title: string;
  readonly xLabel: string;
  readonly yLabel: string;
  readonly series: readonly ChartSeries[];
}

const PALETTE = ['#0969da', '#cf222e', '#1a7f37', '#8250df', '#bc4c00', '#1b7c83', '#6e7781'];

/**
 * Several series on one x axis: the sorted union of their x values, each series null where it has
 * no point (uPlot's aligned-data format).
 */
export function alignSeries(series: readonly ChartSeries[]): [number[], ...(number | null)[][]] {
  const xs = [...new Set(series.flatMap((line) => line.x.filter(Number.isFinite)))].sort((a, b) => a - b);
  const columns = series.map((line) => {
    const byX = new Map<number, number | null>();
    line.x.forEach((x, index) => {
      const y = line.y[index];
      byX.set(x, y === undefined || y === null || !Number.isFinite(y) ? null : y);
    });
    return xs.map((x) => byX.get(x) ?? null);
  });
  return [xs, ...columns];
}

let chartLibrary: Promise<typeof uPlot> | undefined;

/**
 * The chart library (uPlot and its stylesheet), loaded on first use: neither the page nor the
 * first result's numbers wait for it (loading it earlier, while the first run computes, takes CPU
 * from the worker on a 2-core machine).
 */
function loadChartLibrary(): Promise<typeof uPlot> {
  chartLibrary ??= Promise.all([import('uplot'), import('uplot/dist/uPlot.min.css')]).then(
    ([library]) => library.default,
  );
  return chartLibrary;
}

/**
 * Draws a chart into `parent`: appends a titled box (`data-chart` set to the title; the stylesheet
 * sizes an empty one as a drawn one, so the page does not move when it is drawn) at once, and
 * resolves with it when the chart is drawn in it, which is not before `notBefore` resolves.
 */
export async function drawChart(
  parent: HTMLElement,
  spec: ChartSpec,
  notBefore: Promise<unknown> = Promise.resolve(),
): Promise<HTMLElement> {
  const box = element('div', { class: 'chart', 'data-chart': spec.title });
  parent.append(box);
  await notBefore;
  const UPlot = await loadChartLibrary();
  const data = alignSeries(spec.series);
  new UPlot(
    {
      title: spec.title,
      width: 520,
      height: 260,
      scales: { x: { time: false } },
      axes: [{ label: spec.xLabel }, { label: spec.yLabel }],
      series: [
        { label: spec.xLabel },
        ...spec.series.map((line, index) => ({
          label: line.label,
          stroke: PALETTE[index % PALETTE.length] ?? '#0969da',
          width: line.pointsOnly ? 0 : 2,
          spanGaps: true,
          points: { show: line.pointsOnly === true || line.x.length <= 12, size: 7 },
        })),
      ],
    },
    data,
    box,
  );
  return box;
}
