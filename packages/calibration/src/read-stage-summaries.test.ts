import { MeasurementError, readMeasurements, readStageSummaries } from '@sim/calibration';
import { describe, expect, it } from 'vitest';

/** One experiment as the vLLM V1 stage summaries hold it (inference-perf, per stage). */
function experiment(id: string, overrides: Record<string, unknown> = {}) {
  return {
    experiment: id,
    model: 'meta-llama/Llama-2-7b-hf',
    tensorParallelSize: 1,
    maxNumSeqs: 128,
    maxNumBatchedTokens: 2048,
    maxModelLen: 4096,
    workload: { num_unique_system_prompts: 9, num_users_per_system_prompt: 5, system_prompt_len: 100 },
    stages: [
      {
        rate: 8,
        durationS: 600,
        successes: 4800,
        failures: 0,
        ttftS: { mean: 0.027, median: 0.0268, p90: 0.031, p99: 0.036 },
        e2eS: { mean: 2.06, median: 2.05, p90: 2.23, p99: 2.4 },
        promptLen: { mean: 575.45, median: 575 },
        outputLen: { mean: 209.4, median: 248 },
        outputTokensPerSec: 1676,
      },
    ],
    ...overrides,
  };
}

function errorOf(text: string, choose?: string): MeasurementError {
  try {
    readStageSummaries(text, 'runs.json', choose);
  } catch (error) {
    expect(error).toBeInstanceOf(MeasurementError);
    return error as MeasurementError;
  }
  throw new Error('expected a MeasurementError');
}

describe('readStageSummaries', () => {
  it('reads one experiment: its stages with the launch limits and shared prompts of the experiment', () => {
    const read = readStageSummaries(JSON.stringify(experiment('run-a')), 'runs.json');
    expect(read.format).toBe('stage-summaries');
    expect(read.experiment).toBe('run-a');
    expect(read.model).toBe('meta-llama/Llama-2-7b-hf');
    expect(read.tensorParallelSize).toBe(1);
    expect(read.stages).toHaveLength(1);
    expect(read.stages[0]).toMatchObject({
      id: 'run-a#1',
      rate: 8,
      maxNumSeqs: 128,
      maxNumBatchedTokens: 2048,
      maxModelLen: 4096,
      groups: 9,
      prefixLength: 100,
      usersPerGroup: 5,
      ttftS: { median: 0.0268 },
    });
  });

  it('chooses an experiment of a file of several by id or by a part of it naming exactly one', () => {
    const text = JSON.stringify({ experiments: [experiment('7b-general'), experiment('70b-general')] });
    expect(readStageSummaries(text, 'runs.json', '70b-general').experiment).toBe('70b-general');
    expect(readStageSummaries(text, 'runs.json', '70b').experiment).toBe('70b-general');
    // An exact id wins over its appearing inside another id.
    expect(readStageSummaries(text, 'runs.json', '7b-general').experiment).toBe('7b-general');
    expect(errorOf(text).message).toMatch(
      /runs\.json: experiments: holds 2 experiments; choose one with --experiment \(one of: 7b-general, 70b-general\)/,
    );
    expect(errorOf(text, 'general').message).toMatch(/2 experiments match "general"/);
    expect(errorOf(text, 'mixtral').message).toMatch(/no experiments match "mixtral"/);
  });

  it('names the field and what it must be', () => {
    const missing = experiment('x');
    (missing.stages[0] as Record<string, unknown>).ttftS = { mean: 0.1 };
    expect(errorOf(JSON.stringify(missing)).message).toBe(
      'runs.json: stages[0].ttftS.median: is missing (time to first token, seconds).',
    );
    const negative = experiment('x');
    (negative.stages[0] as Record<string, unknown>).rate = -1;
    expect(errorOf(JSON.stringify({ experiments: [negative] })).message).toBe(
      'runs.json: experiments[0].stages[0].rate: must be a positive number (arrivals per second), got -1.',
    );
    expect(errorOf(JSON.stringify(experiment('x', { stages: [] }))).message).toMatch(
      /stages: must be a non-empty list of stages/,
    );
    expect(errorOf(JSON.stringify(experiment('x', { maxNumSeqs: 1.5 }))).message).toMatch(
      /maxNumSeqs: must be a positive integer \(the server's max_num_seqs\), got 1\.5/,
    );
    expect(errorOf('{"stages": [').message).toMatch(/^runs\.json: is not valid JSON/);
    const error = errorOf(JSON.stringify({ nothing: 1 }));
    expect(error.code).toBe('INVALID_CONFIG');
    expect(error.issues[0]?.path).toBe('measurements');
  });

  it('is what readMeasurements returns for a JSON file with stages (the vLLM benchmark JSON stays its own format)', () => {
    const read = readMeasurements(
      JSON.stringify({ experiments: [experiment('a'), experiment('b')] }),
      'runs.json',
      {
        experiment: 'b',
      },
    );
    expect(read.format).toBe('stage-summaries');
    expect(read.format === 'stage-summaries' && read.experiment).toBe('b');
  });
});
