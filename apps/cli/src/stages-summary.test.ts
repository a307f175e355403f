import { main } from '@sim/cli';
import { LLMInferenceSimulator } from '@sim/engine';
import { describe, expect, it } from 'vitest';
import { assessLoad } from './load-limit';

async function cli(...argv: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, { stdout: (text) => (stdout += text), stderr: (text) => (stderr += text) });
  return { code, stdout, stderr };
}

const stages = ['--set', 'workloadSpec.stages=[{rate: 2, durationS: 5}, {rate: 4, durationS: 5}]'];

describe('run summary: load stages and the prefix cache', () => {
  it('a staged run describes its stages and prints one row per stage', async () => {
    const { code, stdout } = await cli('run', ...stages, '--set', 'engineProfile=vllm-v0');
    expect(code).toBe(0);
    expect(stdout).toMatch(
      /^workload: poisson stages 2 req\/s × 5 s → 4 req\/s × 5 s, 512 in \/ 128 out tokens/m,
    );
    expect(stdout).toMatch(/^per stage \(each request counts in the stage it arrived in/m);
    expect(stdout).toMatch(/│ 1 +│ 2 +│ 0–5 +│/);
    expect(stdout).toMatch(/│ 2 +│ 4 +│ 5–10 +│/);
    // vLLM v0 has no prefix cache: no hit-rate line, no hit-rate column.
    expect(stdout).not.toMatch(/prefix cache/);
    expect(stdout).not.toMatch(/prefix hit/);
  });

  it('without stages there is no per-stage table', async () => {
    const { stdout } = await cli('run', '--set', 'simulationDurationS=5', '--set', 'engineProfile=vllm-v0');
    expect(stdout).not.toMatch(/per stage/);
  });

  it('with prefix caching on, the summary gives the hit rate, overall and per stage', async () => {
    const { code, stdout } = await cli(
      'run',
      ...stages,
      '--set',
      'schedulerSpec.enablePrefixCaching=true',
      '--set',
      'workloadSpec.prefixSharing={groups: 2, prefixLength: 256}',
    );
    expect(code).toBe(0);
    expect(stdout).toMatch(/, 2 shared prefixes of 256 tokens/);
    expect(stdout).toMatch(/^prefix cache: \d+\.\d% of prompt tokens served from the cache/m);
    expect(stdout).toMatch(/prefix hit/);
    expect(stdout).not.toMatch(/KV offload/);
  });

  it('with KV offload, the summary names it and what host memory served', async () => {
    const { code, stdout } = await cli(
      'run',
      '--set',
      'schedulerSpec.kvOffload={cpuMemoryGb: 32}',
      '--set',
      'simulationDurationS=5',
    );
    expect(code).toBe(0);
    expect(stdout).toMatch(/prefix caching on, KV offload to 32 GB of host memory per replica/);
    expect(stdout).toMatch(
      /^KV offload: \d+\.\d% of prompt tokens loaded from host memory; [\d,]+ blocks loaded in \d+\.\d\d s, [\d,]+ written$/m,
    );
  });

  it('--json carries prefixCacheHitRate and stages from computeStatistics()', async () => {
    const { code, stdout } = await cli('run', '--json', ...stages);
    expect(code).toBe(0);
    const json = JSON.parse(stdout);
    expect(typeof json.prefixCacheHitRate).toBe('number');
    expect(json.stages).toHaveLength(2);
    expect(json.stages[1]).toMatchObject({ index: 1, rate: 4, startS: 5, durationS: 5 });
    expect(json.stages[0].totalRequests + json.stages[1].totalRequests).toBe(json.totalRequests);
  });

  it('the offered rate of a staged run is the stages’ mean', () => {
    const metrics = new LLMInferenceSimulator({
      engineProfile: 'vllm-v0',
      workloadSpec: {
        stages: [
          { rate: 1, durationS: 10 },
          { rate: 4, durationS: 30 },
        ],
      },
    }).run();
    expect(assessLoad(metrics.config, metrics.computeStatistics()).offeredRate).toBeCloseTo(13 / 4, 12);
  });
});
