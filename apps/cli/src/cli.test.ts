import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '@sim/cli';
import { LLMInferenceSimulator } from '@sim/engine';
import { describe, expect, it } from 'vitest';

async function cli(...argv: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, { stdout: (text) => (stdout += text), stderr: (text) => (stderr += text) });
  return { code, stdout, stderr };
}

describe('llm-sim', () => {
  it('run prints a readable summary of the default simulation', async () => {
    const { code, stdout } = await cli('run');
    expect(code).toBe(0);
    expect(stdout).toMatch(/llama-7b on 1× A100-80GB/);
    expect(stdout).toMatch(/TTFT/);
  });

  it('run --json prints computeStatistics() at the top level plus the resolved config', async () => {
    const { code, stdout } = await cli('run', '--json', '--set', 'simulationDurationS=10');
    expect(code).toBe(0);
    const { resolvedConfig, ...statistics } = JSON.parse(stdout);
    const metrics = new LLMInferenceSimulator({ simulationDurationS: 10 }).run();
    expect(statistics).toEqual(JSON.parse(JSON.stringify(metrics.computeStatistics())));
    expect(resolvedConfig).toEqual(JSON.parse(JSON.stringify(metrics.config)));
  });

  it('the effective scheduler settings are in the summary and the JSON (the trtllm profile changes them)', async () => {
    const trtllm = ['--set', 'engineProfile=trtllm', '--set', 'simulationDurationS=5'];
    const summary = (await cli('run', ...trtllm)).stdout;
    expect(summary).toMatch(
      /^scheduler \(trtllm profile defaults unless set\): continuous batching, chunked prefill on \(chunks of 8192 tokens\), token budget 8192 per iteration, max batch 256, preemption by recompute, KV blocks of 16 tokens, prefix caching off$/m,
    );
    const vllm = (await cli('run', '--set', 'simulationDurationS=5')).stdout;
    expect(vllm).toMatch(
      /^scheduler \(vllm profile defaults unless set\): continuous batching, chunked prefill on \(chunks of 2048 tokens\), token budget 2048 per iteration, max batch 256, preemption by recompute, KV blocks of 16 tokens, prefix caching on$/m,
    );
    const v0 = (await cli('run', '--set', 'engineProfile=vllm-v0', '--set', 'simulationDurationS=5')).stdout;
    expect(v0).toMatch(
      /^scheduler \(vllm-v0 profile defaults unless set\): continuous batching, chunked prefill off,.* prefix caching off$/m,
    );
    const json = JSON.parse((await cli('run', ...trtllm, '--json')).stdout);
    expect(json.resolvedConfig.engineProfile).toBe('trtllm');
    expect(json.resolvedConfig.schedulerSpec).toMatchObject({
      chunkedPrefill: true,
      maxNumBatchedTokens: 8192,
    });
  });

  it('--set accepts both spellings', async () => {
    const camel = JSON.parse(
      (await cli('run', '--json', '--set', 'workloadSpec.arrivalRate=5', '--set', 'simulationDurationS=20'))
        .stdout,
    );
    const snake = JSON.parse(
      (
        await cli(
          'run',
          '--json',
          '--set',
          'workload_spec.arrival_rate=5',
          '--set',
          'simulation_duration_s=20',
        )
      ).stdout,
    );
    expect(camel).toEqual(snake);
    expect(camel.totalRequests).toBeGreaterThan(60);
  });

  it('bad input exits 2 with the field path and no stack trace', async () => {
    const { code, stderr } = await cli('run', '--set', 'workloadSpec.arrivalRate=-1');
    expect(code).toBe(2);
    expect(stderr).toMatch(/workloadSpec\.arrivalRate: must be greater than 0/);
    expect(stderr).not.toMatch(/at .*\.ts:\d+/);
    const oom = await cli('run', '--model', 'llama-2-70b');
    expect(oom.code).toBe(2);
    expect(oom.stderr).toMatch(/does not fit/);
  });

  it('validate reports every problem in a file', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'llm-sim-cli-'));
    const file = join(directory, 'bad.yaml');
    writeFileSync(file, 'workload_spec:\n  arival_rate: 3\nparallelism_spec:\n  tensor_parallel_size: 3\n');
    const { code, stderr } = await cli('validate', file);
    expect(code).toBe(2);
    expect(stderr).toMatch(/Did you mean "arrivalRate"/);
  });

  it('presets lists GPUs and models', async () => {
    const { code, stdout } = await cli('presets', 'gpus', '--json');
    expect(code).toBe(0);
    expect(JSON.parse(stdout).gpus['H100-80GB'].computeTflops).toBe(989);
  });

  it('presets models shows local attention and each tensor class format', async () => {
    const { code, stdout } = await cli('presets', 'models');
    expect(code).toBe(0);
    const row = (name: string) => stdout.split('\n').find((line) => line.includes(` ${name} `)) ?? '';
    expect(row('gpt-oss-120b')).toMatch(/18 × 128 .*bf16 \/ mxfp4/);
    expect(row('llama-4-scout')).toMatch(/36 × 8192 chunks/);
    expect(row('deepseek-v3')).toMatch(/fp8 \/ bf16/);
  });

  it("run prints the sliding-window layers' set-aside cache beside the KV cache", async () => {
    const { code, stdout } = await cli('run', '--model', 'gpt-oss-20b', '--gpu', 'H100', '--rate', '2');
    expect(code).toBe(0);
    expect(stdout).toMatch(
      /memory per GPU: weights 13\.8 GB, KV cache .* \+ 0\.9 GB set aside for sliding-window layers/,
    );
  });
});
