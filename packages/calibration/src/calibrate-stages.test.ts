import {
  calibrateFromStages,
  type MeasuredStage,
  MeasurementError,
  replayStage,
  type StageCalibrationResult,
  type StageMeasurements,
} from '@sim/calibration';
import { ENGINE_PROFILES } from '@sim/perf-model';
import { beforeAll, describe, expect, it } from 'vitest';

const deployment = {
  modelSpec: { name: 'llama-2-7b' },
  clusterSpec: { gpuSpec: { name: 'A100-80GB' } },
  engineProfile: 'vllm-v0' as const,
  schedulerSpec: { chunkedPrefill: true, enablePrefixCaching: true },
  seed: 42,
};
const base = ENGINE_PROFILES['vllm-v0'];
// The "real" engine: kernels 20% slower, 50% more fixed CPU time per iteration, and new requests
// reach the engine 1.5 iterations after they arrive (the base profile has no such delay).
const truth = {
  ...base,
  computeEfficiencyScale: base.computeEfficiencyScale * 0.8,
  cpuOverheadBaseUs: base.cpuOverheadBaseUs * 1.5,
  admissionDelayIterations: 1.5,
};

/** A stage "measured" on the true engine: its medians are the true engine's replay. */
function measuredStage(index: number, rate: number, overrides: Partial<MeasuredStage> = {}): MeasuredStage {
  const template: MeasuredStage = {
    id: `sim#${index}`,
    rate,
    durationS: 120,
    successes: Math.round(rate * 120),
    failures: 0,
    ttftS: { median: 1 },
    e2eS: { median: 1 },
    promptLen: { mean: 700 },
    outputLen: { mean: 180, median: 200 },
    outputTokensPerSec: 1,
    maxNumSeqs: 128,
    groups: 4,
    prefixLength: 200,
    ...overrides,
  };
  const predicted = replayStage(deployment, template, { engineProfile: truth });
  return {
    ...template,
    ttftS: { median: predicted.ttftMedianS },
    e2eS: { median: predicted.e2eMedianS },
    outputTokensPerSec: predicted.outputTokensPerSec,
  };
}

const measurements: StageMeasurements = {
  file: 'simulated.json',
  format: 'stage-summaries',
  experiment: 'sim',
  model: 'meta-llama/Llama-2-7b-hf',
  tensorParallelSize: 1,
  stages: [measuredStage(1, 1), measuredStage(2, 4), measuredStage(3, 8)],
  notes: [],
};

describe('calibrateFromStages', () => {
  let result: StageCalibrationResult;
  beforeAll(() => {
    result = calibrateFromStages(
      measurements,
      { ...deployment, workloadSpec: { arrivalRate: 3 } },
      { maxEvaluations: 200 },
    );
  });

  it("reproduces the true engine's stage medians from the base profile, fitting the admission delay too", () => {
    expect(result.fitted).toEqual([
      'computeEfficiencyScale',
      'memoryEfficiencyScale',
      'cpuOverheadBaseUs',
      'cpuOverheadPerSequenceUs',
      'admissionDelayIterations',
    ]);
    expect(result.fittedStages).toBe(3);
    expect(result.before.rmsLogError).toBeGreaterThan(0.05);
    expect(result.after.rmsLogError).toBeLessThan(0.015);
    for (const stage of result.after.stages) {
      expect(Math.abs(stage.ttftMedianS.error), stage.id).toBeLessThan(0.03);
      expect(Math.abs(stage.e2eMedianS.error), stage.id).toBeLessThan(0.03);
    }
    // Slower kernels and a longer fixed CPU time than the base: the fit moves that way.
    expect(result.engineProfile.cpuOverheadBaseUs).toBeGreaterThan(base.cpuOverheadBaseUs);
    expect(result.engineProfile.admissionDelayIterations).toBeGreaterThan(0.5);
    expect(result.evaluations).toBeLessThanOrEqual(200);
    expect(result.notes.join('\n')).toMatch(/workloadSpec is replaced by each stage's/);
  });

  it('writes a calibration file the simulator reads: base profile, GPU, what it was fitted on, the parameters', () => {
    expect(result.profile).toMatchObject({
      llmSimCalibration: 1,
      baseProfile: 'vllm-v0',
      gpu: 'A100-80GB',
      fittedOn: { file: 'simulated.json (sim, 3 stage summaries)', model: 'llama-2-7b', tp: 1 },
    });
    expect(Object.keys(result.profile.parameters)).toEqual(result.fitted);
    expect(result.profile.parameters.admissionDelayIterations).toBe(
      Number(result.engineProfile.admissionDelayIterations.toPrecision(6)),
    );
  });

  it('compares overloaded stages on throughput without fitting them, and refuses a run with nothing else', () => {
    const overloaded: MeasuredStage = {
      ...(measurements.stages[0] as MeasuredStage),
      id: 'sim#9',
      failures: 3,
      durationS: 30,
    };
    const withOverload = calibrateFromStages(
      { ...measurements, stages: [measurements.stages[0] as MeasuredStage, overloaded] },
      deployment,
      { maxEvaluations: 20 },
    );
    expect(withOverload.fittedStages).toBe(1);
    expect(withOverload.before.stages[1]?.overloaded).toBe(true);
    expect(withOverload.notes.join('\n')).toMatch(/1 overloaded stage\(s\) are compared on throughput only/);
    expect(() => calibrateFromStages({ ...measurements, stages: [overloaded] }, deployment)).toThrow(
      MeasurementError,
    );
    expect(() => calibrateFromStages({ ...measurements, stages: [overloaded] }, deployment)).toThrow(
      /every stage of sim was overloaded/,
    );
  });

  it('notes a model or TP that differs from the one measured', () => {
    const other = calibrateFromStages(
      {
        ...measurements,
        model: 'meta-llama/Llama-2-13b-hf',
        tensorParallelSize: 2,
        stages: [measurements.stages[0] as MeasuredStage],
      },
      deployment,
      { maxEvaluations: 12 },
    );
    expect(other.notes.join('\n')).toMatch(/ran with tensor parallelism 2, the base config simulates 1/);
    expect(other.notes.join('\n')).toMatch(/measured with meta-llama\/Llama-2-13b-hf \(llama-2-13b\)/);
  });
});
