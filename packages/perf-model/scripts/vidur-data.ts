/**
 * Readers for the measured kernel times: `data/kernel-medians/`, the median columns of
 * microsoft/vidur's profiling data derived from ../shared/calibration/vidur by
 * `scripts/extract-kernel-medians.ts` (committed, so the accuracy tests run in any clone). Used by
 * the calibration script and by the accuracy tests; never shipped.
 */

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseCsvRecords, type ResolvedModelSpec } from '@sim/specs';
import type { LayerElementwiseOperator, LinearOperator } from '../src/layer-cost';

/** A CSV table's rows, keyed by its header (`#` lines skipped). */
function readCsv(path: string): Record<string, string>[] {
  return parseCsvRecords(readFileSync(path, 'utf8'));
}

/** Path of a committed kernel-median table (same layout as the raw Vidur folders). */
function kernelMedians(...parts: string[]): string {
  return join(fileURLToPath(new URL('../data/kernel-medians/', import.meta.url)), ...parts);
}

/** GPU families with kernel profiles, and the preset whose datasheet peaks the fit is relative to. */
export const PROFILED_FAMILIES = {
  a100: { referenceGpu: 'A100-80GB', heldOutModel: 'meta-llama/Meta-Llama-3-8B' },
  h100: { referenceGpu: 'H100-80GB', heldOutModel: 'codellama/CodeLlama-34b-Instruct-hf' },
  a40: { referenceGpu: 'A40', heldOutModel: 'internlm/internlm-20b' },
} as const;
export type ProfiledFamily = keyof typeof PROFILED_FAMILIES;

/** Vidur column → our operator. */
export const VIDUR_OPERATORS: Readonly<Record<string, LinearOperator | LayerElementwiseOperator>> = {
  emb: 'embedding',
  input_layernorm: 'inputNorm',
  attn_pre_proj: 'qkvProjection',
  attn_rope: 'rope',
  attn_post_proj: 'outputProjection',
  post_attention_layernorm: 'postAttentionNorm',
  mlp_up_proj: 'upProjection',
  mlp_act: 'activation',
  mlp_down_proj: 'downProjection',
  add: 'residualAdd',
};

export interface OperatorRow {
  readonly family: ProfiledFamily;
  readonly model: string;
  readonly modelSpec: ResolvedModelSpec;
  readonly tensorParallelSize: number;
  readonly tokens: number;
  readonly operator: LinearOperator | LayerElementwiseOperator;
  /** Measured median, in seconds. */
  readonly seconds: number;
  readonly heldOut: boolean;
}

function modelFromRow(name: string, row: Record<string, string>): ResolvedModelSpec {
  const hiddenSize = Number(row.n_embd);
  const nHeads = Number(row.n_head);
  const ffnDim = Number(row.n_expanded_embd);
  return {
    name,
    nParams: 0,
    hiddenSize,
    nLayers: 1,
    nHeads,
    nKvHeads: Number(row.n_kv_head),
    headDim: hiddenSize / nHeads,
    ffnDim,
    vocabSize: Number(row.vocab_size),
    gatedMlp: row.use_gated_mlp === 'True',
    tieWordEmbeddings: false,
    weightDtype: 'bf16',
    kvCacheDtype: 'bf16',
    maxContextLength: 4096,
    numExperts: 1,
    expertsPerToken: 1,
    expertFfnDim: ffnDim,
    numSharedExperts: 0,
    sharedExpertFfnDim: ffnDim,
    nDenseLayers: 0,
    kvLoraRank: 0,
    qLoraRank: 0,
    qkRopeHeadDim: 0,
    vHeadDim: hiddenSize / nHeads,
    expertDtype: 'bf16',
    embeddingDtype: 'bf16',
    slidingWindow: 0,
    slidingWindowLayers: 0,
    chunkedAttention: false,
    attentionSinks: false,
  };
}

/** Every (model, TP, tokens, operator) median in the family's compute profiles; duplicate rows averaged. */
export function readOperatorRows(family: ProfiledFamily): OperatorRow[] {
  const root = kernelMedians('compute', family);
  const rows = new Map<string, OperatorRow & { count: number }>();
  for (const organization of readdirSync(root)) {
    for (const model of readdirSync(join(root, organization))) {
      const name = `${organization}/${model}`;
      for (const record of readCsv(join(root, organization, model, 'mlp.csv'))) {
        const modelSpec = modelFromRow(name, record);
        for (const [column, operator] of Object.entries(VIDUR_OPERATORS)) {
          const milliseconds = Number(record[`time_stats.${column}.median`]);
          if (!Number.isFinite(milliseconds) || milliseconds <= 0) continue;
          const tensorParallelSize = Number(record.num_tensor_parallel_workers);
          const tokens = Number(record.num_tokens);
          const key = `${name}|${tensorParallelSize}|${tokens}|${operator}`;
          const existing = rows.get(key);
          if (existing) {
            existing.count++;
            (existing as { seconds: number }).seconds +=
              (milliseconds / 1000 - existing.seconds) / existing.count;
          } else {
            rows.set(key, {
              family,
              model: name,
              modelSpec,
              tensorParallelSize,
              tokens,
              operator,
              seconds: milliseconds / 1000,
              heldOut: name === PROFILED_FAMILIES[family].heldOutModel,
              count: 1,
            });
          }
        }
      }
    }
  }
  return [...rows.values()];
}

export interface AttentionRow {
  readonly prefill: boolean;
  readonly batchSize: number;
  readonly chunk: number;
  readonly context: number;
  readonly seconds: number;
  readonly heldOut: boolean;
}

/** Attention kernel medians (A100, Llama-2-70B geometry at TP2: 32 query heads, 4 KV heads, head dim 128). */
export function readAttentionRows(): AttentionRow[] {
  const records = readCsv(kernelMedians('attention', 'a100-tp2-n_embd8192-q64-kv8-attention.csv'));
  return records.flatMap((record, index) => {
    const prefill = record.is_prefill === 'True';
    const milliseconds = Number(
      record[prefill ? 'time_stats.attn_prefill.median' : 'time_stats.attn_decode.median'],
    );
    if (!Number.isFinite(milliseconds) || milliseconds <= 0) return [];
    // Every 5th row is held out (the file covers one geometry, so there is no model to hold out).
    return [
      {
        prefill,
        batchSize: Number(record.batch_size),
        chunk: Number(record.prefill_chunk_size),
        context: Number(record.kv_cache_size),
        seconds: milliseconds / 1000,
        heldOut: index % 5 === 0,
      },
    ];
  });
}

export interface CollectiveRow {
  readonly topology: string;
  readonly collective: 'all_reduce' | 'send_recv';
  readonly participants: number;
  readonly devicesPerNode: number;
  readonly bytes: number;
  readonly seconds: number;
  readonly heldOut: boolean;
}

/** NCCL all-reduce / send-recv medians for one topology folder (e.g. `a100_dgx`). */
export function readCollectiveRows(
  topology: string,
  collective: 'all_reduce' | 'send_recv',
): CollectiveRow[] {
  const records = readCsv(kernelMedians('network', topology, `${collective}.csv`));
  return records.flatMap((record, index) => {
    const milliseconds = Number(record[`time_stats.${collective}.median`]);
    if (!Number.isFinite(milliseconds) || milliseconds <= 0) return [];
    return [
      {
        topology,
        collective,
        participants: Number(record.num_workers),
        devicesPerNode: Number(record.devices_per_node),
        bytes: Number(record.size),
        seconds: milliseconds / 1000,
        heldOut: index % 5 === 0,
      },
    ];
  });
}

export interface CpuOverheadRow {
  readonly model: string;
  readonly tensorParallelSize: number;
  readonly batchSize: number;
  /** schedule + prepare inputs + sampler + process outputs, in seconds. */
  readonly seconds: number;
  readonly heldOut: boolean;
}

/** vLLM-style CPU time per iteration (A100 server) by batch size. */
export function readCpuOverheadRows(): CpuOverheadRow[] {
  return readCsv(kernelMedians('cpu-overheads', 'a100-cpu_overheads.csv')).map((record) => ({
    model: record.model_name ?? '',
    tensorParallelSize: Number(record.tensor_parallel_degree),
    batchSize: Number(record.batch_size),
    seconds:
      (Number(record.schedule_median) +
        Number(record.prepare_inputs_e2e_median) +
        Number(record.sampler_e2e_median) +
        Number(record.process_model_outputs_median)) /
      1000,
    heldOut: record.model_name === 'internlm/internlm-20b',
  }));
}
