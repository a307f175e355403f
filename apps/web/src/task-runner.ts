import type { ConfigIssue } from '@sim/engine';
import { isJsonObject } from '@sim/specs';
import type { JsonObject } from './config-path';
import { element } from './dom';
import { type SimulationClient, TaskCancelled, TaskError } from './simulation-client';

/** Where a config's problems are shown (the form: each on its field, all of them above it). */
export interface IssueBoard {
  showIssues(issues: readonly ConfigIssue[]): void;
  clearIssues(): void;
}

/**
 * Runs the page's tasks on the simulation worker one at a time, with what surrounds each: the
 * busy state of every task button, the progress bar, the status line, and errors (a config's
 * problems on their fields, anything else in the task's output).
 */
export class TaskRunner {
  readonly progress = element('progress', { max: '1', value: '0', 'data-testid': 'progress' });
  readonly status = element('span', { class: 'status', 'data-testid': 'status', role: 'status' }, '');
  readonly cancelButton = element(
    'button',
    { type: 'button', 'data-testid': 'cancel', disabled: '' },
    'Cancel',
  );
  private readonly buttons: HTMLButtonElement[] = [];
  private busy = false;

  /** `config()`: the config the tasks run (the form's, as the user left it). */
  constructor(
    readonly client: SimulationClient,
    private readonly form: IssueBoard,
    readonly config: () => JsonObject,
  ) {
    this.cancelButton.addEventListener('click', () => client.cancelAll());
  }

  /** A primary button that starts a task (disabled while any task runs, also when made during one). */
  button(testId: string, label: string, onClick: () => void): HTMLButtonElement {
    const button = element('button', { type: 'button', 'data-testid': testId, class: 'primary' }, label);
    button.disabled = this.busy;
    button.addEventListener('click', onClick);
    this.buttons.push(button);
    return button;
  }

  /** Shows the task's progress (0 to 1). */
  readonly onProgress = (fraction: number): void => {
    if (Number.isFinite(fraction)) this.progress.value = fraction;
  };

  /** Reports a problem that is not one field's (shown above the form). */
  showProblem(message: string): void {
    this.form.showIssues([{ code: 'invalid_value', path: '', message }]);
  }

  /** Runs `work`, reporting into the status line and, on failure, `output`. */
  async run(label: string, output: HTMLElement, work: () => Promise<void>): Promise<void> {
    this.form.clearIssues();
    this.setBusy(true);
    this.status.textContent = `${label}…`;
    try {
      await work();
      this.status.textContent = `${label}: done`;
    } catch (error) {
      this.status.textContent = `${label}: ${this.report(error, output)}`;
    } finally {
      this.setBusy(false);
    }
  }

  private report(error: unknown, output: HTMLElement): string {
    if (error instanceof TaskCancelled) return 'cancelled';
    if (error instanceof TaskError && error.issues.length > 0) {
      this.form.showIssues(error.issues);
      output.replaceChildren(
        element('p', { class: 'muted' }, 'Fix the fields marked on the left; nothing was run.'),
      );
      return 'invalid config';
    }
    const message = error instanceof Error ? error.message : String(error);
    output.replaceChildren(element('p', { class: 'failure', 'data-testid': 'failure' }, message));
    return 'failed';
  }

  private setBusy(busy: boolean): void {
    this.busy = busy;
    for (const button of this.buttons) button.disabled = busy;
    this.cancelButton.disabled = !busy;
    if (!busy) this.progress.value = 0;
  }
}

/** A labelled inline input. */
export function labelled(label: string, input: HTMLElement): HTMLElement {
  return element('label', { class: 'inline' }, `${label} `, input);
}

/** One of the page's titled panels. */
export function panel(id: string, title: string, ...children: (Node | string)[]): HTMLElement {
  return element(
    'section',
    { class: 'panel', id, 'data-testid': `panel-${id}` },
    element('h2', {}, title),
    ...children,
  );
}

/** The JSON object a textarea holds, or undefined after reporting that it is not one. */
export function jsonObjectOf(runner: TaskRunner, text: string, what: string): JsonObject | undefined {
  try {
    const value: unknown = JSON.parse(text);
    if (isJsonObject(value)) return value;
  } catch {
    // reported below
  }
  runner.showProblem(`${what} must be a JSON object`);
  return undefined;
}
