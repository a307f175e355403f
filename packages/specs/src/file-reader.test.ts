import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ConfigError,
  getFileReader,
  memoryFileReader,
  parseCalibrationProfile,
  parseTrace,
  readCalibrationFile,
  readTraceFile,
  resolveConfig,
  setFileReader,
  traceTextHasArrivalTimes,
} from '@sim/specs';
import { nodeFileReader } from '@sim/specs/node';
import { afterEach, describe, expect, it } from 'vitest';

const trace = 'arrival_time,input_tokens,output_tokens\n0,100,10\n0.5,200,20\n';
const profile = JSON.stringify({
  llmSimCalibration: 1,
  baseProfile: 'trtllm',
  gpu: 'H100',
  fittedOn: { file: 'measured.csv', requests: 10, model: 'llama-7b', tp: 1 },
  parameters: { computeEfficiencyScale: 0.9 },
});

function issuesOf(action: () => unknown): [string, string][] {
  try {
    action();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).issues.map((issue) => [issue.code, issue.path]);
  }
  throw new Error('expected a ConfigError');
}

afterEach(() => {
  setFileReader();
});

describe('file readers', () => {
  it('read the file system under Node by default', () => {
    expect(getFileReader()).toBe(nodeFileReader);
    const path = join(mkdtempSync(join(tmpdir(), 'llm-sim-reader-')), 'trace.csv');
    writeFileSync(path, trace);
    expect(nodeFileReader.exists(path)).toBe(true);
    expect(nodeFileReader.readHead?.(path, 12)).toBe('arrival_time');
    expect(nodeFileReader.stamp?.(path)?.split('\u0000')[0]).toBe(String(trace.length));
    expect(nodeFileReader.stamp?.(`${path}.missing`)).toBeUndefined();
  });

  it('take files as text with memoryFileReader: traces, their arrival times, calibration profiles', () => {
    const previous = setFileReader(memoryFileReader({ 'trace.csv': trace, 'fit.json': profile }));
    expect(previous).toBe(nodeFileReader);
    expect(readTraceFile('trace.csv').inputTokens).toEqual(new Int32Array([100, 200]));
    const config = resolveConfig({ workloadSpec: { traceFile: 'trace.csv' }, calibrationFile: 'fit.json' });
    expect(config.workloadSpec.arrivalProcess).toBe('trace');
    expect(config.engineProfile).toBe('trtllm');
    expect(readCalibrationFile('fit.json').gpu).toBe('H100');
    expect(issuesOf(() => resolveConfig({ workloadSpec: { traceFile: 'other.csv' } }))).toEqual([
      ['trace_missing', 'workloadSpec.traceFile'],
    ]);
  });

  it('without one, a config naming a file is a ConfigError at each field, and nothing else changes', () => {
    setFileReader(null);
    expect(getFileReader()).toBeUndefined();
    expect(
      issuesOf(() =>
        resolveConfig({ workloadSpec: { traceFile: 'trace.csv' }, calibrationFile: 'fit.json' }),
      ),
    ).toEqual([
      ['no_file_access', 'calibrationFile'],
      ['no_file_access', 'workloadSpec.traceFile'],
    ]);
    const lengths = {
      workloadSpec: { lengthDistribution: { type: 'empirical', file: 'lengths.csv' } },
    } as const;
    expect(issuesOf(() => resolveConfig(lengths))).toEqual([
      ['no_file_access', 'workloadSpec.lengthDistribution.file'],
    ]);
    expect(issuesOf(() => readTraceFile('trace.csv'))).toEqual([
      ['no_file_access', 'workloadSpec.traceFile'],
    ]);
    expect(() => readCalibrationFile('fit.json')).toThrow(
      /setFileReader\(memoryFileReader\(\{ "fit.json": text \}\)\)/,
    );
    expect(resolveConfig({}).workloadSpec.arrivalProcess).toBe('poisson');
    setFileReader();
    expect(getFileReader()).toBe(nodeFileReader);
  });
});

describe('text parsers', () => {
  it('parse a trace, naming the source and line in errors', () => {
    const parsed = parseTrace(trace);
    expect(parsed.arrivalTimesS).toEqual(new Float64Array([0, 0.5]));
    expect(parsed.outputTokens).toEqual(new Int32Array([10, 20]));
    expect(() => parseTrace('input_tokens,output_tokens\n5,x\n', { source: 'upload.csv' })).toThrow(
      /upload\.csv, line 2: output tokens must be a positive integer/,
    );
    expect(traceTextHasArrivalTimes(trace)).toBe(true);
    expect(traceTextHasArrivalTimes('# lengths\ninput_tokens,output_tokens\n1,1\n')).toBe(false);
  });

  it('parse a calibration profile, naming the source in errors', () => {
    expect(parseCalibrationProfile(profile).baseProfile).toBe('trtllm');
    expect(() => parseCalibrationProfile('{', { source: 'pasted.json' })).toThrow(
      /pasted\.json is not valid JSON/,
    );
    expect(() => parseCalibrationProfile('{}')).toThrow(
      /calibration profile is not an llm-sim calibration profile/,
    );
  });
});
