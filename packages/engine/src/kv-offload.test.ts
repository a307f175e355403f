import { LLMInferenceSimulator, type SimulationStatistics, type SimulatorConfig } from '@sim/engine';
import { createPerfModel } from '@sim/perf-model';
import { resolveConfig } from '@sim/specs';
import { describe, expect, it } from 'vitest';

/**
 * 40 system prompts of 2,048 tokens (80k tokens of prefixes in all) shared by 2,500-token requests,
 * on Llama-3-8B on one H100 at gpuMemoryUtilization `utilization`: 0.3 leaves a KV cache of 62k
 * tokens, too small to keep every prefix; 0.9 leaves 454k, which keeps them all.
 */
function prefixWorkload(utilization: number, cpuMemoryGb?: number): SimulatorConfig {
  return {
    modelSpec: { name: 'llama-3-8b' },
    clusterSpec: { gpuSpec: { name: 'H100' } },
    schedulerSpec: {
      gpuMemoryUtilization: utilization,
      ...(cpuMemoryGb === undefined ? {} : { kvOffload: { cpuMemoryGb } }),
    },
    workloadSpec: {
      arrivalRate: 4,
      avgInputLength: 2500,
      avgOutputLength: 100,
      prefixSharing: { groups: 40, prefixLength: 2048 },
    },
    simulationDurationS: 120,
    drain: true,
    seed: 11,
  };
}

const statisticsOf = (config: SimulatorConfig) => new LLMInferenceSimulator(config).run().computeStatistics();

/** Prompt tokens prefilled (drained, no warm-up: every prompt counts in the hit rate). */
const computedPrompt = (statistics: SimulationStatistics) =>
  Math.round(statistics.inputTokens * (1 - statistics.prefixCacheHitRate));
/** FLOPs of the run, in units of one GPU's peak-second. */
const work = (statistics: SimulationStatistics) => statistics.mfu * statistics.simulatedDurationS;

describe('KV offload to host memory (schedulerSpec.kvOffload)', () => {
  it('Offload turns recomputation into transfers when the GPU cache is too small for the working set', () => {
    const without = statisticsOf(prefixWorkload(0.3));
    const offload = statisticsOf(prefixWorkload(0.3, 64));
    expect(without.memory.kvCapacityTokens).toBeLessThan(40 * 2048);
    expect(without.kvOffload).toBeUndefined();
    const host = offload.kvOffload;
    if (host === undefined) throw new Error('no kvOffload statistics');
    // The same requests, all prefilled (drained).
    expect(offload.totalRequests).toBe(without.totalRequests);
    expect(offload.inputTokens).toBe(without.inputTokens);
    // Prefixes the GPU evicted come back from host memory instead of being recomputed.
    expect(offload.prefixCacheHitRate).toBeGreaterThan(without.prefixCacheHitRate + 0.2);
    expect(computedPrompt(offload)).toBeLessThan(0.7 * computedPrompt(without));
    expect(work(offload)).toBeLessThan(work(without));
    expect(host.blocksLoaded).toBeGreaterThan(0);
    expect(host.blocksOffloaded).toBeGreaterThan(0);
    expect(host.hostHitTokens).toBeGreaterThan(0);
    expect(host.hostHitTokens % 16).toBe(0);
    // Host hits are part of the prefix-cache hits; every measured host hit was a load.
    expect(host.hostHitRate).toBeCloseTo(host.hostHitTokens / offload.inputTokens, 12);
    expect(host.hostHitRate).toBeLessThan(offload.prefixCacheHitRate);
    expect(host.blocksLoaded * 16).toBeGreaterThanOrEqual(host.hostHitTokens);
    // Each loaded block moves its KV over the host link: 131,072 bytes per token × 16 tokens, at the
    // H100's host bandwidth (PCIe Gen5, 50 GB/s).
    const resolved = resolveConfig(prefixWorkload(0.3, 64));
    expect(createPerfModel(resolved).memory.kvBytesPerToken).toBe(131_072);
    expect(resolved.clusterSpec.gpuSpec.hostBandwidthGbs).toBe(50);
    expect(host.loadTimeS).toBeCloseTo((host.blocksLoaded * 131_072 * 16) / 50e9, 9);
    // Transfers are much cheaper than the prefill they replace: first tokens come sooner.
    expect(offload.firstTokenLatency.p50).toBeLessThan(0.8 * without.firstTokenLatency.p50);

    // With host memory for a handful of blocks the gain vanishes.
    const tiny = statisticsOf(prefixWorkload(0.3, 0.01));
    expect(tiny.kvOffload?.blocksOffloaded).toBeGreaterThan(0);
    expect(tiny.prefixCacheHitRate).toBeLessThan(without.prefixCacheHitRate + 0.005);
    expect(tiny.firstTokenLatency.p50).toBeGreaterThan(0.98 * without.firstTokenLatency.p50);
    expect(tiny.firstTokenLatency.p50).toBeGreaterThan(offload.firstTokenLatency.p50 * 1.25);
  });

  it('changes nothing when the working set fits on the GPU (no eviction, nothing offloaded)', () => {
    const without = statisticsOf(prefixWorkload(0.9));
    const offload = statisticsOf(prefixWorkload(0.9, 64));
    expect(offload.kvOffload).toEqual({
      hostHitTokens: 0,
      hostHitRate: 0,
      blocksLoaded: 0,
      blocksOffloaded: 0,
      loadTimeS: 0,
    });
    const { kvOffload: _, ...rest } = offload;
    expect(JSON.stringify(rest)).toBe(JSON.stringify(without));
  });

  it('is deterministic: the same config and seed give identical statistics', () => {
    const config = prefixWorkload(0.3, 16);
    expect(JSON.stringify(statisticsOf(config))).toBe(JSON.stringify(statisticsOf(config)));
  });

  it('keeps a session’s evicted turns in host memory for its next turn', () => {
    // Multi-turn chats whose conversations outgrow a small KV cache between turns.
    const chat = (cpuMemoryGb?: number): SimulatorConfig => ({
      modelSpec: { name: 'llama-3-8b' },
      clusterSpec: { gpuSpec: { name: 'H100' } },
      schedulerSpec: {
        gpuMemoryUtilization: 0.25,
        ...(cpuMemoryGb === undefined ? {} : { kvOffload: { cpuMemoryGb } }),
      },
      workloadSpec: {
        arrivalRate: 2,
        avgInputLength: 1000,
        avgOutputLength: 200,
        sessions: { turnsPerSession: 5, thinkTimeS: 2 },
      },
      simulationDurationS: 60,
      seed: 5,
    });
    const without = statisticsOf(chat());
    const offload = statisticsOf(chat(64));
    const follow = (statistics: SimulationStatistics) => statistics.sessions?.followUpPrefixCacheHitRate ?? 0;
    expect(follow(offload)).toBeGreaterThan(follow(without));
    expect(offload.kvOffload?.blocksLoaded).toBeGreaterThan(0);
    expect(offload.sessions?.followUpFirstTokenLatency.p50).toBeLessThan(
      without.sessions?.followUpFirstTokenLatency.p50 ?? 0,
    );
  });
});
