import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { main } from '@sim/cli';
import { describe, expect, it } from 'vitest';
import { REPOSITORY_ROOT, runBinary } from './capture-cli';

async function cli(...argv: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, { stdout: (text) => (stdout += text), stderr: (text) => (stderr += text) });
  return { code, stdout, stderr };
}

const directory = mkdtempSync(join(tmpdir(), 'llm-sim-cli-'));
const short = ['--set', 'simulationDurationS=10'];

describe('llm-sim run --replicas and --router', () => {
  it('set the data-parallel replicas (GPUs per node follow) and the router; the summary shows each replica', async () => {
    const json = await cli('run', ...short, '--tp', '2', '--replicas', '3', '--router', 'least-kv', '--json');
    expect(json.code).toBe(0);
    const { resolvedConfig } = JSON.parse(json.stdout);
    expect(resolvedConfig.parallelismSpec).toMatchObject({
      tensorParallelSize: 2,
      dataParallelSize: 3,
      router: 'least-kv',
    });
    expect(resolvedConfig.clusterSpec.nGpusPerNode).toBe(6);
    const text = await cli(
      'run',
      ...short,
      '--replicas',
      '2',
      '--router',
      'prefix-affinity',
      '--set',
      'workloadSpec.sessions.turnsPerSession=2',
      '--set',
      'workloadSpec.sessions.thinkTimeS=1',
    );
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(
      /replicas \(router prefix-affinity, imbalance max\/mean \d\.\d\d\): requests \d+ \/ \d+; hit rate/,
    );
    expect(text.stdout).toMatch(/sessions: \d+ started, \d+ completed, 0 failed, \d+ follow-up turns/);
  });

  it('a bad count or router name is bad input naming the flag or field', async () => {
    const count = await cli('run', ...short, '--replicas', '0');
    expect(count.code).toBe(2);
    expect(count.stderr).toContain('--replicas');
    const name = await cli('run', ...short, '--replicas', '2', '--router', 'least-kb');
    expect(name.code).toBe(2);
    expect(name.stderr).toContain('parallelismSpec.router');
    expect(name.stderr).toContain('Did you mean "least-kv"?');
  });
});

describe('llm-sim run outputs', () => {
  it('--csv writes one row per completed request; --chrome-trace writes a Chrome trace; --report writes HTML', async () => {
    const csv = join(directory, 'requests.csv');
    const trace = join(directory, 'trace.json');
    const report = join(directory, 'report.html');
    const { code, stdout, stderr } = await cli(
      'run',
      ...short,
      '--json',
      '--csv',
      csv,
      '--chrome-trace',
      trace,
      '--report',
      report,
    );
    expect(code).toBe(0);
    const statistics = JSON.parse(stdout);
    const lines = readFileSync(csv, 'utf8').trim().split('\n');
    expect(lines[0]).toBe(
      'id,replica,arrivalS,inputTokens,outputTokens,queueingDelayS,firstTokenLatencyS,endToEndLatencyS,preemptions',
    );
    expect(lines).toHaveLength(statistics.completedRequests + 1);
    const events = JSON.parse(readFileSync(trace, 'utf8')).traceEvents;
    expect(events.length).toBeGreaterThan(100);
    expect(events[0]).toMatchObject({ ph: 'X', pid: 0, tid: 0 });
    expect(readFileSync(report, 'utf8')).toMatch(/^<!doctype html>/);
    expect(stderr).toMatch(/wrote report/);
    expect(stderr.includes(String.fromCharCode(27))).toBe(false); // no ANSI codes, no progress bar without a terminal
  });
});

describe('llm-sim sweep', () => {
  it('runs the cartesian product; one row per point, in order', async () => {
    const { code, stdout } = await cli(
      'sweep',
      ...short,
      '--vary',
      'rate=1,4',
      '--vary',
      'workloadSpec.avgOutputLength=32,64',
      '--json',
    );
    expect(code).toBe(0);
    const points = JSON.parse(stdout);
    expect(points.map((point: { values: unknown }) => point.values)).toEqual([
      { rate: 1, 'workloadSpec.avgOutputLength': 32 },
      { rate: 1, 'workloadSpec.avgOutputLength': 64 },
      { rate: 4, 'workloadSpec.avgOutputLength': 32 },
      { rate: 4, 'workloadSpec.avgOutputLength': 64 },
    ]);
    expect(points[2].statistics.requestsPerSec).toBeGreaterThan(points[0].statistics.requestsPerSec);
  });

  it('prints a table, writes CSV, and reports points that cannot run instead of failing the sweep', async () => {
    const csv = join(directory, 'sweep.csv');
    const { code, stdout, stderr } = await cli(
      'sweep',
      ...short,
      '--model',
      'llama-2-70b',
      '--vary',
      'gpu=A100-40GB,H100',
      '--vary',
      'tp=1,4',
      '--csv',
      csv,
    );
    expect(code).toBe(0);
    expect(stdout).toMatch(/gpu.*tp.*out tok\/s/);
    expect(stdout).toMatch(/OUT_OF_MEMORY/);
    expect(readFileSync(csv, 'utf8').trim().split('\n')).toHaveLength(5);
    expect(stderr).toMatch(/points could not run/);
  });

  it('bad --vary is bad input (exit 2) with the expected form', async () => {
    const { code, stderr } = await cli('sweep', '--vary', 'workloadSpec.arrivalRate');
    expect(code).toBe(2);
    expect(stderr).toMatch(/--vary expects PATH=v1,v2/);
  });

  // turbo builds the CLI before its tests (turbo.json: @sim/cli#test depends on build).
  it('the built binary runs points on worker threads', () => {
    const points = JSON.parse(
      runBinary(['sweep', ...short, '--vary', 'rate=1,2,3', '--workers', '2', '--json']),
    );
    expect(points).toHaveLength(3);
    expect(points.every((point: { ok: boolean }) => point.ok)).toBe(true);
  });
});

describe('llm-sim compare', () => {
  it('shows two runs side by side with ratios and the speedup', async () => {
    const a = join(directory, 'a.yaml');
    const b = join(directory, 'b.yaml');
    writeFileSync(
      a,
      'model_spec: { name: llama-2-13b }\nsimulation_duration_s: 10\nworkload_spec: { arrival_rate: 4 }\n',
    );
    writeFileSync(
      b,
      'model_spec: { name: llama-2-13b }\nsimulation_duration_s: 10\nworkload_spec: { arrival_rate: 4 }\nparallelism_spec: { tensor_parallel_size: 4 }\ncluster_spec: { n_gpus_per_node: 4 }\n',
    );
    const { code, stdout } = await cli('compare', a, b);
    expect(code).toBe(0);
    expect(stdout).toMatch(/TPOT p50 \(ms\)/);
    expect(stdout).toMatch(/Speedup \(output throughput B \/ A\): \d+\.\d\dx/);
    const json = JSON.parse((await cli('compare', a, b, '--json')).stdout);
    expect(json.b.timePerOutputToken.p50).toBeLessThan(json.a.timePerOutputToken.p50);
    expect(json.ratios['TPOT p50 (ms)']).toBeLessThan(1);
  });

  it('a missing file is bad input', async () => {
    const { code, stderr } = await cli('compare', join(directory, 'missing.yaml'), join(directory, 'a.yaml'));
    expect(code).toBe(2);
    expect(stderr).toMatch(/missing\.yaml/);
  });
});

describe('help', () => {
  it('every command has --help with examples', async () => {
    for (const command of ['run', 'sweep', 'compare', 'plan', 'calibrate', 'presets', 'validate']) {
      const { code, stdout } = await cli(command, '--help');
      expect(code, command).toBe(0);
      expect(stdout, command).toMatch(/Example/);
    }
  });

  it('every file an example in --help names exists (relative to the repository root)', async () => {
    const root = REPOSITORY_ROOT;
    for (const command of ['', 'run', 'sweep', 'compare', 'plan', 'validate']) {
      const { stdout } = await cli(...(command === '' ? [] : [command]), '--help');
      const examples = stdout.split('\n').filter((line) => /^\s+llm-sim /.test(line));
      expect(examples.length, command).toBeGreaterThan(0);
      for (const line of examples)
        for (const file of line.match(/\S+\.(ya?ml|json|csv)\b/g) ?? []) {
          const outputFlag = new RegExp(`--(csv|report|chrome-trace) ${file.replaceAll('.', '\\.')}`).test(
            line,
          );
          if (outputFlag) continue; // outputs
          expect(existsSync(resolve(root, file)), `${command} --help: ${line.trim()}`).toBe(true);
        }
    }
  });
});

describe('llm-sim plan', () => {
  const small = ['--model', 'llama-2-7b', '--gpus', 'A100-80GB,H100', '--max-gpus', '4', '--requests', '100'];
  it('ranks deployments that meet the SLOs, cheapest first, with a Pareto frontier', async () => {
    const { code, stdout, stderr } = await cli(
      'plan',
      ...small,
      '--rate',
      '6',
      '--slo-ttft-p99',
      '0.5',
      '--slo-tpot-p99',
      '0.05',
      '--set',
      'workloadSpec.avgOutputLength=64',
      '--json',
    );
    expect(code).toBe(0);
    const plan = JSON.parse(stdout);
    expect(plan.candidates).toBeGreaterThan(10);
    expect(plan.rows.length).toBeGreaterThan(0);
    const costs = plan.rows.map(
      (row: { costPerHour: number | null }) => row.costPerHour ?? Number.POSITIVE_INFINITY,
    );
    expect(costs).toEqual([...costs].sort((a: number, b: number) => a - b));
    expect(plan.rows[0].pareto).toBe(true);
    for (const row of plan.rows) {
      expect(row.ttftP99AtTargetS).toBeLessThanOrEqual(0.5);
      expect(row.tpotP99AtTargetS).toBeLessThanOrEqual(0.05);
      expect(row.totalGpus).toBeLessThanOrEqual(4);
    }
    expect(stderr).toMatch(/candidates simulated/);
  });

  it("--slo-tpot-p99 is optional; the max rate per replica is the replica's own, not the target", async () => {
    const { code, stdout, stderr } = await cli(
      'plan',
      ...small,
      '--rate',
      '2',
      '--slo-ttft-p99',
      '0.5',
      '--set',
      'workloadSpec.avgOutputLength=64',
      '--json',
    );
    expect(code, stderr).toBe(0);
    const plan = JSON.parse(stdout);
    expect(plan.slo.tpotP99S).toBeNull();
    expect(plan.rows.length).toBeGreaterThan(0);
    // At 2 req/s one replica is plenty: the rates reported are far above the target.
    expect(
      Math.max(...plan.rows.map((row: { maxRatePerReplica: number }) => row.maxRatePerReplica)),
    ).toBeGreaterThan(4);
    for (const row of plan.rows) expect(row.replicas).toBe(1);
    expect(plan.resolvedConfig.modelSpec.name).toBe('llama-2-7b');
  });

  it('says "nothing fits in memory" as such, with the smallest deployment that would', async () => {
    const { code, stdout } = await cli(
      'plan',
      '--model',
      'llama-2-70b',
      '--gpus',
      'A100-40GB',
      '--max-gpus',
      '2',
      '--rate',
      '1',
      '--slo-ttft-p99',
      '1',
    );
    expect(code).toBe(0);
    expect(stdout).toMatch(
      /^Nothing fits in memory: llama-2-70b's weights \(\d+ GB in bf16\) do not fit on any candidate/,
    );
    expect(stdout).toMatch(
      /The smallest deployment that holds them: A100-40GB TP\d+ PP\d+ \((\d+) GPUs, \$[\d.]+\/hour\)\. Rerun with --max-gpus \1\./,
    );
    expect(stdout).not.toMatch(/No configuration meets these SLOs/);
  });

  it('answers "no configuration meets these SLOs" and names the closest candidate', async () => {
    const { code, stdout } = await cli(
      'plan',
      ...small,
      '--rate',
      '6',
      '--slo-ttft-p99',
      '0.5',
      '--slo-tpot-p99',
      '0.0005',
    );
    expect(code).toBe(0);
    expect(stdout).toMatch(/No configuration meets these SLOs/);
    expect(stdout).toMatch(
      /Closest: (A100-80GB|H100-80GB) TP\d PP\d cap \d+ \S+: even at low load its P99 TTFT is \d+ ms and P99 TPOT \d+ ms/,
    );
  });

  it('bad flags are bad input', async () => {
    expect(
      (
        await cli(
          'plan',
          '--model',
          'llama-2-7b',
          '--rate',
          '-1',
          '--slo-ttft-p99',
          '1',
          '--slo-tpot-p99',
          '1',
        )
      ).code,
    ).toBe(2);
    const unknown = await cli(
      'plan',
      '--rate',
      '1',
      '--slo-ttft-p99',
      '1',
      '--slo-tpot-p99',
      '1',
      '--gpus',
      'Z100',
    );
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/unknown GPU preset "Z100"/);
  });
});

describe('llm-sim sweep input checks', () => {
  it('a value no config accepts is bad input naming the point', async () => {
    const { code, stderr } = await cli('sweep', '--vary', 'tp=1,3');
    expect(code).toBe(2);
    expect(stderr).toMatch(/tensorParallelSize: 3 does not split/);
    expect(stderr).toMatch(/sweep point tp=3/);
  });
});
