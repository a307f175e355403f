import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { captureCli } from './capture-cli';

const directory = mkdtempSync(join(tmpdir(), 'llm-sim-trace-'));
const timed = join(directory, 'timed.csv');
writeFileSync(
  timed,
  `arrived_at,num_prefill_tokens,num_decode_tokens\n${Array.from({ length: 40 }, (_, index) => `${index * 0.25},${100 + index},${8 + (index % 5)}`).join('\n')}\n`,
);
const lengthsOnly = join(directory, 'lengths.csv');
writeFileSync(
  lengthsOnly,
  `num_prefill_tokens,num_decode_tokens\n${Array.from({ length: 40 }, (_, index) => `${300 + index},${20 + index}`).join('\n')}\n`,
);
const drained = ['--set', 'drain=true', '--set', 'simulationDurationS=20', '--json'];

describe('--trace means a request trace in every command', () => {
  it('run replays a trace with arrival times: its requests, its lengths', async () => {
    const { code, stdout, stderr } = await captureCli('run', '--trace', timed, ...drained);
    expect(code, stderr).toBe(0);
    const output = JSON.parse(stdout);
    expect(output.resolvedConfig.workloadSpec.arrivalProcess).toBe('trace');
    expect(output.resolvedConfig.workloadSpec.traceFile).toBe(timed);
    expect(output.totalRequests).toBe(40);
    expect(output.inputTokens).toBe(
      Array.from({ length: 40 }, (_, index) => 100 + index).reduce((a, b) => a + b),
    );
    expect(stderr).not.toMatch(/note: --trace/);
  });

  it('run uses the lengths of a trace without times (or with --rate), and says so on stderr', async () => {
    for (const argv of [
      ['--trace', lengthsOnly],
      ['--trace', timed, '--rate', '3'],
    ]) {
      const { code, stdout, stderr } = await captureCli('run', ...argv, ...drained);
      expect(code, stderr).toBe(0);
      const workload = JSON.parse(stdout).resolvedConfig.workloadSpec;
      expect(workload.arrivalProcess).toBe('poisson');
      expect(workload.lengthDistribution).toEqual({ type: 'empirical', file: argv[1] });
      expect(stderr).toMatch(/note: --trace .*: its request lengths are used, with generated arrivals/);
    }
    const summary = (await captureCli('run', '--trace', lengthsOnly, '--set', 'simulationDurationS=5'))
      .stdout;
    expect(summary).toContain(`lengths from ${lengthsOnly}`);
  });

  it('run replays a Mooncake trace (JSON Lines with hash_ids) behind prefix-affinity routing', async () => {
    // 12 requests about 3 documents (3 ids of 512 tokens each) plus an id of their own, 0.5 s apart
    // (1,900 tokens: the default model's context is 2,048).
    const mooncake = join(directory, 'mooncake.jsonl');
    const rows = Array.from({ length: 12 }, (_, index) => {
      const document = 100 * (index % 3);
      const ids = [document, document + 1, document + 2, 1000 + index];
      return JSON.stringify({ timestamp: 500 * index, input_length: 1900, output_length: 10, hash_ids: ids });
    });
    writeFileSync(mooncake, `${rows.join('\n')}\n`);
    const over = async (router: string) => {
      const { code, stdout, stderr } = await captureCli(
        'run',
        '--trace',
        mooncake,
        '--replicas',
        '2',
        '--router',
        router,
        ...drained,
      );
      expect(code, stderr).toBe(0);
      return JSON.parse(stdout);
    };
    const affinity = await over('prefix-affinity');
    expect(affinity.totalRequests).toBe(12);
    // Every request after its document's first hits the document's 1,536 tokens.
    expect(affinity.prefixCacheHitRate).toBeCloseTo((9 * 1536) / (12 * 1900), 12);
    expect((await over('round-robin')).prefixCacheHitRate).toBeLessThan(affinity.prefixCacheHitRate);
  });

  it('sweep and compare take --trace and --rate too', async () => {
    const sweep = await captureCli('sweep', '--trace', timed, '--vary', 'tp=1,2', ...drained);
    expect(sweep.code, sweep.stderr).toBe(0);
    for (const point of JSON.parse(sweep.stdout)) {
      expect(point.resolvedConfig.workloadSpec.arrivalProcess).toBe('trace');
      expect(point.statistics.totalRequests).toBe(40);
    }
    const config = join(directory, 'base.yaml');
    writeFileSync(config, 'simulation_duration_s: 10\n');
    const compare = await captureCli(
      'compare',
      config,
      config,
      '--trace',
      lengthsOnly,
      '--rate',
      '4',
      '--json',
    );
    expect(compare.code, compare.stderr).toBe(0);
    const { a, b } = JSON.parse(compare.stdout);
    for (const side of [a, b]) {
      expect(side.resolvedConfig.workloadSpec.arrivalRate).toBe(4);
      expect(side.resolvedConfig.workloadSpec.lengthDistribution.file).toBe(lengthsOnly);
    }
  });

  it('bad --rate is bad input naming the flag', async () => {
    const { code, stderr } = await captureCli('run', '--rate', 'fast');
    expect(code).toBe(2);
    expect(stderr).toMatch(/--rate must be a positive number, got "fast"/);
  });
});
