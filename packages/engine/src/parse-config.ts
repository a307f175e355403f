import { ConfigError, camelizeKeys, type SimulatorConfig } from '@sim/specs';
import { parse as parseYaml } from 'yaml';
import { asUnvalidatedConfig, isRecord } from './unvalidated-config';

/** How a config's text is written, and where it came from (for error messages). */
export interface ConfigTextOptions {
  /** `json` or `yaml` (YAML also reads JSON). Default `yaml`. */
  readonly format?: 'json' | 'yaml';
  /** The file (or other source) named in errors. Default `config`. */
  readonly source?: string;
}

/**
 * Parses a JSON or YAML config's text and returns it camelCased. File paths in it are kept as
 * written (`loadConfigFile` of `@sim/engine/node` makes them relative to the file). Validate the
 * result with `resolveConfig`. Throws {@link ConfigError} for unparsable text or a document that
 * is not an object.
 */
export function parseConfigText(text: string, options: ConfigTextOptions = {}): SimulatorConfig {
  return asUnvalidatedConfig(parseConfigRecord(text, options));
}

/** {@link parseConfigText}'s document as a plain camelCased object, before it is taken as a config. */
export function parseConfigRecord(
  text: string,
  { format = 'yaml', source = 'config' }: ConfigTextOptions = {},
): Record<string, unknown> {
  let data: unknown;
  try {
    data = format === 'json' ? JSON.parse(text) : parseYaml(text);
  } catch (error) {
    throw new ConfigError(
      [
        {
          code: 'file_malformed',
          path: '',
          message: `${source} is not valid ${format === 'json' ? 'JSON' : 'YAML'}: ${error instanceof Error ? error.message : String(error)}`,
        },
      ],
      { cause: error },
    );
  }
  const camelized = camelizeKeys(data);
  if (!isRecord(camelized)) {
    throw new ConfigError([
      {
        code: 'file_malformed',
        path: '',
        message: `${source} must contain an object (a mapping of sections).`,
      },
    ]);
  }
  return camelized;
}
