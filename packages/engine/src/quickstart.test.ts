import { LLMInferenceSimulator, type SimulatorConfig } from '@sim/engine';
import { describe, expect, it } from 'vitest';
import { quickstartBasicConfig } from '../../../test-support/quickstart-config';

const basicConfig = (): SimulatorConfig => quickstartBasicConfig();

describe('every example of ../shared/seed-quickstart.md through the TS API', () => {
  it('1. basic simulation', () => {
    const simulator = new LLMInferenceSimulator(basicConfig());
    const metrics = simulator.run();
    const stats = metrics.computeStatistics();
    expect(stats.throughputTokensPerSec).toBeGreaterThan(200);
    expect(stats.throughputTokensPerSec).toBeLessThan(300); // ≈ 2 req/s × 128 tokens
    expect(stats.firstTokenLatency.p95).toBeGreaterThan(0.01);
    expect(stats.firstTokenLatency.p95).toBeLessThan(0.5);
  });

  it('2. comparing performance: TP=4 by mutating the config', () => {
    const config1 = basicConfig();
    const stats1 = new LLMInferenceSimulator(config1).run().computeStatistics();
    const config2 = config1;
    config2.parallelismSpec = { tensorParallelSize: 4 };
    (config2.clusterSpec as { nGpusPerNode: number }).nGpusPerNode = 4;
    const stats2 = new LLMInferenceSimulator(config2).run().computeStatistics();
    const speedup = stats2.throughputTokensPerSec / stats1.throughputTokensPerSec;
    // The load is 2 req/s either way, so throughput is load-bound; TP=4 cuts latency instead.
    expect(speedup).toBeGreaterThan(0.9);
    expect(speedup).toBeLessThan(1.1);
    expect(stats2.timePerOutputToken.p50).toBeLessThan(stats1.timePerOutputToken.p50);
  });

  it('3. testing different workloads: throughput and TTFT rise with load', () => {
    const config = basicConfig();
    const rows: { rate: number; throughput: number; p95: number }[] = [];
    for (const arrivalRate of [1, 5, 10, 20]) {
      (config.workloadSpec as { arrivalRate: number }).arrivalRate = arrivalRate;
      const stats = new LLMInferenceSimulator(config).run().computeStatistics();
      rows.push({
        rate: arrivalRate,
        throughput: stats.throughputTokensPerSec,
        p95: stats.firstTokenLatency.p95,
      });
    }
    for (let index = 1; index < rows.length; index++) {
      expect((rows[index] as (typeof rows)[0]).throughput).toBeGreaterThan(
        (rows[index - 1] as (typeof rows)[0]).throughput,
      );
    }
    expect((rows[3] as (typeof rows)[0]).p95).toBeGreaterThan((rows[0] as (typeof rows)[0]).p95);
  });

  it('use case 1: choosing a GPU with explicit datasheet numbers', () => {
    const config = basicConfig();
    config.workloadSpec = { avgInputLength: 512, avgOutputLength: 128, arrivalRate: 20 };
    const results: Record<string, number> = {};
    for (const [name, tflops, memory, bandwidth] of [
      ['A100-80GB', 312.0, 80.0, 2039.0],
      ['H100-80GB', 989.0, 80.0, 3350.0],
      ['A100-40GB', 312.0, 40.0, 1555.0],
    ] as const) {
      (config.clusterSpec as { gpuSpec: unknown }).gpuSpec = {
        name,
        computeTflops: tflops,
        memorySizeGb: memory,
        memoryBandwidthGbs: bandwidth,
      };
      results[name] = new LLMInferenceSimulator(config).run().computeStatistics().throughputTokensPerSec;
    }
    // 20 req/s overloads the A100s; the faster the GPU, the more tokens it serves.
    expect(results['H100-80GB']).toBeGreaterThan(1.3 * (results['A100-80GB'] as number));
    expect(results['A100-80GB']).toBeGreaterThan(results['A100-40GB'] as number);
  });

  it('use case 2: optimizing the batch size (static batching with batchSize)', () => {
    const config = basicConfig();
    config.schedulerSpec = { batchingType: 'static' };
    config.workloadSpec = { avgInputLength: 512, avgOutputLength: 128, arrivalRate: 10 };
    const throughput: number[] = [];
    for (const batchSize of [1, 2, 4, 8, 16, 32]) {
      (config.schedulerSpec as { maxBatchSize: number }).maxBatchSize = batchSize;
      (config.workloadSpec as { batchSize: number }).batchSize = batchSize;
      const stats = new LLMInferenceSimulator(config).run().computeStatistics();
      throughput.push(stats.throughputTokensPerSec);
      expect(stats.firstTokenLatency.p95).toBeGreaterThan(0);
    }
    // Batch 1 cannot keep up with 10 req/s; larger static batches serve more.
    expect(throughput[5]).toBeGreaterThan(2 * (throughput[0] as number));
  });

  it('use case 3: tensor-parallel scaling', () => {
    const config = basicConfig();
    config.parallelismSpec = { tensorParallelSize: 1 };
    const tpot: number[] = [];
    for (const tp of [1, 2, 4, 8]) {
      (config.parallelismSpec as { tensorParallelSize: number }).tensorParallelSize = tp;
      (config.clusterSpec as { nGpusPerNode: number }).nGpusPerNode = tp;
      const stats = new LLMInferenceSimulator(config).run().computeStatistics();
      expect(stats.throughputTokensPerSec).toBeGreaterThan(0);
      tpot.push(stats.timePerOutputToken.p50);
    }
    expect(tpot[1]).toBeLessThan(tpot[0] as number);
    expect(tpot[2]).toBeLessThan(tpot[1] as number);
  });

  it('use case 4: workload pattern analysis (2048 + 512 warns about llama-7b context)', () => {
    const config = basicConfig();
    const ttft: number[] = [];
    for (const [input, output] of [
      [128, 32],
      [512, 128],
      [2048, 512],
    ] as const) {
      (config.workloadSpec as { avgInputLength: number }).avgInputLength = input;
      (config.workloadSpec as { avgOutputLength: number }).avgOutputLength = output;
      const stats = new LLMInferenceSimulator(config).run().computeStatistics();
      ttft.push(stats.firstTokenLatency.p95);
      if (input === 2048) expect(stats.warnings.join(' ')).toMatch(/exceed llama-7b's context of 2048/);
    }
    expect(ttft[2]).toBeGreaterThan(ttft[1] as number);
    expect(ttft[1]).toBeGreaterThan(ttft[0] as number);
  });

  it('troubleshooting: "completed requests is 0" is reproducible and explained', () => {
    const config = basicConfig();
    config.simulationDurationS = 1;
    (config.workloadSpec as { avgOutputLength: number }).avgOutputLength = 2000;
    (config.modelSpec as { name: string }).name = 'llama-2-7b';
    const stats = new LLMInferenceSimulator(config).run().computeStatistics();
    expect(stats.completedRequests).toBe(0);
    expect(stats.warnings.join(' ')).toMatch(
      /Completed requests is 0.*increase simulationDurationS, reduce avgOutputLength/,
    );
    expect(JSON.stringify(stats)).not.toMatch(/NaN|null/);
  });

  it('troubleshooting: out of memory is a clear error with the fixes', () => {
    expect(() => new LLMInferenceSimulator({ modelSpec: { name: 'llama-2-70b' } }).run()).toThrow(
      /does not fit on A100-80GB.*Fixes/,
    );
  });
});
