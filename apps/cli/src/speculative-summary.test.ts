import { describe, expect, it } from 'vitest';
import { captureCli } from './capture-cli';

describe('speculative decoding from the CLI', () => {
  it('--set speculativeSpec.* turns it on; the summary and --json report tokens per step and the speedup', async () => {
    const argv = [
      'run',
      '--model',
      'llama-3.1-8b',
      '--gpu',
      'H100',
      '--rate',
      '1',
      '--set',
      'workloadSpec.numRequests=40',
      '--set',
      'speculativeSpec.method=eagle',
      '--set',
      'speculativeSpec.numSpeculativeTokens=3',
      '--set',
      'speculativeSpec.acceptanceRate=0.8',
    ];
    const summary = await captureCli(...argv);
    expect(summary.code, summary.stderr).toBe(0);
    expect(summary.stdout).toMatch(
      /speculative decoding \(eagle, 3 draft tokens\): 2\.95 tokens per step; decode \d\.\d\d× faster per token at the mean batch/,
    );
    const json = JSON.parse((await captureCli(...argv, '--json')).stdout);
    expect(json.speculative.tokensPerStep).toBeCloseTo(2.952, 12);
    expect(json.resolvedConfig.speculativeSpec.acceptanceRates).toEqual([0.8, 0.8, 0.8]);
  });
});
