import { ConfigError, resolveConfig } from '@sim/specs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

const number = fc.oneof(
  fc.integer({ min: -4, max: 300 }),
  fc.double({ min: -10, max: 1e4 }),
  fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, 0, 1, 2, 4, 8),
);
const value = fc.oneof(number, fc.boolean(), fc.string({ maxLength: 6 }), fc.constant(null));
const section = (keys: string[]) =>
  fc.dictionary(fc.oneof(fc.constantFrom(...keys), fc.string({ maxLength: 5 })), fc.oneof(number, value), {
    maxKeys: 5,
  });

const config = fc.record(
  {
    modelSpec: fc.oneof(
      fc.record({ name: fc.constantFrom('llama-2-7b', 'llama-3.1-70b', 'mixtral-8x7b', 'phi-2', 'nope') }),
      section(['name', 'hiddenSize', 'nLayers', 'nHeads', 'ffnDim', 'nKvHeads', 'weightDtype']),
    ),
    workloadSpec: section([
      'arrivalRate',
      'avgInputLength',
      'avgOutputLength',
      'arrivalProcess',
      'numRequests',
      'lengthDistribution',
    ]),
    clusterSpec: fc.record(
      { nGpusPerNode: number, gpuSpec: fc.record({ name: fc.constantFrom('H100', 'A100', 'X1') }) },
      { requiredKeys: [] },
    ),
    parallelismSpec: section(['tensorParallelSize', 'pipelineParallelSize', 'dataParallelSize']),
    schedulerSpec: section(['maxBatchSize', 'batchingType', 'gpuMemoryUtilization', 'kvBlockSize']),
    simulationDurationS: number,
    seed: value,
  },
  { requiredKeys: [] },
);

describe('resolveConfig on random input', () => {
  it('either returns a valid config or throws ConfigError with issues, never anything else', () => {
    fc.assert(
      fc.property(config, (input) => {
        try {
          const resolved = resolveConfig(input as never);
          expect(
            resolved.parallelismSpec.tensorParallelSize *
              resolved.parallelismSpec.pipelineParallelSize *
              resolved.parallelismSpec.dataParallelSize,
          ).toBe(resolved.clusterSpec.nGpusPerNode * resolved.clusterSpec.nNodes);
          expect(
            Number.isFinite(resolved.workloadSpec.arrivalRate) && resolved.workloadSpec.arrivalRate > 0,
          ).toBe(true);
        } catch (error) {
          if (!(error instanceof ConfigError)) throw error;
          expect(error.issues.length).toBeGreaterThan(0);
          for (const issue of error.issues) expect(issue.message.length).toBeGreaterThan(5);
        }
      }),
      { numRuns: 500, seed: 20261128 },
    );
  });
});
