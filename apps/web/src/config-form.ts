import type { ConfigIssue } from '@sim/engine';
import { type ConfigField, type ConfigSection, fieldText, parseFieldText } from './config-fields';
import { getPath, type JsonObject } from './config-path';
import { element } from './dom';

/** The form: one input per config field, grouped by section, with a place for each field's error. */
export class ConfigForm {
  readonly root: HTMLElement;
  private readonly inputs = new Map<string, HTMLInputElement | HTMLSelectElement>();
  private readonly errors = new Map<string, HTMLElement>();
  private readonly general: HTMLElement;

  /** `onChange(path, value)`: a field changed (value undefined: cleared, the default applies). */
  constructor(sections: readonly ConfigSection[], onChange: (path: string, value: unknown) => void) {
    this.general = element('ul', { class: 'errors', 'data-testid': 'errors' });
    this.root = element(
      'form',
      { class: 'config-form', autocomplete: 'off' },
      this.general,
      ...sections.map((section, index) =>
        element(
          'details',
          index < 5 ? { open: '' } : {},
          element('summary', {}, section.title),
          ...section.fields.map((field) => this.row(field, onChange)),
        ),
      ),
    );
    this.root.addEventListener('submit', (event) => event.preventDefault());
  }

  private row(field: ConfigField, onChange: (path: string, value: unknown) => void): HTMLElement {
    const id = `field-${field.path}`;
    const input = inputFor(field, id);
    const commit = () => onChange(field.path, parseFieldText(field, input.value));
    input.addEventListener('change', commit);
    this.inputs.set(field.path, input);
    const error = element('div', { class: 'field-error', 'data-testid': `error-${field.path}`, hidden: '' });
    this.errors.set(field.path, error);
    const name = field.path.split('.').slice(1).join('.') || field.path;
    return element(
      'div',
      { class: 'field' },
      element('label', { for: id, title: field.description }, name),
      input,
      ...suggestionList(field, id),
      element('div', { class: 'hint' }, field.description),
      error,
    );
  }

  /** Shows a config's values (fields it leaves out are empty: their placeholder says the default). */
  show(config: JsonObject): void {
    for (const [path, input] of this.inputs) input.value = fieldText(getPath(config, path));
  }

  /** Shows validation problems next to their fields (others, and their count, at the top). */
  showIssues(issues: readonly ConfigIssue[]): void {
    this.clearIssues();
    for (const issue of issues) {
      const target = this.errorFor(issue.path);
      const item = element('li', {}, `${issue.path === '' ? 'config' : issue.path}: ${issue.message}`);
      this.general.append(item);
      if (target !== undefined) {
        target.textContent = issue.message;
        target.hidden = false;
        target.closest('details')?.setAttribute('open', '');
      }
    }
  }

  clearIssues(): void {
    this.general.replaceChildren();
    for (const error of this.errors.values()) {
      error.textContent = '';
      error.hidden = true;
    }
  }

  /** The error slot of an issue's path, or of its nearest field above it (`workloadSpec.stages.0.rate` → `workloadSpec.stages`). */
  private errorFor(path: string): HTMLElement | undefined {
    const keys = path.split('.');
    for (let length = keys.length; length > 0; length--) {
      const found = this.errors.get(keys.slice(0, length).join('.'));
      if (found !== undefined) return found;
    }
    return undefined;
  }
}

function inputFor(field: ConfigField, id: string): HTMLInputElement | HTMLSelectElement {
  const common = { id, name: field.path, 'data-testid': id };
  if (field.kind === 'choice' || field.kind === 'boolean') {
    const choices = field.kind === 'boolean' ? ['true', 'false'] : field.choices;
    return element(
      'select',
      common,
      element('option', { value: '' }, '(default)'),
      ...choices.map((choice) => element('option', { value: choice }, choice)),
    );
  }
  const input = element('input', {
    ...common,
    type: 'text',
    inputmode: field.kind === 'number' || field.kind === 'integer' ? 'decimal' : 'text',
    placeholder: 'default',
  });
  if (field.choices.length > 0) input.setAttribute('list', `${id}-choices`);
  return input;
}

/** The suggestions of a free-text or JSON field (presets, registered names), as a datalist. */
function suggestionList(field: ConfigField, id: string): HTMLElement[] {
  if ((field.kind !== 'text' && field.kind !== 'json') || field.choices.length === 0) return [];
  return [
    element(
      'datalist',
      { id: `${id}-choices` },
      ...field.choices.map((choice) => element('option', { value: choice })),
    ),
  ];
}
