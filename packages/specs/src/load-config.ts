import { existsSync, readFileSync } from 'node:fs';
import { dirname, extname, isAbsolute, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { camelizeKeys } from './case-keys';
import { ConfigError } from './errors';
import type { SimulatorConfig } from './simulator-config';

/**
 * Reads a JSON or YAML config file (by extension; `.yml`/`.yaml` are YAML, anything else is tried
 * as JSON then YAML) and returns it camelCased, with relative trace and calibration-file paths
 * made relative to the file's folder. Validate the result with `resolveConfig`. Throws
 * {@link ConfigError} for a missing or unparsable file.
 */
export function loadConfigFile(path: string): SimulatorConfig {
  if (!existsSync(path)) {
    throw new ConfigError([
      { code: 'file_not_found', path: '', message: `config file "${path}" does not exist.` },
    ]);
  }
  const text = readFileSync(path, 'utf8');
  let data: unknown;
  try {
    data = extname(path).toLowerCase() === '.json' ? JSON.parse(text) : parseYaml(text);
  } catch (error) {
    throw new ConfigError(
      [
        {
          code: 'file_malformed',
          path: '',
          message: `${path} is not valid ${extname(path) === '.json' ? 'JSON' : 'YAML'}: ${(error as Error).message}`,
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
        message: `${path} must contain an object (a mapping of sections).`,
      },
    ]);
  }
  const config = camelizeKeys(data) as Record<string, Record<string, unknown> | undefined>;
  rebasePaths(config, dirname(resolve(path)));
  return config as SimulatorConfig;
}

function rebasePaths(config: Record<string, Record<string, unknown> | undefined>, base: string): void {
  const rebase = (value: unknown) =>
    typeof value === 'string' && !isAbsolute(value) ? resolve(base, value) : value;
  const root = config as Record<string, unknown>;
  if (root.calibrationFile !== undefined) root.calibrationFile = rebase(root.calibrationFile);
  const workload = config.workloadSpec;
  if (workload === undefined || typeof workload !== 'object') return;
  if (workload.traceFile !== undefined) workload.traceFile = rebase(workload.traceFile);
  const lengths = workload.lengthDistribution as Record<string, unknown> | undefined;
  if (lengths !== null && typeof lengths === 'object' && lengths.file !== undefined)
    lengths.file = rebase(lengths.file);
}
