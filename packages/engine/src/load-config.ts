import { existsSync, readFileSync } from 'node:fs';
import { dirname, extname, isAbsolute, resolve } from 'node:path';
import { ConfigError, type SimulatorConfig } from '@sim/specs';
import { parseConfigRecord } from './parse-config';
import { asUnvalidatedConfig, isRecord } from './unvalidated-config';

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
  const config = parseConfigRecord(readFileSync(path, 'utf8'), { format, source: path });
  rebasePaths(config, dirname(resolve(path)));
  return asUnvalidatedConfig(config);
}

function rebasePaths(config: Record<string, unknown>, base: string): void {
  const rebase = (value: unknown) =>
    typeof value === 'string' && !isAbsolute(value) ? resolve(base, value) : value;
  if (config.calibrationFile !== undefined) config.calibrationFile = rebase(config.calibrationFile);
  const workload = config.workloadSpec;
  if (!isRecord(workload)) return;
  if (workload.traceFile !== undefined) workload.traceFile = rebase(workload.traceFile);
  const lengths = workload.lengthDistribution;
  if (isRecord(lengths) && lengths.file !== undefined) lengths.file = rebase(lengths.file);
}
