import {
  type Candidate,
  deploymentConfig,
  describeCandidate,
  enumerateCandidates,
  evaluateCandidate,
  LLMInferenceSimulator,
  type PlanRequest,
  rankCandidates,
  trial,
} from '@sim/engine';
import { describe, expect, it } from 'vitest';

const request: PlanRequest = {
  base: {
    modelSpec: { name: 'llama-2-7b' },
    workloadSpec: { avgInputLength: 256, avgOutputLength: 64, lengthDistribution: 'lognormal' },
  },
  targetRate: 12,
  ttftP99S: 0.5,
  tpotP99S: 0.04,
  gpus: ['A100-80GB', 'H100-80GB'],
  maxGpus: 8,
  tensorParallelSizes: [1, 2],
  pipelineParallelSizes: [1],
  maxBatchSizes: [32],
  schedulers: [{ name: 'continuous', chunkedPrefill: false }],
  requestsPerRun: 200,
};

describe('capacity planner', () => {
  const { candidates, pruned } = enumerateCandidates(request);
  const evaluations = candidates.map((candidate) => evaluateCandidate(request, candidate));
  const plan = rankCandidates(request, evaluations);

  it('enumerates the search space and prunes what cannot run', () => {
    expect(candidates).toHaveLength(4);
    expect(pruned).toHaveLength(0);
    const big = enumerateCandidates({ ...request, base: { modelSpec: { name: 'llama-2-70b' } }, maxGpus: 2 });
    expect(big.pruned.map((item) => item.reason)).toContain('weights do not fit');
  });

  it('matches an exhaustive search over a fine rate grid (the cheapest deployment and its GPU count)', () => {
    const exhaustive = candidates.map((candidate: Candidate) => {
      let maxRate = 0;
      for (let step = 1; step <= 48; step++) {
        const rate = (request.targetRate * step) / 48;
        if (trial(request, candidate, rate).pass) maxRate = rate;
        else break;
      }
      const replicas =
        maxRate > 0 ? Math.ceil(request.targetRate / maxRate - 1e-9) : Number.POSITIVE_INFINITY;
      return { candidate, gpus: replicas * candidate.gpusPerReplica, maxRate };
    });
    const priceOf = (gpu: string) => (gpu.startsWith('A100') ? 1.79 : 2.99);
    exhaustive.sort(
      (a, b) => a.gpus * priceOf(a.candidate.gpu) - b.gpus * priceOf(b.candidate.gpu) || a.gpus - b.gpus,
    );
    const best = plan.rows[0];
    expect(best).toBeDefined();
    expect(describeCandidate(best?.evaluation.candidate as Candidate)).toBe(
      describeCandidate(exhaustive[0]?.candidate as Candidate),
    );
    expect(best?.totalGpus).toBe(exhaustive[0]?.gpus);
    // The bisection's rate is within the grid step (and 3%) of the exhaustive one for every candidate.
    for (const [index, evaluation] of evaluations.entries()) {
      const grid = exhaustive.find((item) => item.candidate === candidates[index])?.maxRate as number;
      expect(Math.abs(evaluation.maxRatePerReplica - grid)).toBeLessThanOrEqual(
        request.targetRate / 48 + 0.03 * grid,
      );
    }
  });

  it('the chosen deployment, re-simulated with its replicas at the target rate, meets the SLOs', () => {
    const best = plan.rows[0];
    if (best === undefined) throw new Error('no feasible deployment');
    const statistics = new LLMInferenceSimulator(deploymentConfig(request, best.evaluation))
      .run()
      .computeStatistics();
    expect(statistics.firstTokenLatency.p99).toBeLessThanOrEqual(request.ttftP99S);
    expect(statistics.timePerOutputToken.p99).toBeLessThanOrEqual(request.tpotP99S);
    expect(statistics.completedRequests).toBe(statistics.totalRequests);
  });

  it('marks a Pareto frontier of cost vs P99 TTFT that no other row dominates', () => {
    for (const row of plan.rows.filter((item) => item.pareto)) {
      const dominated = plan.rows.some(
        (other) =>
          other.costPerHour <= row.costPerHour &&
          other.evaluation.ttftP99AtTargetS < row.evaluation.ttftP99AtTargetS &&
          other !== row,
      );
      expect(dominated).toBe(false);
    }
    expect(plan.rows[0]?.pareto).toBe(true);
  });

  it('says when nothing is feasible, and which candidate came closest', () => {
    const impossible = { ...request, tpotP99S: 0.001 };
    const result = rankCandidates(
      impossible,
      candidates.map((candidate) => evaluateCandidate(impossible, candidate)),
    );
    expect(result.rows).toHaveLength(0);
    expect(result.closest).toBeDefined();
    expect(result.closest?.bestViolation).toBeGreaterThan(1);
    expect(result.closest?.bestTpotP99S).toBeGreaterThan(0.001);
  });
});
