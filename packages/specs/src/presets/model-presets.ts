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
    numSharedExperts: 0,
    sharedExpertFfnDim: geometry.expertFfnDim ?? geometry.ffnDim,
    nDenseLayers: 0,
    kvLoraRank: 0,
    qLoraRank: 0,
    qkRopeHeadDim: 0,
    vHeadDim: geometry.headDim ?? geometry.hiddenSize / geometry.nHeads,
    expertDtype: geometry.weightDtype ?? 'bf16',
    embeddingDtype: geometry.weightDtype ?? 'bf16',
    slidingWindow: 0,
    slidingWindowLayers: geometry.slidingWindow ? geometry.nLayers : 0,
    chunkedAttention: false,
    attentionSinks: false,
    ...geometry,
  };
}

/** What Llama 4 Scout and Maverick share (their text_config; see their presets). */
const LLAMA_4 = {
  hiddenSize: 5120,
  nLayers: 48,
  nHeads: 40,
  nKvHeads: 8,
  headDim: 128,
  ffnDim: 16384,
  vocabSize: 202048,
  expertsPerToken: 1,
  expertFfnDim: 8192,
  numSharedExperts: 1,
  sharedExpertFfnDim: 8192,
  slidingWindow: 8192,
  slidingWindowLayers: 36,
  chunkedAttention: true,
} as const satisfies Partial<ResolvedModelSpec>;

/** What the two gpt-oss models share (openai/gpt-oss-120b and -20b config.json; see their presets). */
const GPT_OSS = {
  hiddenSize: 2880,
  nHeads: 64,
  nKvHeads: 8,
  headDim: 64,
  ffnDim: 2880,
  vocabSize: 201088,
  maxContextLength: 131072,
  expertsPerToken: 4,
  expertFfnDim: 2880,
  expertDtype: 'mxfp4',
  slidingWindow: 128,
  attentionSinks: true,
} as const satisfies Partial<ResolvedModelSpec>;

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
  // deepseek-ai/DeepSeek-V3 (config.json): hidden 7168, 61 layers, 128 heads, MLA (q_lora_rank 1536,
  // kv_lora_rank 512, qk_nope_head_dim 128 + qk_rope_head_dim 64, v_head_dim 128), 256 routed
  // experts (moe_intermediate_size 2048) top-8 plus 1 shared, first_k_dense_replace 3 (dense
  // intermediate_size 18432), vocab 129280, max_position_embeddings 163840. Model card: 671B total,
  // 37B activated (the Hugging Face checkpoint's 685B adds the 14B multi-token-prediction module,
  // not counted here). Published in FP8 (128×128 block scales, 0.02% more bytes: not counted) except
  // the embedding and LM head (bf16 in the checkpoint; quantization_config leaves them out); KV
  // cache bf16 as vLLM keeps it. DeepSeek-R1 has the same architecture.
  'deepseek-v3': preset({
    name: 'deepseek-v3',
    nParams: 671e9,
    hiddenSize: 7168,
    nLayers: 61,
    nHeads: 128,
    nKvHeads: 128,
    headDim: 192,
    vHeadDim: 128,
    kvLoraRank: 512,
    qLoraRank: 1536,
    qkRopeHeadDim: 64,
    ffnDim: 18432,
    vocabSize: 129280,
    maxContextLength: 163840,
    numExperts: 256,
    expertsPerToken: 8,
    expertFfnDim: 2048,
    numSharedExperts: 1,
    sharedExpertFfnDim: 2048,
    nDenseLayers: 3,
    weightDtype: 'fp8',
    embeddingDtype: 'bf16',
    kvCacheDtype: 'bf16',
  }),
  // Qwen/Qwen3-8B: hidden 4096, 36 layers, 32 heads, 8 KV heads, head_dim 128, intermediate 12288,
  // vocab 151936, untied, max_position_embeddings 40960. Model card: 8.2B.
  'qwen3-8b': preset({
    name: 'qwen3-8b',
    nParams: 8.2e9,
    hiddenSize: 4096,
    nLayers: 36,
    nHeads: 32,
    nKvHeads: 8,
    headDim: 128,
    ffnDim: 12288,
    vocabSize: 151936,
    maxContextLength: 40960,
  }),
  // Qwen/Qwen3-32B: hidden 5120, 64 layers, 64 heads (head_dim 128, so 8192 wide), 8 KV heads,
  // intermediate 25600, vocab 151936, untied, max_position_embeddings 40960. Model card: 32.8B.
  'qwen3-32b': preset({
    name: 'qwen3-32b',
    nParams: 32.8e9,
    hiddenSize: 5120,
    nLayers: 64,
    nHeads: 64,
    nKvHeads: 8,
    headDim: 128,
    ffnDim: 25600,
    vocabSize: 151936,
    maxContextLength: 40960,
  }),
  // Qwen/Qwen3-30B-A3B: hidden 2048, 48 layers, 32 heads (head_dim 128), 4 KV heads, 128 experts
  // (moe_intermediate_size 768) top-8, no shared expert, every layer MoE, vocab 151936, untied,
  // max_position_embeddings 40960. Model card: 30.5B total, 3.3B activated.
  'qwen3-30b-a3b': preset({
    name: 'qwen3-30b-a3b',
    nParams: 30.5e9,
    hiddenSize: 2048,
    nLayers: 48,
    nHeads: 32,
    nKvHeads: 4,
    headDim: 128,
    ffnDim: 6144,
    vocabSize: 151936,
    maxContextLength: 40960,
    numExperts: 128,
    expertsPerToken: 8,
    expertFfnDim: 768,
  }),
  // Qwen/Qwen3-235B-A22B: hidden 4096, 94 layers, 64 heads (head_dim 128), 4 KV heads, 128 experts
  // (moe_intermediate_size 1536) top-8, every layer MoE, vocab 151936, untied,
  // max_position_embeddings 40960. Model card: 235B total, 22B activated.
  'qwen3-235b-a22b': preset({
    name: 'qwen3-235b-a22b',
    nParams: 235e9,
    hiddenSize: 4096,
    nLayers: 94,
    nHeads: 64,
    nKvHeads: 4,
    headDim: 128,
    ffnDim: 12288,
    vocabSize: 151936,
    maxContextLength: 40960,
    numExperts: 128,
    expertsPerToken: 8,
    expertFfnDim: 1536,
  }),
  // meta-llama/Llama-4-Scout-17B-16E (text_config): hidden 5120, 48 layers, 40 heads (head_dim 128),
  // 8 KV heads, 16 experts top-1 plus 1 shared (intermediate_size 8192 each), every layer MoE
  // (interleave_moe_layer_step 1; intermediate_size_mlp 16384 is the dense width), vocab 202048,
  // untied, max_position_embeddings 10485760. Meta: 109B total (the vision encoder included; the
  // text model derives to 107.8B), 17B active. Chunked attention: attention_chunk_size 8192 on 3 of
  // every 4 layers (no_rope_layers: every 4th layer attends to the whole context), 36 of 48.
  'llama-4-scout': preset({
    ...LLAMA_4,
    name: 'llama-4-scout',
    nParams: 109e9,
    maxContextLength: 10485760,
    numExperts: 16,
  }),
  // meta-llama/Llama-4-Maverick-17B-128E: as Scout, with 128 experts top-1 plus 1 shared on every
  // other layer (interleave_moe_layer_step 2: 24 MoE layers) and dense MLPs of
  // intermediate_size_mlp 16384 on the other 24, max_position_embeddings 1048576. Meta: 400B total,
  // 17B active. Chunked attention on 36 of 48 layers, as for Scout.
  'llama-4-maverick': preset({
    ...LLAMA_4,
    name: 'llama-4-maverick',
    nParams: 400e9,
    maxContextLength: 1048576,
    numExperts: 128,
    nDenseLayers: 24,
  }),
  // openai/gpt-oss-120b (config.json): hidden 2880, 36 layers, 64 heads of head_dim 64, 8 KV heads,
  // 128 experts (intermediate_size 2880) top-4, no shared expert, vocab 201088, untied,
  // max_position_embeddings 131072; layer_types alternate sliding_attention (sliding_window 128)
  // and full_attention: 18 local layers; learned attention sinks. quantization_config: mxfp4 for
  // the experts, with self_attn, the router, embed_tokens and lm_head not converted (bf16). Model
  // card: 116.83B total, 5.13B active (counting the LM head but not the embedding table),
  // checkpoint 60.8 GiB.
  'gpt-oss-120b': preset({
    ...GPT_OSS,
    name: 'gpt-oss-120b',
    nParams: 116.83e9,
    nLayers: 36,
    numExperts: 128,
    slidingWindowLayers: 18,
  }),
  // openai/gpt-oss-20b: as gpt-oss-120b with 24 layers (12 local) and 32 experts top-4. Model card:
  // 20.91B total, 3.61B active, checkpoint 12.8 GiB.
  'gpt-oss-20b': preset({
    ...GPT_OSS,
    name: 'gpt-oss-20b',
    nParams: 20.91e9,
    nLayers: 24,
    numExperts: 32,
    slidingWindowLayers: 12,
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
  'deepseek-ai/deepseek-v3': 'deepseek-v3',
  'deepseek-ai/deepseek-v3-0324': 'deepseek-v3',
  'deepseek-ai/deepseek-r1': 'deepseek-v3',
  'deepseek-ai/deepseek-r1-0528': 'deepseek-v3',
  'deepseek-r1': 'deepseek-v3',
  'qwen/qwen3-8b': 'qwen3-8b',
  'qwen/qwen3-32b': 'qwen3-32b',
  'qwen/qwen3-30b-a3b': 'qwen3-30b-a3b',
  'qwen/qwen3-235b-a22b': 'qwen3-235b-a22b',
  'meta-llama/llama-4-scout-17b-16e': 'llama-4-scout',
  'meta-llama/llama-4-scout-17b-16e-instruct': 'llama-4-scout',
  'meta-llama/llama-4-maverick-17b-128e': 'llama-4-maverick',
  'meta-llama/llama-4-maverick-17b-128e-instruct': 'llama-4-maverick',
  'openai/gpt-oss-120b': 'gpt-oss-120b',
  'openai/gpt-oss-20b': 'gpt-oss-20b',
};
