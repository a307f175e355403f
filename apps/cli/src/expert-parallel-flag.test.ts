import { describe, expect, it } from 'vitest';
import { captureCli } from './capture-cli';

const small = ['--set', 'workloadSpec.numRequests=40', '--set', 'drain=true', '--json'];

describe('--expert-parallel', () => {
  it('spreads an MoE model over the replicas: each GPU holds its share of the experts, and the run completes', async () => {
    const run = (extra: string[]) =>
      captureCli('run', '--model', 'qwen3-30b-a3b', '--gpu', 'H100', '--replicas', '4', ...extra, ...small);
    const ep = await run(['--expert-parallel']);
    expect(ep.code, ep.stderr).toBe(0);
    const output = JSON.parse(ep.stdout);
    expect(output.resolvedConfig.parallelismSpec).toMatchObject({
      dataParallelSize: 4,
      expertParallel: true,
    });
    expect(output.completedRequests).toBe(40);
    const plain = JSON.parse((await run([])).stdout);
    // 128 experts over 4 GPUs: each holds 32 of them instead of all 128.
    expect(output.memory.weightGbPerGpu).toBeLessThan(plain.memory.weightGbPerGpu / 2);
  });

  it('is bad input for a dense model, naming the field and the fix', async () => {
    const { code, stderr } = await captureCli(
      'run',
      '--model',
      'llama-3.1-8b',
      '--replicas',
      '2',
      '--expert-parallel',
      ...small,
    );
    expect(code).toBe(2);
    expect(stderr).toMatch(
      /parallelismSpec\.expertParallel: llama-3\.1-8b is dense \(no experts to spread\)/,
    );
  });
});
