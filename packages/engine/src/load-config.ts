import { existsSync, readFileSync } from 'node:fs';
import { dirname, extname, isAbsolute, resolve } from 'node:path';
import { ConfigError, type SimulatorConfig } from '@sim/specs';
import { parseConfigText } from './parse-config';

/**
 * Reads a JSON or YAML config file (`.json` is JSON, anything else YAML, which reads JSON too) and
 * returns it camelCased, with relative trace and calibration-file paths made relative to the
 * file's folder. Validate the result with `resolveConfig`. Throws {@link ConfigError} for a
 * missing or unparsable file. Node only (`@sim/engine/node`); elsewhere, `parseConfigText`.
 */
export function loadConfigFile(path: string): SimulatorConfig {
  if (!existsSync(path)) {
    throw new ConfigError([
      { code: 'file_not_found', path: '', message: `config file "${path}" does not exist.` },
    ]);
  }
  const format = extname(path).toLowerCase() === '.json' ? 'json' : 'yaml';
  const config = parseConfigText(readFileSync(path, 'utf8'), { format, source: path }) as Record<
    string,
    Record<string, unknown> | undefined
  >;
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
