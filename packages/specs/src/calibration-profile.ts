import { ConfigError, type ConfigIssue } from './errors';
import { getFileReader, noFileAccessIssue } from './file-reader';
import {
  CALIBRATED_PARAMETERS,
  type CalibratedParameter,
  type CalibrationProfileFile,
  ENGINE_PROFILE_NAMES,
  type EngineProfileName,
} from './simulator-config';

/** Where a calibration profile's text came from, for error messages. */
export interface CalibrationProfileSource {
  /** The file (or other source) named in errors. Default `calibration profile`. */
  readonly source?: string;
  /** Config path reported in errors. Default `calibrationFile`. */
  readonly field?: string;
}

/**
 * Reads and checks a calibration file (PROFILE.json, written by `llm-sim calibrate`; see
 * {@link CalibrationProfileFile}) through the current {@link FileReader}. Throws one
 * {@link ConfigError} at `field` listing every problem: a missing file (code `no_file_access` in a
 * runtime without file access), invalid JSON, not a calibration profile, an unknown base profile,
 * a parameter that is not a known engine-profile field or not a positive number.
 *
 * @param path file to read
 * @param field config path reported in errors
 */
export function readCalibrationFile(path: string, field = 'calibrationFile'): CalibrationProfileFile {
  const reader = getFileReader();
  if (reader === undefined) throw new ConfigError([noFileAccessIssue(path, field)]);
  if (!reader.exists(path))
    throw new ConfigError([
      {
        code: 'file_not_found',
        path: field,
        message: `calibration file "${path}" does not exist. Check the path (relative paths are resolved from the config file's folder, or the working directory for API calls), or write one with \`llm-sim calibrate\`.`,
      },
    ]);
  let text: string;
  try {
    text = reader.readText(path);
  } catch (error) {
    throw notJson(path, field, error);
  }
  return parseCalibrationProfile(text, { source: path, field });
}

function notJson(source: string, field: string, error: unknown): ConfigError {
  return new ConfigError(
    [
      {
        code: 'file_malformed',
        path: field,
        message: `${source} is not valid JSON: ${(error as Error).message}`,
      },
    ],
    { cause: error },
  );
}

/**
 * Parses and checks a calibration profile's JSON text (see {@link readCalibrationFile}). Throws one
 * {@link ConfigError} at `field` listing every problem.
 */
export function parseCalibrationProfile(
  text: string,
  { source: path = 'calibration profile', field = 'calibrationFile' }: CalibrationProfileSource = {},
): CalibrationProfileFile {
  const fail = (code: ConfigIssue['code'], message: string) =>
    new ConfigError([{ code, path: field, message }]);
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw notJson(path, field, error);
  }
  const file = data as Record<string, unknown> | null;
  if (file === null || typeof file !== 'object' || Array.isArray(file) || file.llmSimCalibration !== 1)
    throw fail(
      'file_malformed',
      `${path} is not an llm-sim calibration profile (it has no "llmSimCalibration": 1). Write one with \`llm-sim calibrate MEASURED --config BASE.yaml --out PROFILE.json\`.`,
    );
  const problems: string[] = [];
  const baseProfile = file.baseProfile as EngineProfileName;
  if (!ENGINE_PROFILE_NAMES.includes(baseProfile))
    problems.push(
      `baseProfile ${JSON.stringify(file.baseProfile)} is not an engine profile (one of ${ENGINE_PROFILE_NAMES.join(', ')})`,
    );
  if (typeof file.gpu !== 'string' || file.gpu === '')
    problems.push(`gpu must name the GPU the measurements were taken on, got ${JSON.stringify(file.gpu)}`);
  const fittedOn = file.fittedOn as Record<string, unknown> | null | undefined;
  if (
    fittedOn === null ||
    typeof fittedOn !== 'object' ||
    typeof fittedOn.file !== 'string' ||
    typeof fittedOn.model !== 'string' ||
    typeof fittedOn.requests !== 'number' ||
    typeof fittedOn.tp !== 'number'
  )
    problems.push('fittedOn must be an object with file, requests, model and tp');
  const parameters = file.parameters as Record<string, unknown> | null | undefined;
  if (parameters === null || typeof parameters !== 'object' || Array.isArray(parameters)) {
    problems.push(
      `parameters must be an object of engine-profile fields (${CALIBRATED_PARAMETERS.join(', ')})`,
    );
  } else {
    for (const [key, value] of Object.entries(parameters)) {
      if (!CALIBRATED_PARAMETERS.includes(key as CalibratedParameter))
        problems.push(
          `parameters.${key} is not a calibrated engine-profile field (one of ${CALIBRATED_PARAMETERS.join(', ')})`,
        );
      else if (
        typeof value !== 'number' ||
        !Number.isFinite(value) ||
        value < 0 ||
        (value === 0 && key.endsWith('Scale'))
      )
        problems.push(
          `parameters.${key} must be a ${key.endsWith('Scale') ? 'positive' : 'non-negative'} number, got ${JSON.stringify(value)}`,
        );
    }
  }
  if (problems.length > 0)
    throw new ConfigError(
      problems.map((problem) => ({
        code: 'file_malformed' as const,
        path: field,
        message: `${path}: ${problem}.`,
      })),
    );
  return file as unknown as CalibrationProfileFile;
}
