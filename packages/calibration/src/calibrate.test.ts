import {
  type CalibrationResult,
  calibrateProfile,
  readMeasurementsCsv,
  readVllmBenchJson,
} from '@sim/calibration';
import { ENGINE_PROFILES } from '@sim/perf-model';
import { beforeAll, describe, expect, it } from 'vitest';
import { burstWorkload, measurementCsv, simulateRecords } from './round-trip-fixture';

const deployment = {
  modelSpec: { name: 'llama-2-7b' },
  clusterSpec: { gpuSpec: { name: 'A100-80GB' } },
  engineProfile: 'vllm-v0' as const,
};
const base = ENGINE_PROFILES['vllm-v0'];
// The "real" engine: kernels 20% slower than profiled, 50% more fixed CPU time per iteration.
const truth = {
  ...base,
  computeEfficiencyScale: base.computeEfficiencyScale * 0.8,
  cpuOverheadBaseUs: base.cpuOverheadBaseUs * 1.5,
};
const measured = readMeasurementsCsv(
  measurementCsv(simulateRecords(deployment, burstWorkload(), truth)),
  'perturbed.csv',
);

describe('calibrateProfile', () => {
  let result: CalibrationResult;
  beforeAll(() => {
    result = calibrateProfile(measured, deployment);
  });

  it('recovers a perturbed profile within 2% from the unperturbed one, in well under a minute', () => {
    expect(result.fitted).toEqual([
      'computeEfficiencyScale',
      'memoryEfficiencyScale',
      'cpuOverheadBaseUs',
      'cpuOverheadPerSequenceUs',
    ]);
    expect(result.requests).toBe(318);
    for (const name of result.fitted) {
      const recovered = result.profile.parameters[name] as number;
      expect(Math.abs(recovered / truth[name] - 1), `${name}: ${recovered} vs ${truth[name]}`).toBeLessThan(
        0.02,
      );
    }
    expect(result.evaluations).toBeLessThanOrEqual(300);
    expect(result.wallTimeS).toBeLessThan(60);
    console.log(
      `recovered ${JSON.stringify(result.profile.parameters)} (truth c ${truth.computeEfficiencyScale}, m ${truth.memoryEfficiencyScale}, base ${truth.cpuOverheadBaseUs} µs, per sequence ${truth.cpuOverheadPerSequenceUs} µs) in ${result.evaluations} simulations, ${result.wallTimeS.toFixed(1)} s`,
    );
  });

  it('reports each metric before (the base profile, too fast here) and after the fit', () => {
    expect(result.before.medianTtftS.error).toBeLessThan(-0.05);
    expect(result.before.medianTpotS.error).toBeLessThan(-0.02);
    for (const metric of ['medianTtftS', 'medianE2eS', 'medianTpotS', 'throughputTokensPerS'] as const) {
      expect(result.after[metric].measured).toBe(result.before[metric].measured);
      expect(Math.abs(result.after[metric].error), metric).toBeLessThan(0.005);
    }
    expect(result.after.objective).toBeLessThan(result.before.objective / 1000);
    expect(result.baseParameters).toMatchObject({
      computeEfficiencyScale: 1,
      cpuOverheadBaseUs: base.cpuOverheadBaseUs,
    });
  });

  it('writes the calibration file format: base profile, GPU, what it was fitted on, the parameters, the fit', () => {
    const { profile } = result;
    expect(profile).toMatchObject({
      llmSimCalibration: 1,
      baseProfile: 'vllm-v0',
      gpu: 'A100-80GB',
      fittedOn: { file: 'perturbed.csv', requests: 318, model: 'llama-2-7b', tp: 1 },
    });
    expect(Object.keys(profile.parameters).sort()).toEqual([...result.fitted].sort());
    expect(profile.fit).toMatchObject({ before: result.before, after: result.after });
    expect(JSON.parse(JSON.stringify(profile))).toEqual(profile);
  });

  it('bounds the work: the first maxRequests requests, at most maxEvaluations simulations', () => {
    const progress: number[] = [];
    const small = calibrateProfile(measured, deployment, {
      maxRequests: 100,
      maxEvaluations: 25,
      onProgress: (evaluations) => progress.push(evaluations),
    });
    expect(small.requests).toBe(100);
    expect(small.evaluations).toBeLessThanOrEqual(25);
    expect(progress.length).toBeGreaterThan(10);
    expect(small.notes.join('\n')).toMatch(/the first 100 of 318 requests \(by arrival\) are replayed/);
    expect(small.after.objective).toBeLessThanOrEqual(small.before.objective);
  });

  it('fits from a vLLM benchmark result too (a burst: request_rate inf)', () => {
    const records = simulateRecords(deployment, burstWorkload([48]), truth);
    const gaps = (record: (typeof records)[number]) =>
      Array.from(
        { length: record.outputTokens - 1 },
        () => (record.endToEndLatencyS - record.firstTokenLatencyS) / (record.outputTokens - 1),
      );
    const bench = {
      model_id: 'meta-llama/Llama-2-7b-hf',
      request_rate: 'inf',
      max_concurrency: null,
      input_lens: records.map((record) => record.inputTokens),
      output_lens: records.map((record) => record.outputTokens),
      ttfts: records.map((record) => record.firstTokenLatencyS),
      itls: records.map(gaps),
      errors: records.map(() => ''),
    };
    const fromJson = calibrateProfile(readVllmBenchJson(JSON.stringify(bench), 'bench.json'), deployment, {
      maxEvaluations: 150,
    });
    expect(fromJson.requests).toBe(48);
    expect(fromJson.after.objective).toBeLessThan(fromJson.before.objective / 100);
    expect(fromJson.notes.join('\n')).toMatch(/all requests are taken to arrive at once/);
    expect(fromJson.notes.join('\n')).not.toMatch(/was measured with/); // Llama-2-7b-hf is llama-2-7b
  });

  it('fits the all-reduce latency too with tensor parallelism, and replaces the base workload', () => {
    const tp2 = {
      ...deployment,
      clusterSpec: { gpuSpec: { name: 'A100-80GB' }, nGpusPerNode: 2 },
      parallelismSpec: { tensorParallelSize: 2 },
      workloadSpec: { arrivalRate: 5 },
    };
    const fit = calibrateProfile(measured, tp2, { maxRequests: 40, maxEvaluations: 20 });
    expect(fit.fitted).toContain('collectiveLatencyScale');
    expect(fit.profile.parameters.collectiveLatencyScale).toBeGreaterThan(0);
    expect(fit.profile.fittedOn.tp).toBe(2);
    expect(fit.notes.join('\n')).toMatch(/workloadSpec is replaced by the measured requests/);
  });
});
