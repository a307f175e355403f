import { gpuPresetNames, isJsonObject, modelPresetNames } from '@sim/specs';
import configSchema from '@sim/specs/simulator-config.schema.json';
import type { JsonObject } from './config-path';

/** How a field is edited: a number, a yes/no, one of fixed choices, free text (with suggestions), or JSON. */
export type FieldKind = 'number' | 'integer' | 'boolean' | 'choice' | 'text' | 'json';

/** One config field the form edits. */
export interface ConfigField {
  /** Dotted path in the config, e.g. `workloadSpec.arrivalRate`. */
  readonly path: string;
  readonly kind: FieldKind;
  /** Fixed choices (`choice`) or suggestions (`text`: presets, registered names). */
  readonly choices: readonly string[];
  /** The schema's description (units and the default). */
  readonly description: string;
}

/** A titled group of fields: one section of the config. */
export interface ConfigSection {
  readonly key: string;
  readonly title: string;
  readonly fields: readonly ConfigField[];
}

const SECTIONS: readonly (readonly [key: string, title: string])[] = [
  ['modelSpec', 'Model'],
  ['clusterSpec', 'Cluster and GPU'],
  ['parallelismSpec', 'Parallelism'],
  ['schedulerSpec', 'Scheduler'],
  ['workloadSpec', 'Workload'],
  ['run', 'Engine profile and run'],
  ['slo', 'SLOs'],
];

/** Fields a browser cannot use: they name files on disk. */
const FILE_FIELDS = new Set(['workloadSpec.traceFile', 'calibrationFile', '$schema']);

/** Suggestions the schema cannot know: the preset names. */
function suggestions(path: string): readonly string[] | undefined {
  if (path === 'modelSpec.name') return modelPresetNames();
  if (path === 'clusterSpec.gpuSpec.name') return gpuPresetNames();
  return undefined;
}

function strings(values: unknown): string[] {
  return Array.isArray(values) ? values.filter((value): value is string => typeof value === 'string') : [];
}

function fieldOf(path: string, node: JsonObject): ConfigField {
  const description = typeof node.description === 'string' ? node.description : '';
  const choices = strings(node.enum);
  if (choices.length > 0) return { path, kind: 'choice', choices, description };
  const type = node.type;
  if (type === 'number' || type === 'integer' || type === 'boolean')
    return { path, kind: type, choices: [], description };
  if (type === 'string')
    return { path, kind: 'text', choices: suggestions(path) ?? strings(node.examples), description };
  // A name or an object (the router, a distribution): JSON, suggesting the names its forms list.
  const forms = Array.isArray(node.anyOf) ? node.anyOf.filter(isJsonObject) : [];
  const names = forms.flatMap((form) => [...strings(form.enum), ...strings(form.examples)]);
  return { path, kind: 'json', choices: [...new Set(names)], description };
}

/** Every editable field under a schema node, nested objects flattened into dotted paths. */
function fieldsOf(prefix: string, node: JsonObject): ConfigField[] {
  const properties = node.properties;
  if (!isJsonObject(properties)) return [];
  return Object.entries(properties).flatMap(([key, child]) => {
    const path = prefix === '' ? key : `${prefix}.${key}`;
    if (FILE_FIELDS.has(path) || !isJsonObject(child)) return [];
    if (isJsonObject(child.properties)) return fieldsOf(path, child);
    return [fieldOf(path, child)];
  });
}

/**
 * The form's sections, derived from @sim/specs' shipped JSON Schema of the config (generated from
 * its zod schemas and checked up to date by its tests; so every field the
 * simulator accepts is here, described as the schema describes it). Top-level scalars (engine
 * profile, duration, seed, ...) form the "run" section.
 */
export function configSections(): ConfigSection[] {
  const schema: unknown = configSchema;
  if (!isJsonObject(schema)) return [];
  const all = fieldsOf('', schema);
  return SECTIONS.map(([key, title]) => ({
    key,
    title,
    fields: all.filter((field) =>
      key === 'run' ? !field.path.includes('.') : field.path.startsWith(`${key}.`),
    ),
  }));
}

/**
 * The config value of a field's text: '' leaves the field out (the default applies); a number
 * field's text that is not a number is kept as text, so validation reports it on that field.
 */
export function parseFieldText(field: ConfigField, text: string): unknown {
  const trimmed = text.trim();
  if (trimmed === '') return undefined;
  if (field.kind === 'number' || field.kind === 'integer') {
    const value = Number(trimmed);
    return Number.isFinite(value) ? value : trimmed;
  }
  if (field.kind === 'boolean') return trimmed === 'true' ? true : trimmed === 'false' ? false : trimmed;
  if (field.kind === 'json') {
    try {
      return JSON.parse(trimmed);
    } catch {
      return trimmed; // a plain word (e.g. lengthDistribution: lognormal) or text validation rejects
    }
  }
  return trimmed;
}

/** A field's text for a config value (the inverse of {@link parseFieldText}). */
export function fieldText(value: unknown): string {
  if (value === undefined) return '';
  return typeof value === 'string' ? value : JSON.stringify(value);
}
