import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import {
  type LatencyCdfs,
  latencyCdfs,
  type ResolvedConfig,
  type SimulationMetrics,
  type SimulationStatistics,
  type TimeSeries,
} from '@sim/engine';
import { escapeHtml, scriptSafeJson } from './html-escape';

/** One simulated deployment in a report. */
export interface ReportRun {
  readonly label: string;
  readonly config: ResolvedConfig;
  readonly statistics: SimulationStatistics;
  readonly timeSeries: TimeSeries;
  /** Latency distributions as CDF points: x in seconds, y cumulative fraction. */
  readonly cdfs: LatencyCdfs;
}

/** A sweep: one point per combination of the varied parameters. */
export interface ReportSweep {
  /** Varied config paths, in the order given. */
  readonly parameters: readonly string[];
  readonly points: readonly {
    readonly values: readonly unknown[];
    readonly statistics: SimulationStatistics;
  }[];
}

/** One feasible deployment of a capacity plan. */
export interface ReportPlanPoint {
  readonly label: string;
  /** $/hour for all GPUs (NaN without a price). */
  readonly costPerHour: number;
  readonly gpus: number;
  readonly ttftP99S: number;
  readonly tpotP99S: number;
  readonly pareto: boolean;
}

export interface ReportInput {
  readonly title: string;
  readonly runs: readonly ReportRun[];
  readonly sweep?: ReportSweep;
  /** Ranked deployments of `llm-sim plan`, drawn as the cost vs P99 TTFT frontier. */
  readonly plan?: readonly ReportPlanPoint[];
  /**
   * What produced the report beyond the runs' own configs (a sweep's base config and varied
   * values, a plan's request), shown as JSON under "Configuration".
   */
  readonly settings?: readonly { readonly label: string; readonly value: unknown }[];
}

/** A run for a report from its metrics (run with `recordRequests: true` for the latency CDFs). */
export function reportRunOf(
  label: string,
  metrics: SimulationMetrics,
  statistics: SimulationStatistics = metrics.computeStatistics(),
): ReportRun {
  return {
    label,
    config: metrics.config,
    statistics,
    timeSeries: metrics.timeSeries(),
    cdfs: latencyCdfs(metrics.requestRecords()),
  };
}

let chartLibrary: { js: string; css: string } | undefined;

/** uPlot's minified browser build and stylesheet, read once from the installed package (inlined into reports). */
function loadChartLibrary(): { js: string; css: string } {
  if (chartLibrary === undefined) {
    const require = createRequire(import.meta.url);
    chartLibrary = {
      js: readFileSync(require.resolve('uplot/dist/uPlot.iife.min.js'), 'utf8'),
      css: readFileSync(require.resolve('uplot/dist/uPlot.min.css'), 'utf8'),
    };
  }
  return chartLibrary;
}

const seconds = (value: number) =>
  Number.isFinite(value) ? (value < 1 ? `${(value * 1000).toFixed(1)} ms` : `${value.toFixed(2)} s`) : '–';

function summaryTable(runs: readonly ReportRun[]): string {
  const rows: [string, (statistics: SimulationStatistics) => string][] = [
    ['completed / total requests', (s) => `${s.completedRequests} / ${s.totalRequests}`],
    ['output throughput', (s) => `${s.throughputTokensPerSec.toFixed(1)} tok/s`],
    ['requests per second', (s) => s.requestsPerSec.toFixed(2)],
    [
      'TTFT p50 / p95 / p99',
      (s) =>
        [s.firstTokenLatency.p50, s.firstTokenLatency.p95, s.firstTokenLatency.p99].map(seconds).join(' / '),
    ],
    [
      'TPOT p50 / p95 / p99',
      (s) =>
        [s.timePerOutputToken.p50, s.timePerOutputToken.p95, s.timePerOutputToken.p99]
          .map(seconds)
          .join(' / '),
    ],
    [
      'E2E p50 / p95 / p99',
      (s) => [s.endToEndLatency.p50, s.endToEndLatency.p95, s.endToEndLatency.p99].map(seconds).join(' / '),
    ],
    ['GPU utilization', (s) => `${(s.gpuUtilization * 100).toFixed(1)}%`],
    [
      'KV cache mean / peak',
      (s) =>
        `${(s.kvCacheUtilization.mean * 100).toFixed(1)}% / ${(s.kvCacheUtilization.peak * 100).toFixed(1)}%`,
    ],
    ['mean batch size', (s) => s.meanBatchSize.toFixed(1)],
    ['preemptions', (s) => String(s.preemptions)],
    ['prefix cache hit rate', (s) => `${(s.prefixCacheHitRate * 100).toFixed(1)}%`],
  ];
  if (runs.some((run) => run.statistics.replicas.length > 1))
    rows.push(['routing imbalance (max / mean)', (s) => s.routingImbalance.toFixed(2)]);
  if (runs.some((run) => run.statistics.disaggregation !== undefined))
    rows.push(
      ...(['prefill', 'decode'] as const).map(
        (role): [string, (statistics: SimulationStatistics) => string] => [
          `${role} pool: GPUs, busy, mean queue`,
          (s) => {
            const pool = s.disaggregation?.[role];
            return pool === undefined
              ? '–'
              : `${pool.gpus}× ${pool.gpu}, ${(pool.gpuUtilization * 100).toFixed(1)}%, ${pool.meanQueueLength.toFixed(2)}`;
          },
        ],
      ),
      [
        'KV transfer p50 / p99',
        (s) =>
          s.disaggregation === undefined
            ? '–'
            : [s.disaggregation.kvTransferTime.p50, s.disaggregation.kvTransferTime.p99]
                .map(seconds)
                .join(' / '),
      ],
    );
  if (runs.some((run) => run.statistics.sessions !== undefined))
    rows.push(
      [
        'sessions started / completed / failed',
        (s) =>
          s.sessions === undefined
            ? '–'
            : `${s.sessions.started} / ${s.sessions.completed} / ${s.sessions.failed}`,
      ],
      [
        'TTFT p50 / p99, first turns',
        (s) =>
          s.sessions === undefined
            ? '–'
            : [s.sessions.firstTurnFirstTokenLatency.p50, s.sessions.firstTurnFirstTokenLatency.p99]
                .map(seconds)
                .join(' / '),
      ],
      [
        'TTFT p50 / p99, follow-up turns',
        (s) =>
          s.sessions === undefined
            ? '–'
            : [s.sessions.followUpFirstTokenLatency.p50, s.sessions.followUpFirstTokenLatency.p99]
                .map(seconds)
                .join(' / '),
      ],
      [
        'follow-up prefix hit rate',
        (s) =>
          s.sessions === undefined ? '–' : `${(s.sessions.followUpPrefixCacheHitRate * 100).toFixed(1)}%`,
      ],
    );
  const head = runs.map((run) => `<th>${escapeHtml(run.label)}</th>`).join('');
  const body = rows
    .map(
      ([name, format]) =>
        `<tr><th>${escapeHtml(name)}</th>${runs.map((run) => `<td>${escapeHtml(format(run.statistics))}</td>`).join('')}</tr>`,
    )
    .join('\n');
  return `<table class="summary"><thead><tr><th></th>${head}</tr></thead><tbody>${body}</tbody></table>`;
}

function planTable(plan: readonly ReportPlanPoint[]): string {
  const rows = plan
    .slice(0, 30)
    .map(
      (point, index) =>
        `<tr><td>${index + 1}</td><th>${escapeHtml(point.label)}</th><td>${point.gpus}</td><td>${Number.isFinite(point.costPerHour) ? `$${point.costPerHour.toFixed(2)}` : '–'}</td><td>${escapeHtml(seconds(point.ttftP99S))}</td><td>${escapeHtml(seconds(point.tpotP99S))}</td><td>${point.pareto ? '★' : ''}</td></tr>`,
    )
    .join('\n');
  return `<h2>Cheapest deployments</h2><table class="summary"><thead><tr><th>#</th><th>deployment</th><th>GPUs</th><th>$/hour</th><th>P99 TTFT</th><th>P99 TPOT</th><th>Pareto</th></tr></thead><tbody>${rows}</tbody></table>`;
}

function notes(input: ReportInput): string {
  const sweep = input.sweep;
  const labelled: { label: string; statistics: SimulationStatistics }[] = [
    ...input.runs,
    ...(sweep === undefined
      ? []
      : sweep.points.map((point) => ({
          label: sweep.parameters
            .map((parameter, index) => `${parameter}=${String(point.values[index])}`)
            .join(', '),
          statistics: point.statistics,
        }))),
  ];
  const items: string[] = [];
  for (const { label, statistics } of labelled) {
    for (const warning of statistics.warnings)
      items.push(`<li class="warning"><b>${escapeHtml(label)}</b>: ${escapeHtml(warning)}</li>`);
    for (const note of statistics.confidence)
      items.push(`<li class="confidence"><b>${escapeHtml(label)}</b>: ${escapeHtml(note)}</li>`);
  }
  return items.length === 0 ? '' : `<h2>Warnings and confidence</h2><ul>${items.join('')}</ul>`;
}

/**
 * A self-contained HTML report (no network): config, summary, and uPlot charts of the latency
 * CDFs, throughput and queue length over time, batch size and KV use over time, and, for sweeps,
 * P95 TTFT and throughput against the first varied parameter. Every string from the config is
 * escaped; the data travels as script-safe JSON.
 */
export function renderReport(input: ReportInput): string {
  const { js, css } = loadChartLibrary();
  const data = {
    runs: input.runs.map((run) => ({
      label: run.label,
      timeSeries: run.timeSeries,
      cdfs: run.cdfs,
      replicas: run.statistics.replicas,
    })),
    sweep: input.sweep,
    // JSON has no NaN: an unknown price becomes null (the chart then uses GPUs on the x axis).
    plan: input.plan?.map((point) => ({
      ...point,
      costPerHour: Number.isFinite(point.costPerHour) ? point.costPerHour : null,
    })),
  };
  const configs = [
    ...(input.settings ?? []).map(
      (setting) =>
        `<details open><summary>${escapeHtml(setting.label)}</summary><pre>${escapeHtml(JSON.stringify(setting.value, null, 2))}</pre></details>`,
    ),
    ...input.runs.map(
      (run) =>
        `<details><summary>${escapeHtml(run.label)}: configuration</summary><pre>${escapeHtml(JSON.stringify(run.config, null, 2))}</pre></details>`,
    ),
  ].join('\n');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="generator" content="llm-sim">
<title>${escapeHtml(input.title)}</title>
<style>${css}</style>
<style>
body { font: 14px/1.45 system-ui, sans-serif; margin: 24px auto; max-width: 1200px; color: #1b1f24; padding: 0 16px; }
h1 { font-size: 22px; } h2 { font-size: 17px; margin-top: 28px; }
table.summary { border-collapse: collapse; } table.summary th, table.summary td { border: 1px solid #d0d7de; padding: 4px 10px; text-align: right; }
table.summary th:first-child { text-align: left; }
.charts { display: flex; flex-wrap: wrap; gap: 16px; } .chart { border: 1px solid #d0d7de; padding: 8px; }
pre { background: #f6f8fa; padding: 8px; overflow: auto; max-height: 400px; }
li.warning { color: #9a6700; } li.confidence { color: #57606a; }
</style>
<script>${js}</script>
</head>
<body>
<h1>${escapeHtml(input.title)}</h1>
${input.runs.length > 0 ? `<h2>Summary</h2>${summaryTable(input.runs)}` : ''}
${notes(input)}
${input.plan === undefined ? '' : planTable(input.plan)}
<div id="charts"></div>
<h2>Configuration</h2>
${configs}
<script type="application/json" id="report-data">${scriptSafeJson(data)}</script>
<script>
(function () {
  var data = JSON.parse(document.getElementById('report-data').textContent);
  var root = document.getElementById('charts');
  var palette = ['#0969da', '#cf222e', '#1a7f37', '#8250df', '#bc4c00', '#1b7c83', '#6e7781'];
  var rendered = 0;
  function section(title) {
    var heading = document.createElement('h2'); heading.textContent = title; root.appendChild(heading);
    var box = document.createElement('div'); box.className = 'charts'; root.appendChild(box); return box;
  }
  // Legend values: the value under the cursor while hovering; otherwise a summary of the series
  // (uPlot would show "--"), e.g. the median of a CDF or the mean over time.
  function fmt(v) {
    if (v == null || !isFinite(v)) return '';
    var a = Math.abs(v);
    return a !== 0 && (a < 0.001 || a >= 1e6) ? v.toExponential(2) : String(+v.toPrecision(4));
  }
  function finite(values) { return values.filter(function (v) { return v != null && isFinite(v); }); }
  function mean(values) {
    var f = finite(values);
    return f.length ? f.reduce(function (a, b) { return a + b; }, 0) / f.length : NaN;
  }
  function range(values) {
    var f = finite(values);
    if (!f.length) return 'no data';
    var low = Math.min.apply(null, f), high = Math.max.apply(null, f);
    return low === high ? fmt(low) : fmt(low) + '–' + fmt(high);
  }
  function legendValue(summary) {
    return function (u, v, seriesIndex, dataIndex) { return dataIndex == null ? summary : fmt(v); };
  }
  function chart(box, title, xLabel, series, columns, axes, options) {
    var holder = document.createElement('div'); holder.className = 'chart'; holder.setAttribute('data-chart', title);
    box.appendChild(holder);
    options = options || {};
    new uPlot({
      title: title, width: 560, height: 300,
      scales: Object.assign({ x: { time: false } }, options.scales),
      axes: [Object.assign({ label: xLabel }, options.xAxis)].concat(axes || [{ label: '' }]),
      series: [{ label: xLabel, value: legendValue(range(columns[0])) }].concat(series.map(function (s, i) {
        var average = fmt(mean(columns[i + 1]));
        var summary = s.summary !== undefined ? s.summary : average === '' ? 'no data' : 'mean ' + average;
        return Object.assign({ stroke: palette[i % palette.length], width: 2, spanGaps: true, points: { show: false }, value: legendValue(summary) }, s);
      })),
    }, columns, holder);
    rendered++;
  }
  function median(curve) {
    for (var i = 0; i < curve.y.length; i++) if (curve.y[i] >= 0.5) return 'median ' + fmt(curve.x[i]);
    return 'no data';
  }
  // Several CDFs on one x axis: the union of x values, each series null where it has no point.
  function cdfColumns(curves) {
    var xs = [];
    curves.forEach(function (c) { xs = xs.concat(c.x); });
    xs = Array.from(new Set(xs)).sort(function (a, b) { return a - b; });
    var columns = [xs];
    curves.forEach(function (c) {
      var map = new Map(); c.x.forEach(function (x, i) { map.set(x, c.y[i]); });
      columns.push(xs.map(function (x) { return map.has(x) ? map.get(x) : null; }));
    });
    return columns;
  }
  if (data.runs.length > 0) {
    var latency = section('Latency distributions (CDF)');
    [['ttft', 'Time to first token (s)'], ['tpot', 'Time per output token (s)'], ['e2e', 'End-to-end latency (s)']].forEach(function (pair) {
      var curves = data.runs.map(function (run) { return run.cdfs[pair[0]]; });
      chart(latency, pair[1] + ' CDF', pair[1], data.runs.map(function (run) { return { label: run.label, summary: median(run.cdfs[pair[0]]) }; }), cdfColumns(curves), [{ label: 'fraction of requests' }]);
    });
    var routed = data.runs.filter(function (run) { return run.replicas.length > 1; });
    if (routed.length > 0) {
      var replicas = section('Per replica: requests routed and prefix-cache hit rate');
      routed.forEach(function (run) {
        chart(replicas, run.label + ': per replica', 'replica',
          [{ label: 'requests routed', scale: 'y', width: 0, points: { show: true, size: 9 } },
            { label: 'hit rate (%)', scale: 'hit', width: 0, points: { show: true, size: 9 } }],
          [run.replicas.map(function (_, i) { return i; }), run.replicas.map(function (r) { return r.requests; }),
            run.replicas.map(function (r) { return r.prefixCacheHitRate * 100; })],
          [{ label: 'requests', scale: 'y' }, { label: 'hit rate %', scale: 'hit', side: 1, grid: { show: false } }],
          // Replicas are categories (integer ticks, a margin either side); both scales start at 0.
          { xAxis: { incrs: [1] },
            scales: { x: { time: false, range: [-0.5, run.replicas.length - 0.5] },
              y: { range: function (u, min, max) { return [0, max * 1.1 || 1]; } },
              hit: { range: [0, 100] } } });
      });
    }
    var overTime = section('Over time');
    data.runs.forEach(function (run) {
      var ts = run.timeSeries;
      chart(overTime, run.label + ': throughput and queue', 'time (s)',
        [{ label: 'output tok/s', scale: 'y' }, { label: 'queue length', scale: 'queue' }],
        [ts.timeS, ts.throughputTokensPerSec, ts.queueLength],
        [{ label: 'tokens/s', scale: 'y' }, { label: 'waiting requests', scale: 'queue', side: 1, grid: { show: false } }]);
      chart(overTime, run.label + ': batch size and KV cache', 'time (s)',
        [{ label: 'batch size', scale: 'y' }, { label: 'KV cache use (%)', scale: 'kv' }],
        [ts.timeS, ts.batchSize, ts.kvCacheUtilization.map(function (v) { return v * 100; })],
        [{ label: 'sequences', scale: 'y' }, { label: 'KV %', scale: 'kv', side: 1, grid: { show: false } }]);
    });
  }
  if (data.sweep && data.sweep.points.length > 0) {
    var sweep = data.sweep;
    var box = section('Sweep: metrics against ' + sweep.parameters[0]);
    var xs = Array.from(new Set(sweep.points.map(function (p) { return p.values[0]; })));
    var numeric = xs.every(function (x) { return typeof x === 'number'; });
    if (numeric) xs.sort(function (a, b) { return a - b; });
    var groups = new Map();
    sweep.points.forEach(function (p) {
      var key = p.values.slice(1).map(function (v, i) { return sweep.parameters[i + 1] + '=' + v; }).join(', ') || 'all';
      if (!groups.has(key)) groups.set(key, []);
      groups.get(key).push(p);
    });
    var xAxis = numeric ? xs : xs.map(function (_, i) { return i; });
    var xLabel = sweep.parameters[0] + (numeric ? '' : ' (' + xs.join(', ') + ')');
    [['P95 TTFT (s)', function (s) { return s.firstTokenLatency.p95; }],
     ['Output throughput (tok/s)', function (s) { return s.throughputTokensPerSec; }],
     ['P95 TPOT (s)', function (s) { return s.timePerOutputToken.p95; }]].forEach(function (metric) {
      var columns = [xAxis];
      var series = [];
      groups.forEach(function (points, key) {
        var column = xs.map(function (x) {
          var point = points.find(function (p) { return p.values[0] === x; });
          var value = point ? metric[1](point.statistics) : null;
          return value === null || !isFinite(value) ? null : value;
        });
        series.push({ label: key, points: { show: true }, summary: range(column) });
        columns.push(column);
      });
      chart(box, metric[0] + ' vs ' + sweep.parameters[0], xLabel, series, columns, [{ label: metric[0] }]);
    });
  }
  if (data.plan && data.plan.length > 0) {
    var priced = data.plan.every(function (p) { return p.costPerHour !== null; });
    var xOf = function (p) { return priced ? p.costPerHour : p.gpus; };
    var planBox = section('Cost vs latency');
    var planXs = Array.from(new Set(data.plan.map(xOf))).sort(function (a, b) { return a - b; });
    var bestAt = planXs.map(function (x) {
      return Math.min.apply(null, data.plan.filter(function (p) { return xOf(p) === x; }).map(function (p) { return p.ttftP99S; }));
    });
    var frontierAt = planXs.map(function (x) {
      var hit = data.plan.find(function (p) { return p.pareto && xOf(p) === x; });
      return hit ? hit.ttftP99S : null;
    });
    chart(planBox, 'P99 TTFT at the target rate vs ' + (priced ? 'cost' : 'GPUs'), priced ? '$ per hour' : 'GPUs',
      [{ label: 'best deployment at this cost', width: 0, points: { show: true, size: 7 }, summary: data.plan.length + ' deployments' },
       { label: 'Pareto frontier', points: { show: true }, summary: data.plan.filter(function (p) { return p.pareto; }).length + ' on the frontier' }],
      [planXs, bestAt, frontierAt], [{ label: 'P99 TTFT (s)' }]);
  }
  window.__chartsRendered = rendered;
})();
</script>
</body>
</html>
`;
}
