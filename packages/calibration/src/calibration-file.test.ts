import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, LLMInferenceSimulator, loadConfigFile, resolveConfig } from '@sim/engine/node';
import { ENGINE_PROFILES } from '@sim/perf-model';
import type { CalibrationProfileFile } from '@sim/specs';
import { describe, expect, it } from 'vitest';

/** How a config applies a profile written by `llm-sim calibrate` (specs validates, the engine loads). */
const directory = mkdtempSync(join(tmpdir(), 'llm-sim-calibration-file-'));
const profile: CalibrationProfileFile = {
  llmSimCalibration: 1,
  baseProfile: 'vllm-v0',
  gpu: 'A100-80GB',
  fittedOn: { file: 'measured.csv', requests: 300, model: 'llama-2-7b', tp: 1 },
  parameters: { computeEfficiencyScale: 0.5, cpuOverheadBaseUs: 4000, memoryEfficiencyScale: 0.9 },
  fit: { before: {}, after: {} },
};
const profilePath = join(directory, 'profile.json');
writeFileSync(profilePath, JSON.stringify(profile));
const workload = { workloadSpec: { arrivalRate: 2, avgInputLength: 1024 }, simulationDurationS: 30 };

function issuesOf(config: Record<string, unknown>) {
  try {
    resolveConfig(config);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).issues;
  }
  throw new Error('expected a ConfigError');
}

describe('calibrationFile', () => {
  it('runs with the base profile plus the fitted parameters, which changes predictions', () => {
    const calibrated = new LLMInferenceSimulator({ ...workload, calibrationFile: profilePath }).run();
    const plain = new LLMInferenceSimulator({ ...workload, engineProfile: 'vllm-v0' }).run();
    const byHand = new LLMInferenceSimulator({ ...workload, engineProfile: 'vllm-v0' }).run({
      engineProfile: { ...ENGINE_PROFILES['vllm-v0'], ...profile.parameters },
    });
    const ttft = (metrics: typeof plain) => metrics.computeStatistics().firstTokenLatency.p50;
    expect(ttft(calibrated)).toBeGreaterThan(1.5 * ttft(plain));
    expect(ttft(calibrated)).toBe(ttft(byHand));
    expect(calibrated.computeStatistics().throughputTokensPerSec).toBe(
      byHand.computeStatistics().throughputTokensPerSec,
    );
  });

  it('the resolved config carries the path; engineProfile defaults to the base profile, with its batching defaults', () => {
    const resolved = resolveConfig({ calibrationFile: profilePath });
    expect(resolved.calibrationFile).toBe(profilePath);
    expect(resolved.engineProfile).toBe('vllm-v0');
    expect(resolved.schedulerSpec.chunkedPrefill).toBe(false);
    expect(resolveConfig({}).calibrationFile).toBeUndefined();
    expect('calibrationFile' in resolveConfig({})).toBe(false);
  });

  it('a missing file is a field error', () => {
    const [issue, ...rest] = issuesOf({ calibrationFile: join(directory, 'missing.json') });
    expect(rest).toEqual([]);
    expect(issue).toMatchObject({ code: 'file_not_found', path: 'calibrationFile' });
    expect(issue?.message).toMatch(/missing\.json" does not exist.*llm-sim calibrate/);
  });

  it('a file that is not a calibration profile, or a bad one, is a field error listing every problem', () => {
    const config = join(directory, 'config.json');
    writeFileSync(config, JSON.stringify({ engineProfile: 'vllm' }));
    expect(issuesOf({ calibrationFile: config })[0]).toMatchObject({
      code: 'file_malformed',
      path: 'calibrationFile',
      message: expect.stringMatching(
        /is not an llm-sim calibration profile \(it has no "llmSimCalibration": 1\)/,
      ),
    });
    const bad = join(directory, 'bad.json');
    writeFileSync(
      bad,
      JSON.stringify({
        ...profile,
        baseProfile: 'vllm-v9',
        parameters: { computeEfficiencyScale: -1, launchUs: 3 },
      }),
    );
    const messages = issuesOf({ calibrationFile: bad }).map((issue) => issue.message);
    expect(messages).toEqual([
      expect.stringMatching(/bad\.json: baseProfile "vllm-v9" is not an engine profile/),
      expect.stringMatching(
        /bad\.json: parameters\.computeEfficiencyScale must be a positive number, got -1\./,
      ),
      expect.stringMatching(/bad\.json: parameters\.launchUs is not a calibrated engine-profile field/),
    ]);
    const broken = join(directory, 'broken.json');
    writeFileSync(broken, '{ "llmSimCalibration": 1,');
    expect(issuesOf({ calibrationFile: broken })[0]?.message).toMatch(/broken\.json is not valid JSON/);
  });

  it('an engineProfile other than the calibration base is an error naming both', () => {
    const issues = issuesOf({ calibrationFile: profilePath, engineProfile: 'trtllm' });
    expect(issues).toEqual([
      expect.objectContaining({
        code: 'invalid_value',
        path: 'engineProfile',
        message: expect.stringMatching(/"trtllm" is not the base profile .* fitted from "vllm-v0"/),
      }),
    ]);
    expect(resolveConfig({ calibrationFile: profilePath, engineProfile: 'vllm-v0' }).engineProfile).toBe(
      'vllm-v0',
    );
  });

  it('in a config file, a relative path is relative to the config file (snake_case too)', () => {
    const folder = join(directory, 'configs');
    mkdirSync(folder, { recursive: true });
    writeFileSync(join(folder, 'profile.json'), JSON.stringify(profile));
    writeFileSync(
      join(folder, 'calibrated.yaml'),
      'calibration_file: profile.json\nsimulation_duration_s: 5\n',
    );
    const config = loadConfigFile(join(folder, 'calibrated.yaml'));
    expect(config.calibrationFile).toBe(join(folder, 'profile.json'));
    expect(resolveConfig(config).engineProfile).toBe('vllm-v0');
  });

  it('holds for other models on the GPU it was fitted on; another GPU gets a confidence note', () => {
    const confidence = (gpu: string) =>
      new LLMInferenceSimulator({
        modelSpec: { name: 'llama-3.1-8b' },
        clusterSpec: { gpuSpec: { name: gpu } },
        calibrationFile: profilePath,
        simulationDurationS: 5,
      })
        .run()
        .computeStatistics().confidence;
    expect(confidence('A100-80GB').join('\n')).not.toMatch(/fitted on/);
    expect(confidence('a100-80gb').join('\n')).not.toMatch(/fitted on/);
    expect(confidence('H100')).toContainEqual(
      expect.stringMatching(
        /calibration file .*profile\.json was fitted on A100-80GB, this run is on H100: .* may not carry over/,
      ),
    );
  });
});
