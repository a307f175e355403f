import { z } from 'zod';
import {
  CLUSTER_DEFAULTS,
  CONFIG_DEFAULTS,
  MODEL_DEFAULTS,
  PARALLELISM_DEFAULTS,
  ROUTER_DEFAULTS,
  SCHEDULER_DEFAULTS,
  WORKLOAD_DEFAULTS,
} from './config-defaults';
import { DTYPES } from './dtype';
import { GPU_ARCHITECTURES, MEMORY_TYPES } from './gpu-spec';
import {
  BUILT_IN_ARRIVAL_PROCESSES,
  BUILT_IN_BATCHING_TYPES,
  BUILT_IN_ENGINE_PROFILES,
  BUILT_IN_ROUTERS,
  isRegisteredName,
  type RegistrableField,
  registeredNames,
} from './name-registry';

/*
 * Zod schemas for the configuration as users write it (every field optional except where a
 * section needs a name). They check types and ranges field by field; cross-field rules (TP must
 * divide the heads, TP×PP×DP = GPUs, ...) and presets live in resolve-config.ts and the resolve-*.ts
 * and config-checks.ts files it calls; constant defaults in config-defaults.ts, which the
 * descriptions below quote. The JSON Schema shipped for editors is generated from these (see
 * json-schema.ts), and `resolveConfig` reads its input as `z.output` of `simulatorConfigSchema`.
 */

const positive = (description: string) => z.number().positive().describe(description);
const positiveInt = (description: string) => z.number().int().positive().describe(description);
const nonNegative = (description: string) => z.number().nonnegative().describe(description);
const nonNegativeInt = (description: string) => z.number().int().nonnegative().describe(description);
const dtype = z.enum(DTYPES);

/**
 * A name that other packages can register (see name-registry.ts): checked against the built-ins and
 * the names registered when the config is parsed. The JSON Schema lists the built-ins as examples
 * (editors complete them) and accepts any string, since registered names exist only at run time.
 */
const registrableName = (field: RegistrableField, builtIns: readonly string[], description: string) =>
  z
    .string()
    .superRefine((value, context) => {
      if (!isRegisteredName(field, value))
        context.addIssue({ code: 'invalid_value', values: registeredNames(field), input: value });
    })
    .meta({ description, examples: [...builtIns] });

export const modelSpecSchema = z
  .strictObject({
    name: z.string().min(1).describe('Preset name, Hugging Face id, or display name of a custom model'),
    nParams: positive('Total parameter count; derived from the geometry when omitted').optional(),
    hiddenSize: positiveInt('Hidden dimension (elements)').optional(),
    nLayers: positiveInt('Number of transformer layers').optional(),
    nHeads: positiveInt('Number of attention (query) heads').optional(),
    nKvHeads: positiveInt('Number of key/value heads (GQA/MQA); default nHeads').optional(),
    headDim: positiveInt('Dimension of one head (elements); default hiddenSize / nHeads').optional(),
    ffnDim: positiveInt('MLP intermediate size (elements)').optional(),
    vocabSize: positiveInt(`Vocabulary size (tokens); default ${MODEL_DEFAULTS.vocabSize}`).optional(),
    gatedMlp: z
      .boolean()
      .describe(`Gated (SwiGLU, 3 matrices) MLP; default ${MODEL_DEFAULTS.gatedMlp}`)
      .optional(),
    tieWordEmbeddings: z
      .boolean()
      .describe(`LM head shares the embedding matrix; default ${MODEL_DEFAULTS.tieWordEmbeddings}`)
      .optional(),
    weightDtype: dtype.describe(`Weight storage format; default ${MODEL_DEFAULTS.weightDtype}`).optional(),
    kvCacheDtype: dtype.describe('KV-cache storage format; default follows weightDtype').optional(),
    expertDtype: dtype
      .describe(
        "Storage format of the routed experts (gpt-oss: mxfp4); default weightDtype or the preset's own",
      )
      .optional(),
    embeddingDtype: dtype
      .describe("Storage format of the embedding table and LM head; default weightDtype or the preset's own")
      .optional(),
    maxContextLength: positiveInt(
      `Longest supported sequence (tokens); default ${MODEL_DEFAULTS.maxContextLength}`,
    ).optional(),
    numExperts: positiveInt(`MoE experts per layer; ${MODEL_DEFAULTS.numExperts} for dense`).optional(),
    expertsPerToken: positiveInt(
      `MoE experts each token uses (top-k); ${MODEL_DEFAULTS.expertsPerToken} for dense`,
    ).optional(),
    expertFfnDim: positiveInt('Intermediate size of one expert (elements); default ffnDim').optional(),
    numSharedExperts: nonNegativeInt(
      `Experts every token uses besides its routed ones, per MoE layer; default ${MODEL_DEFAULTS.numSharedExperts}`,
    ).optional(),
    sharedExpertFfnDim: positiveInt(
      'Intermediate size of one shared expert (elements); default expertFfnDim',
    ).optional(),
    nDenseLayers: nonNegativeInt(
      `Layers of an MoE model with a dense MLP (ffnDim) instead of experts; default ${MODEL_DEFAULTS.nDenseLayers}`,
    ).optional(),
    kvLoraRank: nonNegativeInt(
      `Multi-head latent attention: rank of the key-value latent (elements); ${MODEL_DEFAULTS.kvLoraRank} for standard attention`,
    ).optional(),
    qLoraRank: nonNegativeInt(
      `MLA: rank of the compressed query (elements); ${MODEL_DEFAULTS.qLoraRank}: full rank`,
    ).optional(),
    qkRopeHeadDim: nonNegativeInt(
      `MLA: rotary elements of each query/key head; default ${MODEL_DEFAULTS.qkRopeHeadDim}`,
    ).optional(),
    vHeadDim: positiveInt('Dimension of one value head (elements); default headDim').optional(),
    slidingWindow: nonNegativeInt(
      `Window of the local-attention layers (tokens); ${MODEL_DEFAULTS.slidingWindow}: every layer attends to the whole context`,
    ).optional(),
    slidingWindowLayers: nonNegativeInt(
      'Layers that use slidingWindow; default every layer when slidingWindow > 0',
    ).optional(),
    chunkedAttention: z
      .boolean()
      .describe(
        `Local layers attend within fixed chunks of slidingWindow tokens (Llama 4); default ${MODEL_DEFAULTS.chunkedAttention}`,
      )
      .optional(),
    attentionSinks: z
      .boolean()
      .describe(`Learned per-head attention sink logits (gpt-oss); default ${MODEL_DEFAULTS.attentionSinks}`)
      .optional(),
  })
  .describe('The model: a preset name, a preset with overrides, or a full custom geometry');

export const gpuSpecSchema = z
  .strictObject({
    name: z.string().min(1).describe('GPU preset name (A100-80GB, H100, ...) or display name'),
    computeTflops: positive('Dense BF16/FP16 peak (TFLOP/s)').optional(),
    fp8Tflops: nonNegative('Dense FP8 peak (TFLOP/s); 0 when the GPU has no FP8').optional(),
    memorySizeGb: positive(
      'Device memory as the datasheet labels it (GB; HBM datasheets count GiB)',
    ).optional(),
    memoryBytes: positive(
      'Device memory the driver reports (bytes); default memorySizeGb GiB, or the preset value',
    ).optional(),
    memoryBandwidthGbs: positive('Device memory bandwidth (GB/s)').optional(),
    interconnectBandwidthGbs: positive(
      'Intra-node GPU-to-GPU bandwidth per GPU, one direction (GB/s)',
    ).optional(),
    hostBandwidthGbs: positive('Host link bandwidth per GPU, one direction (GB/s)').optional(),
    pricePerHour: nonNegative('On-demand price per GPU-hour (USD)').optional(),
    architecture: z
      .enum(GPU_ARCHITECTURES)
      .describe(
        "Architecture class (volta: V100; ampere: A100, A40, A10G; ada: L4, L40S, RTX 4090; hopper: H100, H200; blackwell: B200, RTX PRO 6000; cdna3: MI300X, MI325X; other); default the preset's, else inferred from the name ('other' when not recognised)",
      )
      .optional(),
    memoryType: z
      .enum(MEMORY_TYPES)
      .describe(
        "Device-memory technology: hbm or gddr; default the preset's, else inferred from the architecture, the name (RTX, L4, L40S, A10G, A40: gddr), or the bandwidth (gddr below 1200 GB/s)",
      )
      .optional(),
  })
  .describe('One GPU: a preset name, a preset with overrides, or a custom GPU');

export const clusterSpecSchema = z
  .strictObject({
    nGpusPerNode: positiveInt(`GPUs per node; default ${CLUSTER_DEFAULTS.nGpusPerNode}`).optional(),
    nNodes: positiveInt(`Number of nodes; default ${CLUSTER_DEFAULTS.nNodes}`).optional(),
    gpuSpec: gpuSpecSchema.optional(),
    interNodeBandwidthGbs: positive(
      `Inter-node bandwidth per GPU, one direction (GB/s); default ${CLUSTER_DEFAULTS.interNodeBandwidthGbs}`,
    ).optional(),
  })
  .describe('The hardware');

export const parallelismSpecSchema = z
  .strictObject({
    tensorParallelSize: positiveInt(
      `Tensor-parallel degree; default ${PARALLELISM_DEFAULTS.tensorParallelSize}`,
    ).optional(),
    pipelineParallelSize: positiveInt(
      `Pipeline-parallel degree; default ${PARALLELISM_DEFAULTS.pipelineParallelSize}`,
    ).optional(),
    dataParallelSize: positiveInt(
      `Data-parallel replicas; default ${PARALLELISM_DEFAULTS.dataParallelSize}`,
    ).optional(),
    expertParallel: z
      .boolean()
      .describe(
        `MoE experts spread whole over all DP × TP GPUs, with all-to-all dispatch and combine; default ${PARALLELISM_DEFAULTS.expertParallel}`,
      )
      .optional(),
    expertParallelSize: positiveInt(
      'With expertParallel: GPUs of one expert-parallel group (a multiple of TP dividing DP × TP); default DP × TP',
    ).optional(),
    expertImbalance: z
      .number()
      .min(1)
      .describe(
        `With expertParallel: the busiest GPU's routed tokens over the mean; default ${PARALLELISM_DEFAULTS.expertImbalance} (uniform)`,
      )
      .optional(),
    router: z
      .union([
        registrableName(
          'router',
          BUILT_IN_ROUTERS,
          `Replica router (or a name registered with registerRouter); default ${PARALLELISM_DEFAULTS.router}`,
        ),
        z
          .strictObject({
            type: registrableName('router', BUILT_IN_ROUTERS, 'Replica router'),
            weights: z
              .strictObject({
                prefix: nonNegative(
                  `Weight of the cached-prefix share; default ${ROUTER_DEFAULTS.weights.prefix}`,
                ).optional(),
                load: nonNegative(
                  `Weight of the load score; default ${ROUTER_DEFAULTS.weights.load}`,
                ).optional(),
                kv: nonNegative(
                  `Weight of the free-KV share; default ${ROUTER_DEFAULTS.weights.kv}`,
                ).optional(),
              })
              .describe('scored router: weight of each score')
              .optional(),
            stalenessS: nonNegative(
              `Seconds between the router's refreshes of the replicas' engine metrics (KV use, queue); default ${ROUTER_DEFAULTS.stalenessS}`,
            ).optional(),
          })
          .describe('A router with settings, e.g. { type: scored, weights: { prefix: 3, load: 2, kv: 2 } }'),
      ])
      .describe('A router name, or { type: name, weights?, stalenessS? }')
      .optional(),
  })
  .describe('How the model is split over the GPUs (TP × PP × DP = GPUs)');

export const schedulerSpecSchema = z
  .strictObject({
    batchingType: registrableName(
      'batchingType',
      BUILT_IN_BATCHING_TYPES,
      `Batching policy (or a name registered with registerPolicy); default ${SCHEDULER_DEFAULTS.batchingType}`,
    ).optional(),
    maxBatchSize: positiveInt(
      `Most sequences per batch; default ${SCHEDULER_DEFAULTS.maxBatchSize}`,
    ).optional(),
    staticBatchSize: positiveInt('Static batching: requests per batch; default maxBatchSize').optional(),
    tokenLevelScheduling: z
      .boolean()
      .describe(
        `Continuous batching admits at every token; default ${SCHEDULER_DEFAULTS.tokenLevelScheduling}`,
      )
      .optional(),
    maxNumBatchedTokens: positiveInt('Token budget per iteration').optional(),
    chunkedPrefill: z
      .boolean()
      .describe(
        'Split prompts into chunks that share iterations with decodes; default true with engineProfile vllm, sglang, trtllm',
      )
      .optional(),
    enablePrefixCaching: z
      .boolean()
      .describe('Automatic prefix caching of full KV blocks; default true with engineProfile vllm, sglang')
      .optional(),
    prefillChunkSize: positiveInt('Most prefill tokens of one request per iteration').optional(),
    kvBlockSize: positiveInt(
      `Tokens per KV-cache block; default ${SCHEDULER_DEFAULTS.kvBlockSize}`,
    ).optional(),
    gpuMemoryUtilization: z
      .number()
      .gt(0)
      .lte(1)
      .describe(
        `Fraction of GPU memory: vLLM uses it of the whole GPU, trtllm gives it of the memory free after weights to the KV cache; default ${SCHEDULER_DEFAULTS.gpuMemoryUtilization}`,
      )
      .optional(),
    preemptionMode: z
      .enum(['recompute', 'swap'])
      .describe(`Eviction handling; default ${SCHEDULER_DEFAULTS.preemptionMode}`)
      .optional(),
    batchWaitTimeoutS: nonNegative('Static/dynamic: longest wait for a batch to fill (s)').optional(),
    queueOrder: z
      .enum(['fcfs', 'shortest-input-first'])
      .describe(`Admission order; default ${SCHEDULER_DEFAULTS.queueOrder}`)
      .optional(),
    kvOffload: z
      .strictObject({
        cpuMemoryGb: positive('Host memory per replica for offloaded KV blocks (GB, 10^9 bytes)'),
      })
      .describe(
        'KV offload to host memory: prefix-cache blocks the GPU evicts are kept in host memory (LRU) and loaded back over the host link on a hit instead of recomputed; needs enablePrefixCaching and continuous batching; default none',
      )
      .optional(),
  })
  .describe('The serving scheduler');

const lengthDistributionSchema = z
  .union([
    z.enum(['fixed', 'uniform', 'normal', 'lognormal', 'zipf', 'empirical']),
    z.strictObject({ type: z.literal('fixed') }),
    z.strictObject({ type: z.literal('uniform'), spread: z.number().gt(0).lte(1).optional() }),
    z.strictObject({ type: z.literal('normal'), cv: positive('Coefficient of variation').optional() }),
    z.strictObject({ type: z.literal('lognormal'), cv: positive('Coefficient of variation').optional() }),
    z.strictObject({ type: z.literal('zipf'), exponent: positive('Zipf exponent').optional() }),
    z.strictObject({ type: z.literal('empirical'), file: z.string().min(1).optional() }),
  ])
  .describe(`Input/output length distribution; default ${WORKLOAD_DEFAULTS.lengthDistribution}`);

const uniformRange = (description: string, integer: boolean) =>
  z
    .strictObject({
      type: z.literal('uniform'),
      min: integer ? z.number().int().gte(1) : z.number().gte(0),
      max: integer ? z.number().int().gte(1) : z.number().gte(0),
    })
    .refine((range) => range.max >= range.min, { message: 'max must be at least min', path: ['max'] })
    .describe(description);

const sessionsSchema = z
  .strictObject({
    turnsPerSession: z
      .union([
        positiveInt('Turns per session'),
        z.strictObject({ type: z.literal('fixed'), value: positiveInt('Turns per session') }),
        uniformRange('Turns per session, uniform integers in [min, max]', true),
        z.strictObject({
          type: z.literal('geometric'),
          mean: z.number().gte(1).describe('Mean turns per session (≥ 1)'),
        }),
      ])
      .describe('Turns (requests) per session: a number, or a distribution'),
    thinkTimeS: z
      .union([
        nonNegative('Seconds between an answer and the next question'),
        z.strictObject({
          type: z.literal('fixed'),
          value: nonNegative('Seconds between an answer and the next question'),
        }),
        uniformRange('Seconds between an answer and the next question, uniform in [min, max]', false),
        z.strictObject({ type: z.literal('exponential'), mean: positive('Mean think time (s)') }),
      ])
      .describe("Pause between a turn's last token and the next question (s): a number, or a distribution"),
  })
  .describe(
    'Multi-turn sessions: arrivals start sessions; each turn resends the conversation so far plus a new question',
  );

export const workloadSpecSchema = z
  .strictObject({
    avgInputLength: positiveInt(
      `Mean prompt length (tokens); default ${WORKLOAD_DEFAULTS.avgInputLength}`,
    ).optional(),
    avgOutputLength: positiveInt(
      `Mean generated tokens; default ${WORKLOAD_DEFAULTS.avgOutputLength}`,
    ).optional(),
    arrivalRate: positive(
      `Mean arrival rate (requests/s); default ${WORKLOAD_DEFAULTS.arrivalRate}`,
    ).optional(),
    arrivalProcess: registrableName(
      'arrivalProcess',
      BUILT_IN_ARRIVAL_PROCESSES,
      `Arrival process (or a name registered with registerArrivalProcess); default ${WORKLOAD_DEFAULTS.arrivalProcess}`,
    ).optional(),
    burstinessCv: positive(
      `Gamma arrivals: coefficient of variation of gaps; default ${WORKLOAD_DEFAULTS.burstinessCv}`,
    ).optional(),
    concurrency: positiveInt(
      `Closed loop: concurrent clients; default ${WORKLOAD_DEFAULTS.concurrency}`,
    ).optional(),
    thinkTimeS: nonNegative(
      `Closed loop: pause before the next request (s); default ${WORKLOAD_DEFAULTS.thinkTimeS}`,
    ).optional(),
    batchSize: positiveInt(
      "Static batching: requests per batch (the original quick-start's spelling of schedulerSpec.staticBatchSize)",
    ).optional(),
    lengthDistribution: lengthDistributionSchema.optional(),
    numRequests: positiveInt('Stop arrivals after this many requests').optional(),
    traceFile: z
      .string()
      .min(1)
      .describe(
        'Trace (CSV or JSON Lines): arrival time (s), input tokens, output tokens; optional session_id, hash_ids',
      )
      .optional(),
    traceTimeScale: positive(
      `Multiply trace arrival times by this; default ${WORKLOAD_DEFAULTS.traceTimeScale}`,
    ).optional(),
    traceHashBlockTokens: positiveInt(
      `Prompt tokens each of a trace's hash_ids names (Mooncake: 512); default ${WORKLOAD_DEFAULTS.traceHashBlockTokens}`,
    ).optional(),
    requestTimeoutS: positive(
      'Client timeout (s): unfinished requests are aborted and counted as timed out; default none',
    ).optional(),
    abortOnTimeout: z
      .boolean()
      .describe(
        `The server aborts a timed-out request (true) or computes it to the end (false); default ${WORKLOAD_DEFAULTS.abortOnTimeout}`,
      )
      .optional(),
    prefixSharing: z
      .strictObject({
        groups: positiveInt('Number of distinct shared prefixes'),
        prefixLength: positiveInt('Tokens in each shared prefix'),
        promptsPerGroup: positiveInt(
          'Complete prompts per group that requests repeat (inference-perf shared_prefix users); default none',
        ).optional(),
      })
      .describe('Each request starts with one of `groups` shared prefixes (chosen uniformly)')
      .optional(),
    stages: z
      .array(
        z.strictObject({
          rate: positive('Arrival rate during the stage (requests/s)'),
          durationS: positive('Length of the stage (s)'),
        }),
      )
      .min(1)
      .describe('Back-to-back load stages; statistics per stage as well as overall')
      .optional(),
    sessions: sessionsSchema.optional(),
  })
  .describe('The offered traffic');

const poolSchema = (role: string) =>
  z
    .strictObject({
      replicas: positiveInt(`${role} instances`),
      tensorParallelSize: positiveInt(`Tensor-parallel degree of each ${role} instance`),
      gpuSpec: gpuSpecSchema.optional(),
      schedulerSpec: schedulerSpecSchema.optional(),
    })
    .describe(`The ${role} pool (its GPU and scheduler default to the config's)`);

const rate = z.number().min(0).max(1);
const speculativeSchema = z
  .strictObject({
    method: z
      .enum(['draft-model', 'eagle', 'mtp', 'ngram'])
      .describe(
        "How drafts are proposed: a draft model, an EAGLE head, the model's MTP layer, or prompt n-grams",
      ),
    numSpeculativeTokens: positiveInt('Draft tokens per step (k)'),
    acceptanceRate: z
      .union([rate, z.array(rate).min(1)])
      .describe(
        'Acceptance rate of each draft position given the earlier were accepted: one number, or one per position',
      ),
    draftModelSpec: modelSpecSchema.optional(),
  })
  .describe('Speculative decoding: k draft tokens verified in one target pass per step');

const disaggregationSchema = z
  .strictObject({
    prefill: poolSchema('prefill'),
    decode: poolSchema('decode'),
    kvTransferBandwidthGbs: positive(
      "One request's KV-transfer bandwidth (GB/s); default NVLink within a node, the inter-node link across, times the smaller TP",
    ).optional(),
    kvTransfer: z
      .enum(['after-prefill', 'layer-pipelined'])
      .describe('When the KV moves: after the prefill (default) or layer by layer during it')
      .optional(),
  })
  .describe('Disaggregated prefill and decode pools (both pools together use the cluster)');

export const simulatorConfigSchema = z
  .strictObject({
    $schema: z.string().optional(),
    modelSpec: modelSpecSchema.optional(),
    workloadSpec: workloadSpecSchema.optional(),
    clusterSpec: clusterSpecSchema.optional(),
    parallelismSpec: parallelismSpecSchema.optional(),
    schedulerSpec: schedulerSpecSchema.optional(),
    simulationDurationS: positive(
      `Simulated time during which requests arrive (s); default ${CONFIG_DEFAULTS.simulationDurationS}, unbounded with numRequests or a trace replay`,
    ).optional(),
    warmupS: nonNegative(
      `Requests arriving before this time (s) are left out of latency statistics; default ${CONFIG_DEFAULTS.warmupS}`,
    ).optional(),
    seed: z
      .number()
      .int()
      .describe(`Seed of every random stream; default ${CONFIG_DEFAULTS.seed}`)
      .optional(),
    drain: z
      .boolean()
      .describe(`Finish in-flight requests after arrivals stop; default ${CONFIG_DEFAULTS.drain}`)
      .optional(),
    engineProfile: registrableName(
      'engineProfile',
      BUILT_IN_ENGINE_PROFILES,
      `Serving-engine profile (or a name registered with registerEngineProfile); default ${CONFIG_DEFAULTS.engineProfile}`,
    ).optional(),
    slo: z
      .strictObject({
        ttftS: positive('Time-to-first-token target (s)').optional(),
        tpotS: positive('Time-per-output-token target (s)').optional(),
      })
      .describe('Latency targets for goodput')
      .optional(),
    calibrationFile: z
      .string()
      .min(1)
      .describe(
        'Engine profile fitted by `llm-sim calibrate` (PROFILE.json; relative to the config file); engineProfile defaults to its base profile',
      )
      .optional(),
    disaggregation: disaggregationSchema.optional(),
    speculativeSpec: speculativeSchema.optional(),
  })
  .describe('An llm-sim simulation configuration');

/** A config as `simulatorConfigSchema` parses it: every field typed; what the user left out is undefined. */
export type ParsedConfig = z.output<typeof simulatorConfigSchema>;
export type ParsedModelSpec = z.output<typeof modelSpecSchema>;
export type ParsedGpuSpec = z.output<typeof gpuSpecSchema>;
export type ParsedSchedulerSpec = z.output<typeof schedulerSpecSchema>;
export type ParsedWorkloadSpec = z.output<typeof workloadSpecSchema>;
/** A length distribution as parsed: a name, or an object whose parameters may be undefined. */
export type ParsedLengthDistribution = z.output<typeof lengthDistributionSchema>;
