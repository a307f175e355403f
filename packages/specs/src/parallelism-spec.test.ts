import { ConfigError, type ConfigIssue, resolveConfig, type SimulatorConfig } from '@sim/specs';
import { describe, expect, it } from 'vitest';

function issuesOf(config: SimulatorConfig): ConfigIssue[] {
  try {
    resolveConfig(config);
  } catch (error) {
    if (error instanceof ConfigError) return [...error.issues];
    throw error;
  }
  return [];
}

describe('parallelismSpec.router as a name or with settings', () => {
  it('a name resolves with the default settings; an object with its own', () => {
    expect(resolveConfig({ parallelismSpec: { router: 'least-kv' } }).parallelismSpec).toMatchObject({
      router: 'least-kv',
      routerOptions: { weights: { prefix: 3, load: 2, kv: 2 }, stalenessS: 0 },
      expertParallel: false,
      expertParallelSize: 1,
      expertImbalance: 1,
    });
    const scored = resolveConfig({
      parallelismSpec: { router: { type: 'scored', weights: { load: 5 }, stalenessS: 0.25 } },
    }).parallelismSpec;
    expect(scored.router).toBe('scored');
    expect(scored.routerOptions).toEqual({ weights: { prefix: 3, load: 5, kv: 2 }, stalenessS: 0.25 });
    // snake_case, as config files may write it
    const snake = resolveConfig({
      parallelism_spec: { router: { type: 'least-kv', staleness_s: 1 } },
    } as SimulatorConfig).parallelismSpec;
    expect(snake.routerOptions.stalenessS).toBe(1);
  });

  it('rejects weights on other routers, all-zero weights, typos and wrong types, naming the field', () => {
    expect(
      issuesOf({ parallelismSpec: { router: { type: 'round-robin', weights: { prefix: 1 } } } }).map(
        (issue) => issue.path,
      ),
    ).toEqual(['parallelismSpec.router.weights']);
    expect(
      issuesOf({ parallelismSpec: { router: { type: 'scored', weights: { prefix: 0, load: 0, kv: 0 } } } })[0]
        ?.message,
    ).toContain('Give at least one weight a positive value');
    const typo = issuesOf({
      parallelismSpec: { router: { type: 'scored', weights: { prefx: 1 } } },
    } as SimulatorConfig)[0];
    expect(typo?.path).toBe('parallelismSpec.router.weights.prefx');
    expect(typo?.message).toContain('Did you mean "prefix"?');
    expect(issuesOf({ parallelismSpec: { router: { type: 'scord' } } })[0]?.message).toContain(
      'Did you mean "scored"?',
    );
    const wrongType = issuesOf({ parallelismSpec: { router: 5 } } as unknown as SimulatorConfig)[0];
    expect(wrongType?.path).toBe('parallelismSpec.router');
    expect(wrongType?.message).toBe(
      '5 is not valid here (A router name, or { type: name, weights?, stalenessS? }).',
    );
    expect(issuesOf({ parallelismSpec: { router: { type: 'least-kv', stalenessS: -1 } } })[0]?.path).toBe(
      'parallelismSpec.router.stalenessS',
    );
  });
});

describe('parallelismSpec.expertParallel', () => {
  const cluster = (gpus: number) => ({ nGpusPerNode: gpus, gpuSpec: { name: 'H100' } });
  it('resolves for an MoE model whose experts split over DP × TP; defaults off with imbalance 1', () => {
    const resolved = resolveConfig({
      modelSpec: { name: 'qwen3-30b-a3b' },
      clusterSpec: cluster(8),
      parallelismSpec: {
        dataParallelSize: 4,
        tensorParallelSize: 2,
        expertParallel: true,
        expertImbalance: 1.3,
      },
    }).parallelismSpec;
    expect([resolved.expertParallel, resolved.expertImbalance]).toEqual([true, 1.3]);
    expect(resolveConfig({}).parallelismSpec).toMatchObject({ expertParallel: false, expertImbalance: 1 });
  });

  it('is a typed error for a dense model, a group of one GPU, experts that do not split, and imbalance without it', () => {
    const messages = (config: SimulatorConfig) =>
      issuesOf(config).map((issue) => `${issue.path}: ${issue.message}`);
    expect(
      messages({
        modelSpec: { name: 'llama-3.1-8b' },
        clusterSpec: cluster(2),
        parallelismSpec: { dataParallelSize: 2, expertParallel: true },
      }),
    ).toEqual([expect.stringMatching(/^parallelismSpec.expertParallel: llama-3.1-8b is dense/)]);
    expect(
      messages({ modelSpec: { name: 'mixtral-8x7b' }, parallelismSpec: { expertParallel: true } }),
    ).toEqual([
      expect.stringMatching(
        /^parallelismSpec.expertParallel: spreads experts over the GPUs of a group \(DP × TP by default\), and here that is 1 GPU/,
      ),
    ]);
    expect(
      messages({
        modelSpec: { name: 'mixtral-8x7b' },
        clusterSpec: cluster(3),
        parallelismSpec: { dataParallelSize: 3, expertParallel: true },
      }),
    ).toEqual([
      expect.stringMatching(
        /8 experts do not split evenly over a group of 3 GPUs \(DP 3 × TP 1 unless expertParallelSize says otherwise\)/,
      ),
    ]);
    expect(
      messages({
        modelSpec: { name: 'mixtral-8x7b' },
        clusterSpec: cluster(2),
        parallelismSpec: { dataParallelSize: 2, expertImbalance: 2 },
      }),
    ).toEqual([expect.stringMatching(/^parallelismSpec.expertImbalance: applies with expertParallel only/)]);
    expect(issuesOf({ parallelismSpec: { expertImbalance: 0.5 } })[0]?.path).toBe(
      'parallelismSpec.expertImbalance',
    );
    // Groups: a multiple of TP that divides DP × TP.
    expect(
      messages({
        modelSpec: { name: 'qwen3-30b-a3b' },
        clusterSpec: cluster(8),
        parallelismSpec: {
          dataParallelSize: 4,
          tensorParallelSize: 2,
          expertParallel: true,
          expertParallelSize: 3,
        },
      }),
    ).toEqual([
      expect.stringMatching(
        /^parallelismSpec.expertParallelSize: 3 GPUs per expert-parallel group must be a multiple of TP 2 that divides DP 4 × TP 2 = 8/,
      ),
    ]);
    expect(
      resolveConfig({
        modelSpec: { name: 'qwen3-30b-a3b' },
        clusterSpec: cluster(8),
        parallelismSpec: {
          dataParallelSize: 4,
          tensorParallelSize: 2,
          expertParallel: true,
          expertParallelSize: 4,
        },
      }).parallelismSpec.expertParallelSize,
    ).toBe(4);
  });
});
