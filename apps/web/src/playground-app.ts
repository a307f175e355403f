import './styles.css';
import { comparePanel } from './compare-view';
import { configSections } from './config-fields';
import { ConfigForm } from './config-form';
import { DEFAULT_CONFIG, readFragment, writeFragment } from './config-fragment';
import { type JsonObject, setPath } from './config-path';
import { byId, element } from './dom';
import { planPanel } from './plan-view';
import { renderRun } from './results-view';
import type { FirstRun, SimulationClient } from './simulation-client';
import { sweepPanel } from './sweep-view';
import { panel, TaskRunner } from './task-runner';

/*
 * The playground page: the config form (its state mirrored in the URL fragment), a simulation
 * worker, and four views: the run's results, a comparison of two configs, a one-parameter sweep and
 * the capacity planner. Every string from a config or a link reaches the page as text, never HTML.
 */

/**
 * Builds the page around a started simulation worker, loads the link's config and runs it: takes
 * over `firstRun` when the worker is already running the link's config.
 */
export function startPlayground(client: SimulationClient, firstRun?: FirstRun): void {
  const sections = configSections();
  let config: JsonObject = DEFAULT_CONFIG;
  let completedRuns = 0;

  const updateFragment = () => {
    const hash = Object.keys(config).length === 0 ? '' : writeFragment(config);
    history.replaceState(null, '', `${location.pathname}${location.search}${hash}`);
  };
  const form = new ConfigForm(sections, (path, value) => {
    config = setPath(config, path, value);
    updateFragment();
  });
  const runner = new TaskRunner(client, form, () => config);
  const setConfig = (next: JsonObject) => {
    config = next;
    form.show(config);
  };

  const results = element('div', { class: 'panel-body', 'data-testid': 'results' });
  let pendingFirstRun = firstRun;
  const runConfig = () =>
    runner.run('run', results, async () => {
      const started = pendingFirstRun;
      pendingFirstRun = undefined;
      const result = await (started !== undefined && sameConfig(started.config, config)
        ? started.take(runner.onProgress)
        : client.run(config, runner.onProgress));
      performance.mark('llm-sim:result-received');
      await renderRun(results, result, () => performance.mark('llm-sim:numbers-shown'));
      performance.mark('llm-sim:charts-drawn');
      completedRuns++;
      document.body.dataset.completedRuns = String(completedRuns);
    });
  const runButton = runner.button('run', 'Run', () => void runConfig());
  const linkButton = element('button', { type: 'button', 'data-testid': 'copy-link' }, 'Copy link');
  linkButton.addEventListener('click', () => {
    updateFragment();
    void navigator.clipboard?.writeText(location.href).then(
      () => {
        runner.status.textContent = 'link copied';
      },
      () => {
        runner.status.textContent = 'the link is in the address bar';
      },
    );
  });

  byId('app').replaceChildren(
    element(
      'aside',
      { class: 'config' },
      element('div', { class: 'toolbar' }, runButton, runner.cancelButton, linkButton),
      element('div', { class: 'toolbar' }, runner.progress, runner.status),
      form.root,
      configTextSection(
        runner,
        () => config,
        (next) => {
          setConfig(next);
          updateFragment();
        },
      ),
    ),
    element(
      'div',
      { class: 'views' },
      panel('results', 'Results', results),
      comparePanel(runner),
      sweepPanel(
        runner,
        sections.flatMap((section) => section.fields),
      ),
      planPanel(runner),
    ),
  );

  /** Loads the config of the URL fragment into the form and runs it (the defaults when there is none). */
  const loadFragment = () => {
    const fragment = readFragment(location.hash);
    if (fragment.kind === 'invalid') {
      runner.showProblem(fragment.message);
      return;
    }
    setConfig(fragment.kind === 'config' ? fragment.config : DEFAULT_CONFIG);
    performance.mark('llm-sim:page-built');
    void runConfig();
  };
  addEventListener('hashchange', loadFragment);
  loadFragment();
}

function sameConfig(a: JsonObject, b: JsonObject): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** Import and export of the config as YAML or JSON (the YAML library loads on first use). */
function configTextSection(
  runner: TaskRunner,
  config: () => JsonObject,
  setConfig: (config: JsonObject) => void,
): HTMLElement {
  const text = element('textarea', { rows: '10', 'data-testid': 'config-text', spellcheck: 'false' });
  const button = (testId: string, label: string, onClick: () => Promise<void> | void) => {
    const node = element('button', { type: 'button', 'data-testid': testId }, label);
    node.addEventListener('click', () => void onClick());
    return node;
  };
  return element(
    'details',
    {},
    element('summary', {}, 'Import / export (YAML or JSON)'),
    text,
    element(
      'div',
      { class: 'toolbar' },
      button('config-import', 'Import', async () => {
        const { parseConfigRecord } = await import('./config-text');
        const parsed = parseConfigRecord(text.value);
        if (parsed.kind === 'error') runner.showProblem(parsed.message);
        else setConfig(parsed.config);
      }),
      button('config-export-json', 'Export JSON', () => {
        text.value = JSON.stringify(config(), null, 2);
      }),
      button('config-export-yaml', 'Export YAML', async () => {
        const { configYaml } = await import('./config-text');
        text.value = configYaml(config());
      }),
    ),
  );
}
