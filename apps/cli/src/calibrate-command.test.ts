import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LLMInferenceSimulator } from '@sim/engine';
import { describe, expect, it } from 'vitest';
import { captureCli, requireBinary, shell } from './capture-cli';

const directory = mkdtempSync(join(tmpdir(), 'llm-sim-calibrate-'));
const HEADER = 'arrival_time,input_tokens,output_tokens,first_token_time,last_token_time';

/**
 * A small measurement file: bursts of 1 to 16 requests (prompts 64–1600 tokens, outputs 16–200) on
 * llama-2-7b / A100-80GB, "measured" on an engine whose kernels are 20% slower and whose fixed CPU
 * time is 50% longer than the vllm-v0 profile's (a calibration file applied to the run).
 */
function writeMeasurements(): string {
  const truth = join(directory, 'truth.json');
  writeFileSync(
    truth,
    JSON.stringify({
      llmSimCalibration: 1,
      baseProfile: 'vllm-v0',
      gpu: 'A100-80GB',
      fittedOn: { file: 'by hand', requests: 0, model: 'llama-2-7b', tp: 1 },
      parameters: { computeEfficiencyScale: 0.8, cpuOverheadBaseUs: 2101.5 },
    }),
  );
  const rows: string[] = [];
  let time = 0;
  let request = 0;
  for (const size of [1, 1, 2, 4, 8, 16]) {
    time += 30;
    for (let index = 0; index < size; index++, request++)
      rows.push(`${time},${64 + ((request * 397) % 1537)},${16 + ((request * 53) % 185)}`);
  }
  const trace = join(directory, 'bursts.csv');
  writeFileSync(trace, `arrival_time,input_tokens,output_tokens\n${rows.join('\n')}\n`);
  const records = new LLMInferenceSimulator({
    modelSpec: { name: 'llama-2-7b' },
    calibrationFile: truth,
    workloadSpec: { traceFile: trace },
    drain: true,
  })
    .run({ recordRequests: true })
    .requestRecords();
  const clock = 1_750_000_000; // a Unix-time clock, as a load generator logs it
  const lines = [...records]
    .sort((a, b) => a.id - b.id)
    .map((r) => {
      const arrival = clock + r.arrivalS;
      return `${arrival},${r.inputTokens},${r.outputTokens},${arrival + r.firstTokenLatencyS},${arrival + r.endToEndLatencyS}`;
    });
  const measured = join(directory, 'measured.csv');
  writeFileSync(measured, `${HEADER}\n${lines.join('\n')}\n`);
  return measured;
}

const measured = writeMeasurements();
const base = join(directory, 'base.yaml');
writeFileSync(
  base,
  'model_spec: { name: llama-2-7b }\ncluster_spec: { gpu_spec: { name: A100-80GB } }\nengine_profile: vllm-v0\nworkload_spec: { arrival_rate: 3 }\n',
);

describe('llm-sim calibrate', () => {
  it('end to end (the built binary): fits, prints before/after, writes a profile a config can use', () => {
    const binary = requireBinary();
    const fit = shell(
      `node "${binary}" calibrate measured.csv --config base.yaml --out profile.json`,
      directory,
    );
    expect(fit.code, fit.stderr).toBe(0);
    expect(fit.stdout).toMatch(
      /metric\s+│?\s*measured\s+│?\s*vllm-v0 profile\s+│?\s*error\s+│?\s*calibrated\s+│?\s*error/,
    );
    for (const row of ['median TTFT (ms)', 'median E2E (ms)', 'median TPOT (ms)', 'throughput (out tok/s)'])
      expect(fit.stdout).toContain(row);
    expect(fit.stdout).toMatch(/computeEfficiencyScale\s+│?\s*1\.00\s+│?\s*0\.8\d/);
    expect(fit.stdout).toMatch(
      /Fitted on 32 requests \(llama-2-7b, TP 1, A100-80GB\) in \d+ simulations, [\d.]+ s\./,
    );
    expect(fit.stderr).toMatch(/^calibrating: 32 of 32 measured requests, at most 300 simulations$/m);
    expect(fit.stderr).toMatch(/note: the base config's workloadSpec is replaced by the measured requests/);
    expect(fit.stderr).toMatch(
      /wrote out: profile\.json \(use it with calibrationFile: profile\.json in a config\)/,
    );

    const profile = JSON.parse(readFileSync(join(directory, 'profile.json'), 'utf8'));
    expect(profile).toMatchObject({
      llmSimCalibration: 1,
      baseProfile: 'vllm-v0',
      gpu: 'A100-80GB',
      fittedOn: { file: 'measured.csv', requests: 32, model: 'llama-2-7b', tp: 1 },
    });
    // 32 requests pin the compute efficiency; CPU time and memory efficiency trade off a little
    // (the calibration package's round trip, with 318 requests, recovers every parameter within 2%).
    expect(Math.abs(profile.parameters.computeEfficiencyScale / 0.8 - 1)).toBeLessThan(0.02);
    expect(Math.abs(profile.parameters.cpuOverheadBaseUs / 2101.5 - 1)).toBeLessThan(0.1);
    expect(profile.fit.before.rmsLogError.ttft).toBeGreaterThan(0.1);
    expect(profile.fit.after.rmsLogError.ttft).toBeLessThan(0.01);

    // The profile in use: a config names it; a rerun may overwrite the profile it wrote.
    writeFileSync(
      join(directory, 'calibrated.yaml'),
      'calibration_file: profile.json\nsimulation_duration_s: 10\n',
    );
    const run = shell(`node "${binary}" run --config calibrated.yaml --json`, directory);
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout).resolvedConfig).toMatchObject({
      engineProfile: 'vllm-v0',
      calibrationFile: join(directory, 'profile.json'),
    });
    const again = shell(
      `node "${binary}" calibrate measured.csv --config base.yaml --out profile.json --max-evaluations 20 --json`,
      directory,
    );
    expect(again.code, again.stderr).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ llmSimCalibration: 1, wallTimeS: expect.any(Number) });
  }, 120_000);

  it('a bad measurement file is bad input (exit 2) naming the file and line; nothing is written', async () => {
    const lines = readFileSync(measured, 'utf8').split('\n');
    const [arrival, input, output, first] = (lines[5] as string).split(',');
    lines[5] = [arrival, input, output, first, Number(first) - 0.5].join(',');
    const bad = join(directory, 'bad.csv');
    writeFileSync(bad, lines.join('\n'));
    const out = join(directory, 'never.json');
    const { code, stdout, stderr } = await captureCli('calibrate', bad, '--config', base, '--out', out);
    expect(code).toBe(2);
    expect(stderr).toMatch(
      new RegExp(
        `^error: ${bad.replaceAll('.', '\\.')}:6: last_token_time [\\d.]+ is earlier than first_token_time`,
        'm',
      ),
    );
    expect(stderr).not.toMatch(/\n\s+at /);
    expect(stdout).toBe('');
    expect(existsSync(out)).toBe(false);

    const missing = await captureCli('calibrate', join(directory, 'nope.csv'), '--out', out);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/nope\.csv: the measurement file does not exist/);
  });

  it('refuses to write the profile over its inputs or over a file llm-sim did not write', async () => {
    const overInput = await captureCli('calibrate', measured, '--config', base, '--out', measured);
    expect(overInput.code).toBe(2);
    expect(overInput.stderr).toMatch(/--out .*measured\.csv is also the measurement file this command reads/);
    const notes = join(directory, 'notes.json');
    writeFileSync(notes, '{"mine": true}\n');
    const overOther = await captureCli('calibrate', measured, '--config', base, '--out', notes);
    expect(overOther.code).toBe(2);
    expect(overOther.stderr).toMatch(
      /is not a calibration profile that llm-sim wrote .*refusing to overwrite it/,
    );
    expect(readFileSync(notes, 'utf8')).toBe('{"mine": true}\n');
    const noOut = await captureCli('calibrate', measured);
    expect(noOut.code).toBe(2);
    expect(noOut.stderr).toMatch(/--out <file>/);
    const fewEvaluations = await captureCli(
      'calibrate',
      measured,
      '--out',
      join(directory, 'p.json'),
      '--max-evaluations',
      '3',
    );
    expect(fewEvaluations.code).toBe(2);
    expect(fewEvaluations.stderr).toMatch(/--max-evaluations must be at least 10/);
  });

  it('calibrates on stage summaries (inference-perf), choosing the experiment; --experiment only for them', async () => {
    const stage = (rate: number, ttftS: number, e2eS: number) => ({
      rate,
      durationS: 40,
      successes: rate * 40,
      failures: 0,
      ttftS: { median: ttftS },
      e2eS: { median: e2eS },
      promptLen: { mean: 500 },
      outputLen: { mean: 120, median: 120 },
      outputTokensPerSec: rate * 120,
    });
    const summaries = join(directory, 'stage-metrics.json');
    writeFileSync(
      summaries,
      JSON.stringify({
        experiments: [
          {
            experiment: 'run-7b',
            model: 'meta-llama/Llama-2-7b-hf',
            maxNumSeqs: 64,
            stages: [stage(1, 0.05, 3.2), stage(4, 0.06, 3.6)],
          },
          { experiment: 'run-13b', model: 'meta-llama/Llama-2-13b-hf', stages: [stage(1, 0.08, 5)] },
        ],
      }),
    );
    const out = join(directory, 'stages-profile.json');
    const ambiguous = await captureCli('calibrate', summaries, '--config', base, '--out', out);
    expect(ambiguous.code).toBe(2);
    expect(ambiguous.stderr).toMatch(
      /experiments: holds 2 experiments; choose one with --experiment \(one of: run-7b, run-13b\)/,
    );
    const { code, stdout, stderr } = await captureCli(
      'calibrate',
      summaries,
      '--experiment',
      '7b',
      '--config',
      base,
      '--out',
      out,
      '--max-evaluations',
      '40',
    );
    expect(code, stderr).toBe(0);
    expect(stderr).toMatch(/calibrating: 2 stage summaries of run-7b, at most 40 simulations/);
    expect(stdout).toMatch(/run-7b#1\s+│\s*1\.00\s+│\s*50\.0\s+│/);
    expect(stdout).toMatch(/admissionDelayIterations\s+│\s*0\.00\s+│/);
    expect(stdout).toMatch(
      /Fitted on 2 stage summaries \(200 requests; llama-2-7b, TP 1, A100-80GB\) in \d+ simulations/,
    );
    const profile = JSON.parse(readFileSync(out, 'utf8'));
    expect(profile).toMatchObject({
      llmSimCalibration: 1,
      baseProfile: 'vllm-v0',
      fittedOn: { file: `${summaries} (run-7b, 2 stage summaries)`, requests: 200 },
    });
    expect(Object.keys(profile.parameters)).toContain('admissionDelayIterations');

    const wrongFormat = await captureCli(
      'calibrate',
      measured,
      '--experiment',
      'x',
      '--config',
      base,
      '--out',
      out,
    );
    expect(wrongFormat.code).toBe(2);
    expect(wrongFormat.stderr).toMatch(
      /--experiment chooses an experiment of a stage-summary file; .* is a per-request CSV/,
    );
  }, 120_000);

  it('has --help with examples and the measurement formats', async () => {
    const { code, stdout } = await captureCli('calibrate', '--help');
    expect(code).toBe(0);
    expect(stdout).toMatch(
      /Examples:\n\s+llm-sim calibrate measured\.csv --config base\.yaml --out profile\.json/,
    );
    expect(stdout).toContain('arrival_time,input_tokens,output_tokens,first_token_time,last_token_time');
    expect(stdout).toMatch(/--save-result --save-detailed/);
    expect(stdout).toMatch(/stage summaries of a load-generator run/);
    expect(stdout).toMatch(/--experiment <id>/);
  });
});
