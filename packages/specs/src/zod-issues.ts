import { z } from 'zod';
import type { ConfigIssue } from './errors';
import { isIndexable } from './json-value';
import { closestNames } from './presets/preset-lookup';

/** Dotted path `a.b.0.c` of a zod issue path. */
export function formatPath(path: readonly PropertyKey[]): string {
  return path.map(String).join('.');
}

function describeValue(value: unknown): string {
  if (typeof value === 'number') return Number.isNaN(value) ? 'NaN' : String(value);
  if (typeof value === 'string') return JSON.stringify(value);
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value;
}

function isString(value: unknown): value is string {
  return typeof value === 'string';
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let current: unknown = root;
  for (const key of path) {
    if (!isIndexable(current)) return undefined;
    current = current[key];
  }
  return current;
}

/** The schema at `path` (through objects, and the object forms of unions); undefined when there is none. */
function schemaAt(schema: z.ZodType, path: readonly PropertyKey[]): unknown {
  let current: unknown = schema;
  for (const key of path) {
    const shape = objectShape(current);
    if (shape === undefined) return undefined;
    current = unwrap(shape[String(key)]);
  }
  return current;
}

/** Known keys of the object schema at `path`, for "did you mean" hints. */
function knownKeysAt(schema: z.ZodType, path: readonly PropertyKey[]): string[] {
  const shape = objectShape(schemaAt(schema, path));
  return shape === undefined ? [] : Object.keys(shape).filter((key) => key !== '$schema');
}

/** The schema inside optional and default wrappers. */
function unwrap(schema: unknown): unknown {
  let current = schema;
  while (current instanceof z.ZodOptional || current instanceof z.ZodDefault) current = current.unwrap();
  return current;
}

/** An object schema's fields (a union's: the fields of its object forms); undefined for any other schema. */
function objectShape(schema: unknown): Readonly<Record<string, unknown>> | undefined {
  if (schema instanceof z.ZodObject) return schema.shape;
  if (!(schema instanceof z.ZodUnion)) return undefined;
  const shapes = schema.options.flatMap((option) => (option instanceof z.ZodObject ? [option.shape] : []));
  return shapes.length === 0 ? undefined : Object.assign({}, ...shapes);
}

/** Converts zod's issues into {@link ConfigIssue}s with messages that say how to fix the field. */
export function toConfigIssues(
  error: z.ZodError,
  input: unknown,
  schema: z.ZodType,
  prefix = '',
): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const at = (path: readonly PropertyKey[]) =>
    [prefix, formatPath(path)].filter((part) => part !== '').join('.');
  for (const issue of error.issues) {
    const value = valueAt(input, issue.path);
    switch (issue.code) {
      case 'unrecognized_keys': {
        const known = knownKeysAt(schema, issue.path);
        for (const key of issue.keys) {
          const close = closestNames(key, known, 1);
          const hint = close.length > 0 ? ` Did you mean "${close[0]}"?` : '';
          issues.push({
            code: 'unknown_key',
            path: at([...issue.path, key]),
            message: `unknown field "${key}".${hint} Known fields here: ${known.join(', ')}.`,
          });
        }
        break;
      }
      case 'invalid_type': {
        const got = describeValue(value);
        const notFinite = typeof value === 'number' && !Number.isFinite(value);
        issues.push({
          code: value === undefined ? 'missing_field' : notFinite ? 'not_finite' : 'invalid_type',
          path: at(issue.path),
          message:
            value === undefined
              ? `is required (expected ${issue.expected}).`
              : notFinite
                ? `must be a finite number, got ${got}. Give a real value such as 1 or 0.5.`
                : `expected ${issue.expected}, got ${got}.`,
        });
        break;
      }
      case 'too_small': {
        const minimum = Number(issue.minimum);
        const positiveRule = minimum === 0 && !issue.inclusive;
        issues.push({
          code: positiveRule ? 'not_positive' : 'out_of_range',
          path: at(issue.path),
          message: positiveRule
            ? `must be greater than 0, got ${describeValue(value)}.`
            : `must be at least ${issue.minimum}${issue.inclusive ? '' : ' (exclusive)'}, got ${describeValue(value)}.`,
        });
        break;
      }
      case 'too_big':
        issues.push({
          code: 'out_of_range',
          path: at(issue.path),
          message: `must be at most ${issue.maximum}, got ${describeValue(value)}.`,
        });
        break;
      case 'invalid_value': {
        const close = typeof value === 'string' ? closestNames(value, issue.values.filter(isString), 1) : [];
        const hint = close.length > 0 ? ` Did you mean "${close[0]}"?` : '';
        issues.push({
          code: 'invalid_value',
          path: at(issue.path),
          message: `${describeValue(value)} is not allowed; use one of ${issue.values.map((option) => JSON.stringify(option)).join(', ')}.${hint}`,
        });
        break;
      }
      case 'invalid_union': {
        const field = issue.path[issue.path.length - 1];
        const description = (schemaAt(schema, issue.path) as z.ZodType | undefined)?.description;
        issues.push({
          code: 'invalid_value',
          path: at(issue.path),
          message:
            field === 'lengthDistribution'
              ? `${describeValue(value)} is not a valid length distribution; use "fixed", "uniform", "normal", "lognormal", "zipf", "empirical", or an object such as { type: "lognormal", cv: 1 }.`
              : `${describeValue(value)} is not valid here${description === undefined ? '' : ` (${description})`}.`,
        });
        break;
      }
      default:
        issues.push({
          code: issue.code === 'not_multiple_of' ? 'invalid_value' : 'invalid_type',
          path: at(issue.path),
          message: `${issue.message} (got ${describeValue(value)}).`,
        });
    }
  }
  return issues;
}
