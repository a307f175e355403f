import { ConfigError, camelizeKeys, type SimulatorConfig } from '@sim/specs';
import { parse as parseYaml } from 'yaml';

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
export function parseConfigText(
  text: string,
  { format = 'yaml', source = 'config' }: ConfigTextOptions = {},
): SimulatorConfig {
  let data: unknown;
  try {
    data = format === 'json' ? JSON.parse(text) : parseYaml(text);
  } catch (error) {
    throw new ConfigError(
      [
        {
          code: 'file_malformed',
          path: '',
          message: `${source} is not valid ${format === 'json' ? 'JSON' : 'YAML'}: ${(error as Error).message}`,
        },
      ],
      { cause: error },
    );
  }
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    throw new ConfigError([
      {
        code: 'file_malformed',
        path: '',
        message: `${source} must contain an object (a mapping of sections).`,
      },
    ]);
  }
  return camelizeKeys(data) as SimulatorConfig;
}
