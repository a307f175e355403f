import './styles.css';
import { renderComparison } from './compare-view';
import { type ConfigField, configSections } from './config-fields';
import { ConfigForm } from './config-form';
import { DEFAULT_CONFIG, readFragment, writeFragment } from './config-fragment';
import { isJsonObject, type JsonObject, mergeConfig, setPath } from './config-path';
import { byId, element } from './dom';
import { renderPlan } from './plan-view';
import { renderRun } from './results-view';
import { type SimulationClient, TaskCancelled, TaskError } from './simulation-client';
import { parseSweepValues, renderSweep } from './sweep-view';

/*
 * The playground page: the config form (its state mirrored in the URL fragment), a simulation
 * worker, and four views: the run's results, a comparison of two configs, a one-parameter sweep and
 * the capacity planner. Every string from a config or a link reaches the page as text, never HTML.
 */

/** Builds the page around a started simulation worker, loads the link's config and runs it. */
export function startPlayground(client: SimulationClient): void {
  const sections = configSections();
  let config: JsonObject = DEFAULT_CONFIG;
  let completedRuns = 0;

  const form = new ConfigForm(sections, (path, value) => {
    config = setPath(config, path, value);
    updateFragment();
  });

  const runButton = element('button', { type: 'button', 'data-testid': 'run', class: 'primary' }, 'Run');
  const cancelButton = element('button', { type: 'button', 'data-testid': 'cancel', disabled: '' }, 'Cancel');
  const linkButton = element('button', { type: 'button', 'data-testid': 'copy-link' }, 'Copy link');
  const progress = element('progress', { max: '1', value: '0', 'data-testid': 'progress' });
  const status = element('span', { class: 'status', 'data-testid': 'status', role: 'status' }, '');
  const results = element('div', { class: 'panel-body', 'data-testid': 'results' });

  // Import and export of the config as YAML or JSON.
  const configText = element('textarea', { rows: '10', 'data-testid': 'config-text', spellcheck: 'false' });
  const importButton = element('button', { type: 'button', 'data-testid': 'config-import' }, 'Import');
  const exportJsonButton = element(
    'button',
    { type: 'button', 'data-testid': 'config-export-json' },
    'Export JSON',
  );
  const exportYamlButton = element(
    'button',
    { type: 'button', 'data-testid': 'config-export-yaml' },
    'Export YAML',
  );

  // Comparison: config B is config A with these overrides.
  const compareText = element('textarea', {
    rows: '5',
    'data-testid': 'compare-overrides',
    spellcheck: 'false',
  });
  compareText.value = JSON.stringify({ clusterSpec: { gpuSpec: { name: 'H100' } } }, null, 2);
  const compareButton = element(
    'button',
    { type: 'button', 'data-testid': 'compare-run', class: 'primary' },
    'Compare A and B',
  );
  const compareOutput = element('div', { class: 'panel-body', 'data-testid': 'compare-output' });

  // Sweep over one numeric or named parameter.
  const sweepable = sections.flatMap((section) => section.fields).filter(isSweepable);
  const sweepPath = element(
    'select',
    { 'data-testid': 'sweep-path' },
    ...sweepable.map((field) => element('option', { value: field.path }, field.path)),
  );
  sweepPath.value = 'workloadSpec.arrivalRate';
  const sweepValues = element('input', { type: 'text', 'data-testid': 'sweep-values', value: '1, 2, 4, 8' });
  const sweepButton = element(
    'button',
    { type: 'button', 'data-testid': 'sweep-run', class: 'primary' },
    'Run sweep',
  );
  const sweepOutput = element('div', { class: 'panel-body', 'data-testid': 'sweep-output' });

  // Capacity planner.
  const planInputs = {
    targetRate: element('input', { type: 'text', value: '4', 'data-testid': 'plan-target-rate' }),
    ttftP99S: element('input', { type: 'text', value: '2', 'data-testid': 'plan-ttft' }),
    tpotP99S: element('input', { type: 'text', value: '0.1', 'data-testid': 'plan-tpot' }),
    gpus: element('input', { type: 'text', value: 'A100-80GB, H100', 'data-testid': 'plan-gpus' }),
    maxGpus: element('input', { type: 'text', value: '8', 'data-testid': 'plan-max-gpus' }),
  };
  const planButton = element(
    'button',
    { type: 'button', 'data-testid': 'plan-run', class: 'primary' },
    'Plan capacity',
  );
  const planOutput = element('div', { class: 'panel-body', 'data-testid': 'plan-output' });

  function isSweepable(field: ConfigField): boolean {
    return (
      field.kind === 'number' ||
      field.kind === 'integer' ||
      field.kind === 'choice' ||
      field.path.endsWith('.name')
    );
  }

  function labelled(label: string, input: HTMLElement): HTMLElement {
    return element('label', { class: 'inline' }, `${label} `, input);
  }

  function panel(id: string, title: string, ...children: (Node | string)[]): HTMLElement {
    return element(
      'section',
      { class: 'panel', id, 'data-testid': `panel-${id}` },
      element('h2', {}, title),
      ...children,
    );
  }

  byId('app').replaceChildren(
    element(
      'aside',
      { class: 'config' },
      element('div', { class: 'toolbar' }, runButton, cancelButton, linkButton),
      element('div', { class: 'toolbar' }, progress, status),
      form.root,
      element(
        'details',
        {},
        element('summary', {}, 'Import / export (YAML or JSON)'),
        configText,
        element('div', { class: 'toolbar' }, importButton, exportJsonButton, exportYamlButton),
      ),
    ),
    element(
      'div',
      { class: 'views' },
      panel('results', 'Results', results),
      panel(
        'compare',
        'Compare',
        element('p', { class: 'muted' }, 'B is the config on the left (A) with these overrides (JSON):'),
        compareText,
        element('div', { class: 'toolbar' }, compareButton),
        compareOutput,
      ),
      panel(
        'sweep',
        'Sweep',
        element(
          'div',
          { class: 'toolbar' },
          labelled('parameter', sweepPath),
          labelled('values', sweepValues),
          sweepButton,
        ),
        sweepOutput,
      ),
      panel(
        'plan',
        'Capacity planner',
        element(
          'div',
          { class: 'toolbar wrap' },
          labelled('target req/s', planInputs.targetRate),
          labelled('p99 TTFT ≤ (s)', planInputs.ttftP99S),
          labelled('p99 TPOT ≤ (s)', planInputs.tpotP99S),
          labelled('GPUs', planInputs.gpus),
          labelled('max GPUs', planInputs.maxGpus),
          planButton,
        ),
        planOutput,
      ),
    ),
  );

  function updateFragment(): void {
    const hash = Object.keys(config).length === 0 ? '' : writeFragment(config);
    history.replaceState(null, '', `${location.pathname}${location.search}${hash}`);
  }

  function setBusy(busy: boolean): void {
    for (const button of [runButton, compareButton, sweepButton, planButton]) button.disabled = busy;
    cancelButton.disabled = !busy;
    if (!busy) progress.value = 0;
  }

  function onProgress(fraction: number): void {
    if (Number.isFinite(fraction)) progress.value = fraction;
  }

  /** Runs a task on the worker with the busy state, progress and error display around it. */
  async function task(label: string, output: HTMLElement, work: () => Promise<void>): Promise<void> {
    form.clearIssues();
    setBusy(true);
    status.textContent = `${label}…`;
    try {
      await work();
      status.textContent = `${label}: done`;
    } catch (error) {
      if (error instanceof TaskCancelled) status.textContent = `${label}: cancelled`;
      else if (error instanceof TaskError && error.issues.length > 0) {
        form.showIssues(error.issues);
        output.replaceChildren(
          element('p', { class: 'muted' }, 'Fix the fields marked on the left; nothing was run.'),
        );
        status.textContent = `${label}: invalid config`;
      } else {
        output.replaceChildren(
          element(
            'p',
            { class: 'failure', 'data-testid': 'failure' },
            error instanceof Error ? error.message : String(error),
          ),
        );
        status.textContent = `${label}: failed`;
      }
    } finally {
      setBusy(false);
    }
  }

  function runConfig(): Promise<void> {
    return task('run', results, async () => {
      const result = await client.run(config, onProgress);
      performance.mark('llm-sim:result-received');
      await renderRun(results, result, () => performance.mark('llm-sim:numbers-shown'));
      performance.mark('llm-sim:charts-drawn');
      completedRuns++;
      document.body.dataset.completedRuns = String(completedRuns);
    });
  }

  function showProblem(message: string): void {
    form.showIssues([{ code: 'invalid_value', path: '', message }]);
  }

  /** Parses the JSON of a textarea as a config object, or reports it. */
  function jsonObjectOf(text: string, what: string): JsonObject | undefined {
    try {
      const value: unknown = JSON.parse(text);
      if (isJsonObject(value)) return value;
    } catch {
      // reported below
    }
    showProblem(`${what} must be a JSON object`);
    return undefined;
  }

  /** Loads the config of the URL fragment into the form and runs it (the defaults when there is none). */
  function loadFragment(): void {
    const fragment = readFragment(location.hash);
    if (fragment.kind === 'invalid') {
      showProblem(fragment.message);
      return;
    }
    config = fragment.kind === 'config' ? fragment.config : DEFAULT_CONFIG;
    form.show(config);
    performance.mark('llm-sim:page-built');
    void runConfig();
  }

  runButton.addEventListener('click', () => void runConfig());
  cancelButton.addEventListener('click', () => client.cancelAll());
  linkButton.addEventListener('click', () => {
    updateFragment();
    void navigator.clipboard?.writeText(location.href).then(
      () => {
        status.textContent = 'link copied';
      },
      () => {
        status.textContent = 'the link is in the address bar';
      },
    );
  });
  importButton.addEventListener('click', async () => {
    form.clearIssues();
    const { parseConfigRecord } = await import('./config-text');
    const parsed = parseConfigRecord(configText.value);
    if (parsed.kind === 'error') {
      showProblem(parsed.message);
      return;
    }
    config = parsed.config;
    form.show(config);
    updateFragment();
  });
  exportJsonButton.addEventListener('click', () => {
    configText.value = JSON.stringify(config, null, 2);
  });
  exportYamlButton.addEventListener('click', async () => {
    const { configYaml } = await import('./config-text');
    configText.value = configYaml(config);
  });
  compareButton.addEventListener('click', () => {
    const overrides = jsonObjectOf(compareText.value, 'the B overrides');
    if (overrides === undefined) return;
    void task('comparison', compareOutput, async () => {
      const a = await client.run(config, (fraction) => onProgress(fraction / 2));
      const b = await client.run(mergeConfig(config, overrides), (fraction) =>
        onProgress(0.5 + fraction / 2),
      );
      renderComparison(compareOutput, a, b);
    });
  });
  sweepButton.addEventListener('click', () => {
    const values = parseSweepValues(sweepValues.value);
    if (values.length === 0) {
      showProblem('give the sweep at least one value');
      return;
    }
    void task('sweep', sweepOutput, async () => {
      const points = await client.sweep(config, { path: sweepPath.value, values }, onProgress);
      renderSweep(sweepOutput, sweepPath.value, points);
    });
  });
  planButton.addEventListener('click', () => {
    const number = (input: HTMLInputElement) => Number(input.value);
    const tpot = planInputs.tpotP99S.value.trim();
    void task('plan', planOutput, async () => {
      const result = await client.plan(
        config,
        {
          targetRate: number(planInputs.targetRate),
          ttftP99S: number(planInputs.ttftP99S),
          ...(tpot === '' ? {} : { tpotP99S: Number(tpot) }),
          gpus: planInputs.gpus.value.split(/[\s,]+/).filter((gpu) => gpu !== ''),
          maxGpus: number(planInputs.maxGpus),
        },
        onProgress,
      );
      renderPlan(planOutput, result);
    });
  });
  addEventListener('hashchange', () => loadFragment());

  loadFragment();
}
