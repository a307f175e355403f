import type { BatchShape } from './batch-shape';
import { countTokens } from './batch-shape';
import type { LayerElementwiseOperator, LinearOperator } from './layer-cost';
import type { PerfModel } from './perf-model';

/** Every operator kind an iteration's time is split into (see {@link OperatorBreakdown}). */
export const OPERATOR_NAMES = [
  'embedding',
  'inputNorm',
  'qkvProjection',
  'rope',
  'attentionPrefill',
  'attentionDecode',
  'outputProjection',
  'postAttentionNorm',
  'upProjection',
  'activation',
  'downProjection',
  'residualAdd',
  'moeRouter',
  'expertAllToAll',
  'allReduce',
  'lmHead',
  'pipelineTransfer',
  'cpuOverhead',
] as const satisfies readonly (
  | LinearOperator
  | LayerElementwiseOperator
  | 'attentionPrefill'
  | 'attentionDecode'
  | 'allReduce'
  | 'moeRouter'
  | 'expertAllToAll'
  | 'lmHead'
  | 'pipelineTransfer'
  | 'cpuOverhead'
)[];

/** Seconds per operator kind for one iteration (all layers of all stages). */
export type OperatorBreakdown = Record<(typeof OPERATOR_NAMES)[number], number>;

/** An iteration's time, split by stage and operator, with its utilization. */
export interface IterationBreakdown {
  /** Wall time of the iteration without pipelining: every stage in turn, plus CPU overhead. Seconds. */
  readonly totalS: number;
  /** GPU time of each pipeline stage (including its outgoing activation transfer). Seconds. */
  readonly stageS: readonly number[];
  /** Engine CPU overhead of the iteration. Seconds. */
  readonly cpuOverheadS: number;
  readonly operators: OperatorBreakdown;
  /** FLOPs of the iteration over all GPUs of the replica. */
  readonly flops: number;
  /** Bytes read/written from device memory over all GPUs of the replica (weights, KV cache). */
  readonly bytes: number;
  /** Model FLOPs utilization: flops / (totalS × peak × GPUs). */
  readonly mfu: number;
  /** Memory-bandwidth utilization: bytes / (totalS × bandwidth × GPUs). */
  readonly mbu: number;
}

/** A breakdown with every operator at 0. */
export function emptyBreakdown(): OperatorBreakdown {
  return {
    embedding: 0,
    inputNorm: 0,
    qkvProjection: 0,
    rope: 0,
    attentionPrefill: 0,
    attentionDecode: 0,
    outputProjection: 0,
    postAttentionNorm: 0,
    upProjection: 0,
    activation: 0,
    downProjection: 0,
    residualAdd: 0,
    moeRouter: 0,
    expertAllToAll: 0,
    allReduce: 0,
    lmHead: 0,
    pipelineTransfer: 0,
    cpuOverhead: 0,
  };
}

/** Adds `scale` × each operator of `from` to `into` (e.g. one layer's times × the layers of a stage). */
export function addScaledBreakdown(into: OperatorBreakdown, from: OperatorBreakdown, scale: number): void {
  for (const key of OPERATOR_NAMES) into[key] += from[key] * scale;
}

/** The iteration's time by stage and operator, with MFU and MBU (see {@link PerfModel.breakdown}). */
export function iterationBreakdown(model: PerfModel, batch: BatchShape): IterationBreakdown {
  const operators = emptyBreakdown();
  const tokens = countTokens(batch);
  const sampled = batch.sampledSequences ?? batch.prefillChunks.length + batch.decodeSequences;
  const { layersPerStage, stages } = model;
  const stageS: number[] = [];
  for (let stage = 0; stage < stages; stage++) {
    const perLayer = emptyBreakdown();
    let time =
      layersPerStage *
      (model.layerTimeBreakdown(tokens, perLayer) + model.attentionTime(batch, perLayer, tokens));
    addScaledBreakdown(operators, perLayer, layersPerStage);
    if (stage === 0) {
      const embedding = model.embeddingTime(tokens);
      operators.embedding += embedding;
      time += embedding;
    }
    if (stage === stages - 1) {
      const head = model.lmHeadTime(sampled);
      operators.lmHead += head;
      time += head;
    } else {
      const transfer = model.stageTransferTime(tokens);
      operators.pipelineTransfer += transfer;
      time += transfer;
    }
    stageS.push(time);
  }
  const cpuOverheadS =
    tokens === 0 ? 0 : model.cpuOverhead(batch.prefillChunks.length + batch.decodeSequences);
  operators.cpuOverhead = cpuOverheadS;
  const totalS = model.iterationWallTime(
    cpuOverheadS,
    stageS.reduce((sum, value) => sum + value, 0),
  );
  const { flops, bytes } = model.work(batch);
  const gpus = model.gpusPerReplica;
  return {
    totalS,
    stageS,
    cpuOverheadS,
    operators,
    flops,
    bytes,
    mfu: totalS > 0 ? flops / (totalS * model.peaks.flopsPerSecond * gpus) : 0,
    mbu: totalS > 0 ? bytes / (totalS * model.peaks.bytesPerSecond * gpus) : 0,
  };
}
