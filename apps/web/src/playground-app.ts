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
import { type IssueBoard, panel, TaskRunner } from './task-runner';

/*
 * The playground page: the config form (its state mirrored in the URL fragment), a simulation
 * worker, and four views: the run's results, a comparison of two configs, a one-parameter sweep and
 * the capacity planner. Every string from a config or a link reaches the page as text, never HTML.
 */

/** How long a link's first run may take before the rest of the page is built beside it (ms). */
const REST_OF_PAGE_DEADLINE_MS = 1_000;

/** The one-column layout of narrow screens (styles.css): the form comes before the results there. */
const ONE_COLUMN = '(max-width: 900px)';

/**
 * Builds the page around a started simulation worker, loads the link's config and runs it: takes
 * over `firstRun` when the worker is already running the link's config.
 *
 * The results come first: the page's first frame holds the toolbar and the results panel, and the
 * rest (the config form, import/export, compare, sweep, plan: most of the page's DOM, layout and
 * paint) is built once the first result's numbers are painted, so that building it does not take
 * the CPU from the worker while the first run computes. A first run that fails, or is still running
 * after {@link REST_OF_PAGE_DEADLINE_MS} (a long one), gets the rest at once. So does a narrow
 * screen: its one column puts the form above the results, which the form would push down.
 */
export function startPlayground(client: SimulationClient, firstRun?: FirstRun): void {
  let config: JsonObject = DEFAULT_CONFIG;
  let completedRuns = 0;

  const updateFragment = () => {
    const hash = Object.keys(config).length === 0 ? '' : writeFragment(config);
    history.replaceState(null, '', `${location.pathname}${location.search}${hash}`);
  };
  let form: ConfigForm | undefined;
  const issues: IssueBoard = {
    showIssues: (list) => restOfPage().showIssues(list),
    clearIssues: () => form?.clearIssues(),
  };
  const runner = new TaskRunner(client, issues, () => config);
  const setConfig = (next: JsonObject) => {
    config = next;
    form?.show(config);
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
      await renderRun(
        results,
        result,
        () => performance.mark('llm-sim:numbers-shown'),
        () => restOfPage(),
      );
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

  const aside = element(
    'aside',
    { class: 'config' },
    element('div', { class: 'toolbar' }, runButton, runner.cancelButton, linkButton),
    element('div', { class: 'toolbar' }, runner.progress, runner.status),
  );
  const views = element('div', { class: 'views' }, panel('results', 'Results', results));
  byId('app').replaceChildren(aside, views);
  if (matchMedia(ONE_COLUMN).matches) restOfPage();

  /** Builds the rest of the page (once) and returns its form. */
  function restOfPage(): ConfigForm {
    if (form !== undefined) return form;
    const sections = configSections();
    const built = new ConfigForm(sections, (path, value) => {
      config = setPath(config, path, value);
      updateFragment();
    });
    form = built;
    built.show(config);
    aside.append(
      built.root,
      configTextSection(
        runner,
        () => config,
        (next) => {
          setConfig(next);
          updateFragment();
        },
      ),
    );
    views.append(
      comparePanel(runner),
      sweepPanel(
        runner,
        sections.flatMap((section) => section.fields),
      ),
      planPanel(runner),
    );
    performance.mark('llm-sim:page-built');
    return built;
  }

  /** Loads the config of the URL fragment into the form and runs it (the defaults when there is none). */
  const loadFragment = () => {
    const fragment = readFragment(location.hash);
    if (fragment.kind === 'invalid') {
      runner.showProblem(fragment.message);
      return;
    }
    setConfig(fragment.kind === 'config' ? fragment.config : DEFAULT_CONFIG);
    const running = runConfig();
    if (form === undefined) {
      const deadline = setTimeout(restOfPage, REST_OF_PAGE_DEADLINE_MS);
      void running.finally(() => {
        clearTimeout(deadline);
        restOfPage();
      });
    }
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
