import {
  candidateConfig,
  deploymentConfig,
  describeCandidate,
  enumerateCandidates,
  evaluateCandidate,
  type PlanRequest,
  resolveConfig,
} from '@sim/engine';
import { describe, expect, it } from 'vitest';

const request: PlanRequest = {
  base: {
    modelSpec: { name: 'qwen3-30b-a3b' },
    workloadSpec: { avgInputLength: 512, avgOutputLength: 128 },
    speculativeSpec: { method: 'eagle', numSpeculativeTokens: 3, acceptanceRate: 0.8 },
  },
  targetRate: 2,
  ttftP99S: 2,
  tpotP99S: 0.05,
  gpus: ['H100'],
  maxGpus: 8,
  tensorParallelSizes: [1],
  pipelineParallelSizes: [1],
  maxBatchSizes: [64],
  schedulers: [{ name: 'chunked-2048', chunkedPrefill: true, maxNumBatchedTokens: 2048 }],
  requestsPerRun: 120,
  expertParallel: true,
  expertParallelReplicas: [2, 3],
};

describe('plan searches speculative decoding on/off and expert-parallel groups', () => {
  const { candidates } = enumerateCandidates(request);

  it('tries every layout with and without the config’s speculative decoding, and EP groups that split the experts', () => {
    // 128 experts split over 2 GPUs, not over 3.
    expect(candidates.map(describeCandidate)).toEqual([
      'H100-80GB TP1 PP1 cap 64 chunked-2048 no-spec',
      'H100-80GB TP1 PP1 cap 64 chunked-2048 +spec',
      'H100-80GB EP2 (2× TP1) cap 64 chunked-2048 no-spec',
      'H100-80GB EP2 (2× TP1) cap 64 chunked-2048 +spec',
    ]);
    const [, withSpec, group] = candidates;
    if (withSpec === undefined || group === undefined) throw new Error('missing candidates');
    expect(
      resolveConfig(candidateConfig(request, candidates[0] ?? withSpec, 1)).speculativeSpec,
    ).toBeUndefined();
    expect(resolveConfig(candidateConfig(request, withSpec, 1)).speculativeSpec?.numSpeculativeTokens).toBe(
      3,
    );
    const ep = resolveConfig(candidateConfig(request, group, 1));
    expect(ep.parallelismSpec).toMatchObject({
      dataParallelSize: 2,
      expertParallel: true,
      expertParallelSize: 2,
    });
    expect(ep.clusterSpec.nGpusPerNode).toBe(2);
  });

  it('speculation lowers TPOT at the target; three EP groups deploy as six replicas in groups of two', () => {
    const [plain, fast, group] = candidates.map((candidate) => evaluateCandidate(request, candidate));
    if (plain === undefined || fast === undefined || group === undefined)
      throw new Error('missing evaluations');
    expect(fast.tpotP99AtTargetS).toBeLessThan(plain.tpotP99AtTargetS);
    const deployment = resolveConfig(deploymentConfig(request, { ...group, replicas: 3 }));
    expect(deployment.parallelismSpec).toMatchObject({
      dataParallelSize: 6,
      expertParallel: true,
      expertParallelSize: 2,
    });
    expect(deployment.clusterSpec.nGpusPerNode * deployment.clusterSpec.nNodes).toBe(6);
  });
});
