import type { ResolvedModelSpec } from '../model-spec';

type Geometry = Pick<
  ResolvedModelSpec,
  | 'name'
  | 'nParams'
  | 'hiddenSize'
  | 'nLayers'
  | 'nHeads'
  | 'nKvHeads'
  | 'ffnDim'
  | 'vocabSize'
  | 'maxContextLength'
> &
  Partial<ResolvedModelSpec>;

/** Fills the fields every dense, untied, SwiGLU, bf16 preset shares. */
function preset(geometry: Geometry): ResolvedModelSpec {
  return {
    headDim: geometry.hiddenSize / geometry.nHeads,
    gatedMlp: true,
    tieWordEmbeddings: false,
    weightDtype: 'bf16',
    kvCacheDtype: 'bf16',
    numExperts: 1,
    expertsPerToken: 1,
    expertFfnDim: geometry.ffnDim,
    ...geometry,
  };
}

/**
 * Model presets with the numbers of each model's Hugging Face `config.json` (hidden_size,
 * num_hidden_layers, num_attention_heads, num_key_value_heads, intermediate_size, vocab_size,
 * max_position_embeddings). `nParams` is the published parameter count from the model card.
 */
export const MODEL_PRESETS: Readonly<Record<string, ResolvedModelSpec>> = {
  // huggyllama/llama-7b (LLaMA-1): 6.74B, context 2048.
  'llama-7b': preset({
    name: 'llama-7b',
    nParams: 6.74e9,
    hiddenSize: 4096,
    nLayers: 32,
    nHeads: 32,
    nKvHeads: 32,
    ffnDim: 11008,
    vocabSize: 32000,
    maxContextLength: 2048,
  }),
  // meta-llama/Llama-2-7b-hf: 6.74B.
  'llama-2-7b': preset({
    name: 'llama-2-7b',
    nParams: 6.74e9,
    hiddenSize: 4096,
    nLayers: 32,
    nHeads: 32,
    nKvHeads: 32,
    ffnDim: 11008,
    vocabSize: 32000,
    maxContextLength: 4096,
  }),
  // meta-llama/Llama-2-13b-hf: 13.0B.
  'llama-2-13b': preset({
    name: 'llama-2-13b',
    nParams: 13.02e9,
    hiddenSize: 5120,
    nLayers: 40,
    nHeads: 40,
    nKvHeads: 40,
    ffnDim: 13824,
    vocabSize: 32000,
    maxContextLength: 4096,
  }),
  // meta-llama/Llama-2-70b-hf: 69.0B, GQA with 8 KV heads.
  'llama-2-70b': preset({
    name: 'llama-2-70b',
    nParams: 68.98e9,
    hiddenSize: 8192,
    nLayers: 80,
    nHeads: 64,
    nKvHeads: 8,
    ffnDim: 28672,
    vocabSize: 32000,
    maxContextLength: 4096,
  }),
  // meta-llama/Meta-Llama-3-8B: 8.03B.
  'llama-3-8b': preset({
    name: 'llama-3-8b',
    nParams: 8.03e9,
    hiddenSize: 4096,
    nLayers: 32,
    nHeads: 32,
    nKvHeads: 8,
    ffnDim: 14336,
    vocabSize: 128256,
    maxContextLength: 8192,
  }),
  // meta-llama/Meta-Llama-3-70B: 70.6B.
  'llama-3-70b': preset({
    name: 'llama-3-70b',
    nParams: 70.55e9,
    hiddenSize: 8192,
    nLayers: 80,
    nHeads: 64,
    nKvHeads: 8,
    ffnDim: 28672,
    vocabSize: 128256,
    maxContextLength: 8192,
  }),
  // meta-llama/Llama-3.1-8B: 8.03B, 128K context.
  'llama-3.1-8b': preset({
    name: 'llama-3.1-8b',
    nParams: 8.03e9,
    hiddenSize: 4096,
    nLayers: 32,
    nHeads: 32,
    nKvHeads: 8,
    ffnDim: 14336,
    vocabSize: 128256,
    maxContextLength: 131072,
  }),
  // meta-llama/Llama-3.1-70B: 70.6B.
  'llama-3.1-70b': preset({
    name: 'llama-3.1-70b',
    nParams: 70.55e9,
    hiddenSize: 8192,
    nLayers: 80,
    nHeads: 64,
    nKvHeads: 8,
    ffnDim: 28672,
    vocabSize: 128256,
    maxContextLength: 131072,
  }),
  // meta-llama/Llama-3.1-405B: 405.9B.
  'llama-3.1-405b': preset({
    name: 'llama-3.1-405b',
    nParams: 405.85e9,
    hiddenSize: 16384,
    nLayers: 126,
    nHeads: 128,
    nKvHeads: 8,
    ffnDim: 53248,
    vocabSize: 128256,
    maxContextLength: 131072,
  }),
  // meta-llama/Llama-3.3-70B-Instruct: 70.6B, same geometry as 3.1-70B.
  'llama-3.3-70b': preset({
    name: 'llama-3.3-70b',
    nParams: 70.55e9,
    hiddenSize: 8192,
    nLayers: 80,
    nHeads: 64,
    nKvHeads: 8,
    ffnDim: 28672,
    vocabSize: 128256,
    maxContextLength: 131072,
  }),
  // mistralai/Mistral-7B-v0.1: 7.24B.
  'mistral-7b': preset({
    name: 'mistral-7b',
    nParams: 7.24e9,
    hiddenSize: 4096,
    nLayers: 32,
    nHeads: 32,
    nKvHeads: 8,
    ffnDim: 14336,
    vocabSize: 32000,
    maxContextLength: 32768,
  }),
  // mistralai/Mixtral-8x7B-v0.1: 46.7B total, 8 experts, top-2.
  'mixtral-8x7b': preset({
    name: 'mixtral-8x7b',
    nParams: 46.7e9,
    hiddenSize: 4096,
    nLayers: 32,
    nHeads: 32,
    nKvHeads: 8,
    ffnDim: 14336,
    vocabSize: 32000,
    maxContextLength: 32768,
    numExperts: 8,
    expertsPerToken: 2,
    expertFfnDim: 14336,
  }),
  // codellama/CodeLlama-34b-hf: 33.7B.
  'codellama-34b': preset({
    name: 'codellama-34b',
    nParams: 33.74e9,
    hiddenSize: 8192,
    nLayers: 48,
    nHeads: 64,
    nKvHeads: 8,
    ffnDim: 22016,
    vocabSize: 32000,
    maxContextLength: 16384,
  }),
  // Qwen/Qwen2.5-7B: 7.62B (head dim 128).
  'qwen2.5-7b': preset({
    name: 'qwen2.5-7b',
    nParams: 7.62e9,
    hiddenSize: 3584,
    nLayers: 28,
    nHeads: 28,
    nKvHeads: 4,
    ffnDim: 18944,
    vocabSize: 152064,
    maxContextLength: 32768,
  }),
  // Qwen/Qwen2.5-72B: 72.7B.
  'qwen2.5-72b': preset({
    name: 'qwen2.5-72b',
    nParams: 72.71e9,
    hiddenSize: 8192,
    nLayers: 80,
    nHeads: 64,
    nKvHeads: 8,
    ffnDim: 29568,
    vocabSize: 152064,
    maxContextLength: 32768,
  }),
  // microsoft/phi-2: 2.78B, plain GELU MLP.
  'phi-2': preset({
    name: 'phi-2',
    nParams: 2.78e9,
    hiddenSize: 2560,
    nLayers: 32,
    nHeads: 32,
    nKvHeads: 32,
    ffnDim: 10240,
    vocabSize: 51200,
    maxContextLength: 2048,
    gatedMlp: false,
  }),
  // internlm/internlm-20b: 20B (profiled in the calibration data).
  'internlm-20b': preset({
    name: 'internlm-20b',
    nParams: 20e9,
    hiddenSize: 5120,
    nLayers: 60,
    nHeads: 40,
    nKvHeads: 40,
    ffnDim: 13824,
    vocabSize: 103168,
    maxContextLength: 4096,
  }),
  // Qwen/Qwen-72B (Qwen 1): 72.3B; intermediate_size 49152 is gate+up, 24576 each (profiled in the calibration data).
  'qwen-72b': preset({
    name: 'qwen-72b',
    nParams: 72.29e9,
    hiddenSize: 8192,
    nLayers: 80,
    nHeads: 64,
    nKvHeads: 64,
    ffnDim: 24576,
    vocabSize: 152064,
    maxContextLength: 32768,
  }),
  // mistralai/Mixtral-8x22B-v0.1: 141B total, 8 experts, top-2.
  'mixtral-8x22b': preset({
    name: 'mixtral-8x22b',
    nParams: 140.6e9,
    hiddenSize: 6144,
    nLayers: 56,
    nHeads: 48,
    nKvHeads: 8,
    ffnDim: 16384,
    vocabSize: 32768,
    maxContextLength: 65536,
    numExperts: 8,
    expertsPerToken: 2,
    expertFfnDim: 16384,
  }),
  // EleutherAI/gpt-j-6b: 6.05B; head dim 256, plain GELU MLP (n_inner 4 × n_embd), untied LM head.
  'gpt-j-6b': preset({
    name: 'gpt-j-6b',
    nParams: 6.05e9,
    hiddenSize: 4096,
    nLayers: 28,
    nHeads: 16,
    nKvHeads: 16,
    ffnDim: 16384,
    vocabSize: 50400,
    maxContextLength: 2048,
    gatedMlp: false,
  }),
  // tiiuae/falcon-180B: 179.5B; 232 query heads of 64, 8 KV heads, plain GELU MLP, tied embeddings.
  'falcon-180b': preset({
    name: 'falcon-180b',
    nParams: 179.5e9,
    hiddenSize: 14848,
    nLayers: 80,
    nHeads: 232,
    nKvHeads: 8,
    ffnDim: 59392,
    vocabSize: 65024,
    maxContextLength: 2048,
    gatedMlp: false,
    tieWordEmbeddings: true,
  }),
  // bigscience/bloom: 176.2B; multi-head attention (112 heads of 128), plain GELU MLP, tied embeddings.
  'bloom-176b': preset({
    name: 'bloom-176b',
    nParams: 176.25e9,
    hiddenSize: 14336,
    nLayers: 70,
    nHeads: 112,
    nKvHeads: 112,
    ffnDim: 57344,
    vocabSize: 250880,
    maxContextLength: 2048,
    gatedMlp: false,
    tieWordEmbeddings: true,
  }),
};

/** Other names accepted for model presets: Hugging Face ids and common spellings (matched case-insensitively). */
export const MODEL_ALIASES: Readonly<Record<string, string>> = {
  'huggyllama/llama-7b': 'llama-7b',
  'mistralai/mixtral-8x22b-v0.1': 'mixtral-8x22b',
  'eleutherai/gpt-j-6b': 'gpt-j-6b',
  'gpt-j': 'gpt-j-6b',
  'tiiuae/falcon-180b': 'falcon-180b',
  'bigscience/bloom': 'bloom-176b',
  bloom: 'bloom-176b',
  'meta-llama/llama-2-7b-hf': 'llama-2-7b',
  'meta-llama/llama-2-7b-chat-hf': 'llama-2-7b',
  'meta-llama/llama-2-13b-hf': 'llama-2-13b',
  'meta-llama/llama-2-13b-chat-hf': 'llama-2-13b',
  'meta-llama/llama-2-70b-hf': 'llama-2-70b',
  'meta-llama/llama-2-70b-chat-hf': 'llama-2-70b',
  'llama2-7b': 'llama-2-7b',
  'llama2-13b': 'llama-2-13b',
  'llama2-70b': 'llama-2-70b',
  'meta-llama/meta-llama-3-8b': 'llama-3-8b',
  'meta-llama/meta-llama-3-8b-instruct': 'llama-3-8b',
  'meta-llama/meta-llama-3-70b': 'llama-3-70b',
  'meta-llama/meta-llama-3-70b-instruct': 'llama-3-70b',
  'meta-llama/llama-3.1-8b': 'llama-3.1-8b',
  'meta-llama/llama-3.1-8b-instruct': 'llama-3.1-8b',
  'meta-llama/meta-llama-3.1-8b': 'llama-3.1-8b',
  'meta-llama/meta-llama-3.1-8b-instruct': 'llama-3.1-8b',
  'meta-llama/llama-3.1-70b': 'llama-3.1-70b',
  'meta-llama/llama-3.1-70b-instruct': 'llama-3.1-70b',
  'meta-llama/meta-llama-3.1-70b': 'llama-3.1-70b',
  'meta-llama/meta-llama-3.1-70b-instruct': 'llama-3.1-70b',
  'meta-llama/llama-3.1-405b': 'llama-3.1-405b',
  'meta-llama/llama-3.1-405b-instruct': 'llama-3.1-405b',
  'meta-llama/meta-llama-3.1-405b': 'llama-3.1-405b',
  'meta-llama/llama-3.3-70b-instruct': 'llama-3.3-70b',
  'mistralai/mistral-7b-v0.1': 'mistral-7b',
  'mistralai/mistral-7b-instruct-v0.1': 'mistral-7b',
  'mistralai/mixtral-8x7b-v0.1': 'mixtral-8x7b',
  'mistralai/mixtral-8x7b-instruct-v0.1': 'mixtral-8x7b',
  'codellama/codellama-34b-hf': 'codellama-34b',
  'codellama/codellama-34b-instruct-hf': 'codellama-34b',
  'qwen/qwen2.5-7b': 'qwen2.5-7b',
  'qwen/qwen2.5-7b-instruct': 'qwen2.5-7b',
  'qwen/qwen2.5-72b': 'qwen2.5-72b',
  'qwen/qwen2.5-72b-instruct': 'qwen2.5-72b',
  'microsoft/phi-2': 'phi-2',
  'internlm/internlm-20b': 'internlm-20b',
  'qwen/qwen-72b': 'qwen-72b',
};
