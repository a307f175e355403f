import { ConfigError, LLMInferenceSimulator, routerNames, type SimulatorConfig } from '@sim/engine';
import { describe, expect, it } from 'vitest';

/** A multi-turn chat service: sessions of ~5 turns, 400-token questions, 200-token answers. */
function chat(
  replicas: number,
  router: string,
  overrides: SimulatorConfig['workloadSpec'] = {},
): SimulatorConfig {
  return {
    modelSpec: { name: 'llama-3-8b' },
    clusterSpec: { gpuSpec: { name: 'H100' }, nGpusPerNode: replicas },
    parallelismSpec: { dataParallelSize: replicas, router },
    workloadSpec: {
      arrivalRate: 2 * replicas,
      avgInputLength: 400,
      avgOutputLength: 200,
      lengthDistribution: 'lognormal',
      sessions: {
        turnsPerSession: { type: 'geometric', mean: 5 },
        thinkTimeS: { type: 'exponential', mean: 5 },
      },
      ...overrides,
    },
    simulationDurationS: 200,
    seed: 7,
  };
}

const statisticsOf = (config: SimulatorConfig) => new LLMInferenceSimulator(config).run().computeStatistics();

describe('multi-turn sessions (workloadSpec.sessions)', () => {
  it('each turn resends the conversation so far plus a new question, after the think time', () => {
    const config: SimulatorConfig = {
      modelSpec: { name: 'llama-3-8b' },
      clusterSpec: { gpuSpec: { name: 'H100' } },
      workloadSpec: {
        arrivalRate: 0.5,
        avgInputLength: 512,
        avgOutputLength: 128,
        sessions: { turnsPerSession: 3, thinkTimeS: 2 },
      },
      simulationDurationS: 60,
      drain: true,
      seed: 3,
    };
    const metrics = new LLMInferenceSimulator(config).run({ recordRequests: true });
    const statistics = metrics.computeStatistics();
    const sessions = statistics.sessions;
    if (sessions === undefined) throw new Error('no session statistics');
    const records = metrics.requestRecords();
    // Turn k's prompt: 512 + (k − 1) × (128 + 512) tokens.
    const inputs = new Map<number, number>();
    for (const record of records) inputs.set(record.inputTokens, (inputs.get(record.inputTokens) ?? 0) + 1);
    expect([...inputs.keys()].sort((a, b) => a - b)).toEqual([512, 1152, 1792]);
    // Turns are sent while arrivals last (60 s): sessions started late lose their last turns.
    expect(inputs.get(512)).toBe(sessions.started);
    expect(sessions.followUpTurns).toBe((inputs.get(1152) ?? 0) + (inputs.get(1792) ?? 0));
    expect(statistics.totalRequests).toBe(sessions.started + sessions.followUpTurns);
    expect(sessions.completed).toBeGreaterThan(0.8 * sessions.started);
    expect(sessions.failed).toBe(0);
    // A follow-up arrives 2 s (the think time) after the previous turn's last token.
    const finishes = records.map((record) => record.arrivalS + record.endToEndLatencyS);
    for (const record of records.filter((record) => record.inputTokens > 512)) {
      const gaps = finishes.map((finish) => record.arrivalS - finish);
      expect(gaps.some((gap) => Math.abs(gap - 2) < 1e-9)).toBe(true);
    }
    // One replica with room to spare: a follow-up hits every full 16-token block of the previous
    // turn's KV, its prompt and all but the answer's last token (sampled, never fed back): 639
    // tokens, so 624 of 1152, then 1279, so 1264 of 1792.
    const second = inputs.get(1152) ?? 0;
    const third = inputs.get(1792) ?? 0;
    expect(sessions.followUpPrefixCacheHitRate).toBeCloseTo(
      (624 * second + 1264 * third) / (1152 * second + 1792 * third),
      12,
    );
    expect(sessions.followUpFirstTokenLatency.p50).toBeLessThan(
      sessions.firstTurnFirstTokenLatency.p50 * 1.5,
    );
  });

  it('prefix-affinity routing keeps conversations on the replica holding their cache: higher hit rate, lower follow-up TTFT than round-robin; one replica closes the gap', () => {
    const roundRobin = statisticsOf(chat(4, 'round-robin'));
    const affinity = statisticsOf(chat(4, 'prefix-affinity'));
    const followUps = (statistics: typeof roundRobin) => {
      if (statistics.sessions === undefined) throw new Error('no session statistics');
      return statistics.sessions;
    };
    // Round-robin sends a follow-up back to the replica of its previous turn ~1 time in 4.
    expect(followUps(roundRobin).followUpPrefixCacheHitRate).toBeLessThan(0.5);
    expect(followUps(affinity).followUpPrefixCacheHitRate).toBeGreaterThan(0.75);
    expect(affinity.prefixCacheHitRate).toBeGreaterThan(roundRobin.prefixCacheHitRate + 0.3);
    expect(followUps(affinity).followUpFirstTokenLatency.p50).toBeLessThan(
      0.7 * followUps(roundRobin).followUpFirstTokenLatency.p50,
    );
    expect(followUps(affinity).followUpFirstTokenLatency.p99).toBeLessThan(
      0.7 * followUps(roundRobin).followUpFirstTokenLatency.p99,
    );
    // The load stays balanced.
    expect(affinity.routingImbalance).toBeLessThan(1.1);
    const single = (router: string) => JSON.stringify(statisticsOf(chat(1, router)));
    expect(single('round-robin')).toBe(single('prefix-affinity'));
  });

  it('conserves requests and is deterministic with every router', () => {
    for (const router of routerNames()) {
      const config = chat(3, router, { requestTimeoutS: 20 });
      const first = statisticsOf(config);
      expect(JSON.stringify(statisticsOf(config)), router).toBe(JSON.stringify(first));
      expect(
        first.completedRequests +
          first.rejectedRequests +
          (first.timedOutRequests ?? 0) +
          first.inFlightRequests,
        router,
      ).toBe(first.totalRequests);
      const sessions = first.sessions;
      expect(sessions?.started, router).toBeGreaterThan(0);
      expect((sessions?.started ?? 0) + (sessions?.followUpTurns ?? 0), router).toBe(first.totalRequests);
      expect(
        first.replicas.reduce((sum, replica) => sum + replica.requests, 0),
        router,
      ).toBe(first.totalRequests - first.rejectedRequests);
    }
  });

  it('turns counts and think times may be distributions; sessions end at the context', () => {
    const statistics = statisticsOf(
      chat(1, 'round-robin', {
        avgInputLength: 1500,
        avgOutputLength: 500,
        lengthDistribution: 'fixed',
        sessions: {
          turnsPerSession: { type: 'uniform', min: 2, max: 8 },
          thinkTimeS: { type: 'uniform', min: 1, max: 3 },
        },
      }),
    );
    // Turn 5 would send 1500 + 4 × 2000 = 9500 tokens, past Llama-3-8B's 8192: rejected, ending its session.
    expect(statistics.rejectedRequests).toBeGreaterThan(0);
    expect(statistics.sessions?.failed).toBe(statistics.rejectedRequests);
    expect(
      statistics.warnings.some((warning) => warning.includes('each turn resends the whole conversation')),
    ).toBe(true);
  });

  it('rejects sessions without open-loop arrivals, with repeated prompts, and bad ranges, naming the field', () => {
    const issuesOf = (workloadSpec: NonNullable<SimulatorConfig['workloadSpec']>) => {
      try {
        new LLMInferenceSimulator({ workloadSpec }).resolvedConfig();
      } catch (error) {
        if (error instanceof ConfigError) return error.issues.map((issue) => issue.path);
        throw error;
      }
      return [];
    };
    const sessions = { turnsPerSession: 3, thinkTimeS: 1 };
    expect(issuesOf({ arrivalProcess: 'closed-loop', sessions })).toEqual(['workloadSpec.sessions']);
    expect(
      issuesOf({ prefixSharing: { groups: 2, prefixLength: 100, promptsPerGroup: 3 }, sessions }),
    ).toEqual(['workloadSpec.prefixSharing.promptsPerGroup']);
    expect(
      issuesOf({ sessions: { turnsPerSession: { type: 'uniform', min: 4, max: 2 }, thinkTimeS: 1 } })[0],
    ).toMatch(/^workloadSpec\.sessions\.turnsPerSession/);
    expect(issuesOf({ sessions: { turnsPerSession: 0, thinkTimeS: 1 } })[0]).toMatch(
      /^workloadSpec\.sessions\.turnsPerSession/,
    );
    expect(issuesOf({ sessions: { turnsPerSession: 2, thinkTimeS: -1 } })[0]).toMatch(
      /^workloadSpec\.sessions\.thinkTimeS/,
    );
  });
});
