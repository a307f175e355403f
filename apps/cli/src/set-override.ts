import { ConfigError, errorMessage, snakeToCamel } from '@sim/specs';
import { parse as parseYaml } from 'yaml';
import { isIndexable } from './json-value';

/**
 * Applies `path=value` to a config object: the path in camelCase or snake_case
 * (`workloadSpec.arrivalRate=5`, `workload_spec.arrival_rate=5`), the value parsed as YAML
 * (numbers, booleans, strings).
 */
export function applyOverride(config: Record<string, unknown>, assignment: string): void {
  const equals = assignment.indexOf('=');
  if (equals <= 0)
    throw new ConfigError([
      {
        code: 'invalid_value',
        path: assignment,
        message: `expected path=value (e.g. workloadSpec.arrivalRate=5), got "${assignment}".`,
      },
    ]);
  const path = assignment.slice(0, equals).split('.').map(snakeToCamel);
  let value: unknown;
  try {
    value = parseYaml(assignment.slice(equals + 1));
  } catch (error) {
    throw new ConfigError([
      {
        code: 'invalid_value',
        path: assignment.slice(0, equals),
        message: `the value "${assignment.slice(equals + 1)}" is not valid YAML (${errorMessage(error).split('\n')[0]}). Quote strings that contain [ ] { } : or #.`,
      },
    ]);
  }
  let target = config;
  for (const key of path.slice(0, -1)) {
    const next = target[key];
    if (isIndexable(next)) target = next;
    else {
      const section: Record<string, unknown> = {};
      target[key] = section;
      target = section;
    }
  }
  // `split` gives at least one key.
  target[path[path.length - 1] ?? ''] = value;
}
