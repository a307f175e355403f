import {
  createRandomStreams,
  LLMInferenceSimulator,
  resolveConfig,
  type SimulatorConfig,
  WorkloadSource,
} from '@sim/engine';
import { ContinuousPolicy, registerPolicy, type Sequence } from '@sim/scheduler';
import { dataPath } from '@sim/test-support';
import { describe, expect, it } from 'vitest';

const deployment = {
  modelSpec: { name: 'llama-2-7b' },
  clusterSpec: { gpuSpec: { name: 'A100-80GB' }, nGpusPerNode: 1 },
  engineProfile: 'vllm-v0',
} as const satisfies SimulatorConfig;

/** What the engine hands the scheduler: each sequence's group and shared tokens, in enqueue order. */
function enqueued(config: SimulatorConfig) {
  const seen: { group: number; shared: number; input: number }[] = [];
  // A continuous policy whose enqueue records each sequence (restored afterwards).
  registerPolicy('continuous', (options) => {
    const policy = new ContinuousPolicy(options);
    const enqueue = policy.enqueue.bind(policy);
    policy.enqueue = (sequence: Sequence) => {
      seen.push({
        group: sequence.prefixGroup,
        shared: sequence.sharedPrefixTokens,
        input: sequence.inputTokens,
      });
      enqueue(sequence);
    };
    return policy;
  });
  try {
    new LLMInferenceSimulator(config).run();
  } finally {
    registerPolicy('continuous', (options) => new ContinuousPolicy(options));
  }
  return seen;
}

function arrivals(config: SimulatorConfig) {
  const resolved = resolveConfig(config);
  const source = new WorkloadSource(resolved, createRandomStreams(resolved.seed));
  const all = [];
  for (let arrival = source.next(); arrival !== undefined; arrival = source.next()) all.push(arrival);
  return all;
}

const workload = {
  arrivalRate: 100,
  numRequests: 20_000,
  lengthDistribution: 'lognormal',
  avgInputLength: 600,
  avgOutputLength: 100,
} as const;

describe('workloadSpec.prefixSharing: group choice', () => {
  it('is uniform over the groups (chi-square, 9 degrees of freedom, below the 99.9% point)', () => {
    const groups = 10;
    const all = arrivals({
      ...deployment,
      seed: 3,
      workloadSpec: { ...workload, prefixSharing: { groups, prefixLength: 200 } },
    });
    const counts = new Array<number>(groups).fill(0);
    for (const arrival of all) {
      expect(Number.isInteger(arrival.prefixGroup)).toBe(true);
      expect(arrival.prefixGroup).toBeGreaterThanOrEqual(0);
      expect(arrival.prefixGroup).toBeLessThan(groups);
      counts[arrival.prefixGroup] = (counts[arrival.prefixGroup] as number) + 1;
    }
    const expected = all.length / groups;
    const chiSquare = counts.reduce((total, count) => total + (count - expected) ** 2 / expected, 0);
    expect(chiSquare).toBeLessThan(27.88);
  });

  it('is deterministic per seed and changes with it', () => {
    const groupsOf = (seed: number) =>
      arrivals({
        ...deployment,
        seed,
        workloadSpec: { ...workload, numRequests: 500, prefixSharing: { groups: 7, prefixLength: 100 } },
      }).map((arrival) => arrival.prefixGroup);
    expect(groupsOf(11)).toEqual(groupsOf(11));
    expect(groupsOf(11)).not.toEqual(groupsOf(12));
  });

  it('draws from its own stream: arrival times and lengths are those of the same workload without sharing', () => {
    const strip = (all: ReturnType<typeof arrivals>) =>
      all.map(({ time, input, output }) => ({ time, input, output }));
    for (const extra of [
      {},
      {
        stages: [
          { rate: 20, durationS: 10 },
          { rate: 60, durationS: 10 },
        ],
      },
    ]) {
      const base = { ...workload, numRequests: 1000, ...extra } as Record<string, unknown>;
      if ('stages' in extra) delete base.arrivalRate;
      const plain = arrivals({ ...deployment, seed: 5, workloadSpec: base });
      const shared = arrivals({
        ...deployment,
        seed: 5,
        workloadSpec: { ...base, prefixSharing: { groups: 4, prefixLength: 300 } },
      });
      expect(plain.every((arrival) => arrival.prefixGroup === -1)).toBe(true);
      expect(strip(shared)).toEqual(strip(plain));
      expect(new Set(shared.map((arrival) => arrival.prefixGroup)).size).toBe(4);
    }
  });

  it('each sequence reaches the scheduler with its group and min(prefixLength, input) shared tokens', () => {
    const config = (prefixSharing?: { groups: number; prefixLength: number }): SimulatorConfig => ({
      ...deployment,
      seed: 4,
      workloadSpec: {
        ...workload,
        numRequests: 300,
        arrivalRate: 10,
        ...(prefixSharing ? { prefixSharing } : {}),
      },
    });
    const seen = enqueued(config({ groups: 3, prefixLength: 400 }));
    expect(seen).toHaveLength(300);
    const expectedGroups = arrivals(config({ groups: 3, prefixLength: 400 })).map(
      (arrival) => arrival.prefixGroup,
    );
    expect(seen.map((entry) => entry.group)).toEqual(expectedGroups);
    for (const entry of seen) expect(entry.shared).toBe(Math.min(400, entry.input));
    // Lognormal lengths around 600: some prompts are shorter than the prefix, so all prefix.
    expect(seen.some((entry) => entry.input < 400)).toBe(true);
    expect(enqueued(config()).every((entry) => entry.group === -1 && entry.shared === 0)).toBe(true);
  });

  it('closed-loop clients and replayed traces get groups too', () => {
    const sharing = { groups: 2, prefixLength: 128 };
    const closedLoop = enqueued({
      ...deployment,
      workloadSpec: {
        arrivalProcess: 'closed-loop',
        concurrency: 4,
        avgInputLength: 256,
        avgOutputLength: 16,
        prefixSharing: sharing,
      },
      simulationDurationS: 5,
    });
    const replay = enqueued({
      ...deployment,
      workloadSpec: {
        arrivalProcess: 'trace',
        traceFile: dataPath('traces', 'splitwise_code.csv'),
        numRequests: 200,
        prefixSharing: sharing,
      },
    });
    for (const seen of [closedLoop, replay]) {
      expect(seen.length).toBeGreaterThan(20);
      expect(new Set(seen.map((entry) => entry.group))).toEqual(new Set([0, 1]));
      for (const entry of seen) expect(entry.shared).toBe(Math.min(128, entry.input));
    }
  });

  it('with prefix caching off, a shared-prefix run is the run without sharing (hit rate 0)', () => {
    const config = (prefixSharing?: { groups: number; prefixLength: number }): SimulatorConfig => ({
      ...deployment,
      seed: 9,
      workloadSpec: {
        ...workload,
        numRequests: 400,
        arrivalRate: 8,
        ...(prefixSharing ? { prefixSharing } : {}),
      },
      schedulerSpec: { enablePrefixCaching: false },
      drain: true,
    });
    const plain = new LLMInferenceSimulator(config()).run().computeStatistics();
    const shared = new LLMInferenceSimulator(config({ groups: 2, prefixLength: 512 }))
      .run()
      .computeStatistics();
    expect(shared).toEqual(plain);
    expect(shared.prefixCacheHitRate).toBe(0);
  });
});
