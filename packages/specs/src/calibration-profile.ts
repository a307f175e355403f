import { ConfigError, type ConfigIssue } from './errors';
import { getFileReader, noFileAccessIssue } from './file-reader';
import { errorMessage, isJsonObject, isOneOf } from './json-value';
import { isRegisteredName, registeredNames } from './name-registry';
import {
  CALIBRATED_PARAMETERS,
  type CalibratedParameter,
  type CalibrationProfileFile,
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
        message: `${source} is not valid JSON: ${errorMessage(error)}`,
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
  if (!isJsonObject(data) || data.llmSimCalibration !== 1)
    throw fail(
      'file_malformed',
      `${path} is not an llm-sim calibration profile (it has no "llmSimCalibration": 1). Write one with \`llm-sim calibrate MEASURED --config BASE.yaml --out PROFILE.json\`.`,
    );
  const file = data;
  const problems: string[] = [];
  const baseProfile =
    typeof file.baseProfile === 'string' && isRegisteredName('engineProfile', file.baseProfile)
      ? file.baseProfile
      : undefined;
  if (baseProfile === undefined)
    problems.push(
      `baseProfile ${JSON.stringify(file.baseProfile)} is not an engine profile (one of ${registeredNames('engineProfile').join(', ')})`,
    );
  const gpu = typeof file.gpu === 'string' && file.gpu !== '' ? file.gpu : undefined;
  if (gpu === undefined)
    problems.push(`gpu must name the GPU the measurements were taken on, got ${JSON.stringify(file.gpu)}`);
  const fittedOn = isFittedOn(file.fittedOn) ? file.fittedOn : undefined;
  if (fittedOn === undefined) problems.push('fittedOn must be an object with file, requests, model and tp');
  const parameters = readParameters(file.parameters, problems);
  if (
    problems.length > 0 ||
    baseProfile === undefined ||
    gpu === undefined ||
    fittedOn === undefined ||
    parameters === undefined
  )
    throw new ConfigError(
      problems.map((problem) => ({
        code: 'file_malformed' as const,
        path: field,
        message: `${path}: ${problem}.`,
      })),
    );
  return { ...file, llmSimCalibration: 1, baseProfile, gpu, fittedOn, parameters };
}

function isFittedOn(value: unknown): value is CalibrationProfileFile['fittedOn'] {
  return (
    isJsonObject(value) &&
    typeof value.file === 'string' &&
    typeof value.model === 'string' &&
    typeof value.requests === 'number' &&
    typeof value.tp === 'number'
  );
}

/** The fitted parameters, recording each one that is not a calibrated field or not a valid number. */
function readParameters(
  value: unknown,
  problems: string[],
): CalibrationProfileFile['parameters'] | undefined {
  if (!isJsonObject(value)) {
    problems.push(
      `parameters must be an object of engine-profile fields (${CALIBRATED_PARAMETERS.join(', ')})`,
    );
    return undefined;
  }
  const parameters: Partial<Record<CalibratedParameter, number>> = {};
  for (const [key, number] of Object.entries(value)) {
    if (!isOneOf(CALIBRATED_PARAMETERS, key))
      problems.push(
        `parameters.${key} is not a calibrated engine-profile field (one of ${CALIBRATED_PARAMETERS.join(', ')})`,
      );
    else if (
      typeof number !== 'number' ||
      !Number.isFinite(number) ||
      number < 0 ||
      (number === 0 && key.endsWith('Scale'))
    )
      problems.push(
        `parameters.${key} must be a ${key.endsWith('Scale') ? 'positive' : 'non-negative'} number, got ${JSON.stringify(number)}`,
      );
    else parameters[key] = number;
  }
  return parameters;
}
