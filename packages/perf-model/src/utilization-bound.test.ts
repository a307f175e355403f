import { type BatchShape, createPerfModel, type PerfModel } from '@sim/perf-model';
import {
  type Dtype,
  ENGINE_PROFILE_NAMES,
  type EngineProfileName,
  isSimError,
  MODEL_PRESETS,
  resolveConfig,
} from '@sim/specs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { gpuSeconds } from './test-batches';

/**
 * No iteration may move more bytes, or do more FLOPs, than the replica's GPUs can in the time the
 * model gives it: MBU ≤ 1 and MFU ≤ 1 with the iteration's GPU time (every pipeline stage's time,
 * without the engine's CPU overhead, which only makes the ratios smaller). A violation means the
 * byte or FLOP accounting disagrees with the time model (as when every MoE expert was counted as
 * read at batch 1: Mixtral-8x7B TP2 reported MBU 1.7).
 */
const GPUS = ['A100-80GB', 'H100-80GB', 'A40', 'L40S', 'B200', 'MI300X'] as const;
const TENSOR_PARALLEL = [1, 2, 4, 8] as const;
const WEIGHT_DTYPES: readonly Dtype[] = ['bf16', 'fp8', 'int8', 'int4', 'mxfp4'];

/** The perf model of a preset deployment, or undefined when the layout is invalid or the weights do not fit. */
function deployment(
  model: string,
  gpu: string,
  tensorParallelSize: number,
  weightDtype: Dtype,
  engineProfile: EngineProfileName,
): PerfModel | undefined {
  try {
    const perf = createPerfModel(
      resolveConfig({
        modelSpec: { name: model, weightDtype },
        clusterSpec: { nGpusPerNode: tensorParallelSize, gpuSpec: { name: gpu } },
        parallelismSpec: { tensorParallelSize },
        engineProfile,
      }),
    );
    return perf.memory.fits ? perf : undefined;
  } catch (error) {
    if (isSimError(error)) return undefined; // e.g. TP that does not divide the heads
    throw error;
  }
}

/** A batch within the model's limits: decoding sequences with their contexts, and prefill chunks after cached context. */
const batchOf = (maxBatch: number, maxContext: number, maxTokens: number) =>
  fc
    .record({
      decodeContexts: fc.array(fc.integer({ min: 1, max: maxContext }), { maxLength: maxBatch }),
      chunks: fc.array(
        fc.record({
          chunk: fc.integer({ min: 1, max: maxTokens }),
          context: fc.integer({ min: 0, max: maxContext }),
        }),
        { maxLength: 4 },
      ),
    })
    .filter(({ decodeContexts, chunks }) => decodeContexts.length + chunks.length > 0)
    .map(
      ({ decodeContexts, chunks }): BatchShape => ({
        prefillChunks: chunks.map(({ chunk }) => chunk),
        prefillContexts: chunks.map(({ context }) => context),
        decodeSequences: decodeContexts.length,
        decodeContextTokens: decodeContexts.reduce((sum, context) => sum + context, 0),
      }),
    );

/** The iteration's MBU and MFU against its GPU time. */
function utilization(perf: PerfModel, batch: BatchShape): { mbu: number; mfu: number } {
  const seconds = gpuSeconds(perf, batch);
  const gpus = perf.gpusPerReplica;
  return {
    mbu: perf.bytesOf(batch) / (seconds * perf.peaks.bytesPerSecond * gpus),
    mfu: perf.flopsOf(batch) / (seconds * perf.peaks.flopsPerSecond * gpus),
  };
}

function describeDeployment(perf: PerfModel): string {
  const { modelSpec, clusterSpec, parallelismSpec } = perf.config;
  return `${modelSpec.name} ${modelSpec.weightDtype} on ${clusterSpec.gpuSpec.name} TP ${parallelismSpec.tensorParallelSize} (${perf.engine.name})`;
}

/** Asserts MBU and MFU of every batch are in (0, 1], naming the worst batch (one assertion per deployment: fast). */
function expectWithinPeaks(perf: PerfModel, batches: Iterable<BatchShape>): void {
  let worst = { mbu: 0, mfu: 0, mbuBatch: '', mfuBatch: '', smallestMbu: Number.POSITIVE_INFINITY };
  for (const batch of batches) {
    const { mbu, mfu } = utilization(perf, batch);
    if (!(mbu <= worst.mbu)) worst = { ...worst, mbu, mbuBatch: JSON.stringify(batch) };
    if (!(mfu <= worst.mfu)) worst = { ...worst, mfu, mfuBatch: JSON.stringify(batch) };
    worst.smallestMbu = Math.min(worst.smallestMbu, mbu);
  }
  const where = describeDeployment(perf);
  expect(worst.mbu, `MBU of ${where}, batch ${worst.mbuBatch}`).toBeLessThanOrEqual(1);
  expect(worst.mfu, `MFU of ${where}, batch ${worst.mfuBatch}`).toBeLessThanOrEqual(1);
  expect(worst.smallestMbu, `MBU of ${where}`).toBeGreaterThan(0);
}

function* presetBatches(perf: PerfModel): Generator<BatchShape> {
  const { maxContextLength } = perf.config.modelSpec;
  for (let sequences = 1; sequences <= perf.config.schedulerSpec.maxBatchSize; sequences++) {
    for (const context of [1, maxContextLength]) {
      yield {
        prefillChunks: [],
        prefillContexts: [],
        decodeSequences: sequences,
        decodeContextTokens: sequences * context,
      };
    }
  }
  for (let chunk = 1; chunk <= 16_384; chunk *= 2) {
    for (const context of [0, maxContextLength]) {
      yield {
        prefillChunks: [chunk],
        prefillContexts: [context],
        decodeSequences: 0,
        decodeContextTokens: 0,
      };
    }
  }
}

describe('utilization bound: MBU ≤ 1 and MFU ≤ 1 for every model preset', () => {
  for (const name of Object.keys(MODEL_PRESETS)) {
    it(`${name}: every decode batch size and prefill chunk, on every GPU and TP degree that fits`, () => {
      let deployments = 0;
      for (const gpu of GPUS) {
        for (const tensorParallelSize of TENSOR_PARALLEL) {
          const perf = deployment(name, gpu, tensorParallelSize, 'bf16', 'vllm');
          if (perf === undefined) continue;
          deployments++;
          expectWithinPeaks(perf, presetBatches(perf));
        }
      }
      expect(deployments, 'at least one GPU and TP degree holds the model').toBeGreaterThan(0);
    });

    it(`${name}: any mixed batch, weight format and engine profile (property)`, () => {
      fc.assert(
        fc.property(
          fc.constantFrom(...GPUS),
          fc.constantFrom(...TENSOR_PARALLEL),
          fc.constantFrom(...WEIGHT_DTYPES),
          fc.constantFrom(...ENGINE_PROFILE_NAMES),
          fc.nat(),
          (gpu, tensorParallelSize, weightDtype, engine, batchSeed) => {
            const perf = deployment(name, gpu, tensorParallelSize, weightDtype, engine);
            if (perf === undefined) return;
            const { maxContextLength } = perf.config.modelSpec;
            const [batch] = fc.sample(
              batchOf(perf.config.schedulerSpec.maxBatchSize, maxContextLength, 16_384),
              { seed: batchSeed, numRuns: 1 },
            );
            if (batch !== undefined) expectWithinPeaks(perf, [batch]);
          },
        ),
        { numRuns: 60, seed: 12 },
      );
    });
  }
});
