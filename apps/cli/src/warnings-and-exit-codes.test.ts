import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { captureCli } from './capture-cli';

const directory = mkdtempSync(join(tmpdir(), 'llm-sim-warnings-'));
const config = (name: string, text: string) => {
  const file = join(directory, name);
  writeFileSync(file, text);
  return file;
};
const small = config('small.yaml', 'simulation_duration_s: 20\n');
const huge = config('huge.yaml', 'simulation_duration_s: 20\nmodel_spec: { name: llama-2-70b }\n');

describe('warnings go to stderr in every mode, prefixed by the point', () => {
  it('sweep: an overloaded point says so in its row and on stderr, in table and JSON modes', async () => {
    const table = await captureCli('sweep', '--config', small, '--vary', 'rate=1,40');
    expect(table.code).toBe(0);
    const overloadedRow = table.stdout.split('\n').find((line) => /│ 40\s/.test(line)) ?? '';
    expect(overloadedRow).toMatch(/overloaded: \d+\.\d\d of 40 req\/s served/);
    expect(table.stdout.split('\n').find((line) => /│ 1\s/.test(line))).not.toMatch(/overloaded/);
    expect(table.stderr).toMatch(/^rate=40: warning: Overloaded/m);
    expect(table.stdout).not.toMatch(/warning:/);
    const json = await captureCli('sweep', '--config', small, '--vary', 'rate=1,40', '--json');
    expect(JSON.parse(json.stdout)).toHaveLength(2);
    expect(json.stderr).toMatch(/^rate=40: warning: Overloaded/m);
  });

  it('compare: each run warns on stderr, prefixed by A or B; stdout has no warnings', async () => {
    for (const mode of [[], ['--json']]) {
      const { code, stdout, stderr } = await captureCli('compare', small, small, '--rate', '40', ...mode);
      expect(code).toBe(0);
      expect(stderr).toMatch(new RegExp(`^A: ${small.replaceAll('.', '\\.')}: warning: Overloaded`, 'm'));
      expect(stderr).toMatch(new RegExp(`^B: ${small.replaceAll('.', '\\.')}: warning: Overloaded`, 'm'));
      expect(stdout).not.toMatch(/warning:/);
    }
  });

  it('run: warnings on stderr, not in the summary on stdout', async () => {
    const { code, stdout, stderr } = await captureCli('run', '--config', small, '--rate', '40');
    expect(code).toBe(0);
    expect(stderr).toMatch(/^warning: Overloaded/m);
    expect(stdout).not.toMatch(/warning:/);
    expect(stdout).toMatch(/TTFT/);
  });
});

describe('exit codes when points cannot run', () => {
  it('sweep exits 1 when every point fails, 0 when some run', async () => {
    const none = await captureCli('sweep', '--config', huge, '--vary', 'gpu=A100-40GB,A100-80GB');
    expect(none.code).toBe(1);
    expect(none.stderr).toMatch(/gpu=A100-40GB: error \(OUT_OF_MEMORY\)/);
    expect(none.stderr).toMatch(/error: none of the 2 sweep points could run/);
    expect(none.stderr).not.toMatch(/\n\s+at /);
    const some = await captureCli(
      'sweep',
      '--config',
      huge,
      '--vary',
      'gpu=A100-80GB,H200',
      '--vary',
      'tp=1,4',
    );
    expect(some.code).toBe(0);
    expect(some.stderr).toMatch(/points could not run/);
  });

  it('compare exits 1 when neither config runs, 0 (with the error on stderr) when one does', async () => {
    const none = await captureCli('compare', huge, huge);
    expect(none.code).toBe(1);
    expect(none.stderr).toMatch(/^A: .*huge\.yaml: error \(OUT_OF_MEMORY\)/m);
    expect(none.stderr).toMatch(/error: neither config could run/);
    const one = await captureCli('compare', small, huge);
    expect(one.code).toBe(0);
    expect(one.stdout).toMatch(/Speedup \(output throughput B \/ A\): -/);
    expect(one.stderr).toMatch(/^B: .*huge\.yaml: error \(OUT_OF_MEMORY\)/m);
  });
});

describe('runs too large to finish are refused as bad input', () => {
  it('run: a 1e9 s Poisson run exits 2 at once, naming the field, the estimate and --max-requests', async () => {
    const { code, stdout, stderr } = await captureCli('run', '--set', 'simulation_duration_s=1e9');
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toMatch(/simulationDurationS: this run would simulate about 2\.00e\+9 requests/);
    expect(stderr).toMatch(/--max-requests/);
    expect(stderr).not.toMatch(/\n\s+at /); // no stack trace
  });

  it('run and compare take --max-requests: lower refuses, higher allows, a bad value is exit 2', async () => {
    expect((await captureCli('run', '--max-requests', '50')).code).toBe(2);
    expect((await captureCli('run', '--max-requests', '1000', '--json')).code).toBe(0);
    expect((await captureCli('compare', small, small, '--max-requests', '10')).code).toBe(2);
    const bad = await captureCli('run', '--max-requests', 'lots');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--max-requests must be a positive number/);
  });
});

describe('review fixes', () => {
  it('sweep: points refused as bad input show the reason and exit 2', async () => {
    const { code, stdout, stderr } = await captureCli(
      'sweep',
      '--vary',
      'rate=1,2',
      '--set',
      'simulationDurationS=1e9',
    );
    expect(code).toBe(2);
    expect(stdout).toMatch(/run_too_large|would simulate about/);
    expect(stderr).toMatch(/simulationDurationS: this run would simulate about/);
  });

  it('a replayed trace is described with its own lengths, not the config defaults', async () => {
    const trace = config('replay.csv', 'arrival_time,input_tokens,output_tokens\n0,100,20\n0.5,200,30\n');
    const { code, stdout } = await captureCli('run', '--trace', trace);
    expect(code).toBe(0);
    expect(stdout).toMatch(
      /^workload: trace replay of .*replay\.csv, lengths from the trace, [\d.]+ s simulated$/m,
    );
  });

  it('plan: fractional counts are bad input (exit 2), not a search over zero requests', async () => {
    for (const flag of [
      ['--requests', '0.5'],
      ['--max-gpus', '0.5'],
      ['--top', '1.5'],
    ]) {
      const { code, stderr } = await captureCli(
        'plan',
        '--model',
        'llama-3.1-8b',
        '--rate',
        '5',
        '--slo-ttft-p99',
        '1',
        ...flag,
      );
      expect(code, flag.join(' ')).toBe(2);
      expect(stderr).toMatch(/must be a whole number of at least 1/);
    }
  });

  it('a --set value that is not YAML is bad input naming the field (exit 2)', async () => {
    const { code, stderr } = await captureCli('run', '--set', 'workloadSpec.arrivalRate=[1');
    expect(code).toBe(2);
    expect(stderr).toMatch(/workloadSpec\.arrivalRate: the value "\[1" is not valid YAML/);
  });

  it('an output in a folder that does not exist is refused before the run (exit 2)', async () => {
    const { code, stderr } = await captureCli('run', '--csv', join(directory, 'missing', 'x.csv'));
    expect(code).toBe(2);
    expect(stderr).toMatch(/does not exist; create it first/);
  });

  it('--csv to a pipe or device is written, not refused (/dev/null)', async () => {
    const { code } = await captureCli('run', '--set', 'simulationDurationS=5', '--csv', '/dev/null');
    expect(code).toBe(0);
  });

  it("--chrome-trace does not overwrite another tool's Chrome trace, but rewrites its own", async () => {
    const foreign = config('profiler.json', '{"traceEvents":[{"name":"MySpan","ph":"X","ts":0,"dur":1}]}');
    expect((await captureCli('run', '--set', 'simulationDurationS=5', '--chrome-trace', foreign)).code).toBe(
      2,
    );
    const own = join(directory, 'own-trace.json');
    expect((await captureCli('run', '--set', 'simulationDurationS=5', '--chrome-trace', own)).code).toBe(0);
    expect((await captureCli('run', '--set', 'simulationDurationS=5', '--chrome-trace', own)).code).toBe(0);
  });
});
