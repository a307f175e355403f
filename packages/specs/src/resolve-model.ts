import { MODEL_DEFAULTS } from './config-defaults';
import type { ParsedModelSpec } from './config-schema';
import { type Dtype, isWeightOnly } from './dtype';
import type { ConfigIssue } from './errors';
import { deriveParamCount, type ResolvedModelSpec } from './model-spec';
import { closestNames, findModelPreset, modelPresetNames } from './presets/preset-lookup';

/** The fields whose change from a preset's makes its published parameter count stale. */
const GEOMETRY_KEYS = [
  'hiddenSize',
  'nLayers',
  'nHeads',
  'nKvHeads',
  'headDim',
  'ffnDim',
  'vocabSize',
  'gatedMlp',
  'tieWordEmbeddings',
  'numExperts',
  'expertFfnDim',
  'numSharedExperts',
  'sharedExpertFfnDim',
  'nDenseLayers',
  'kvLoraRank',
  'qLoraRank',
  'qkRopeHeadDim',
  'vHeadDim',
  'attentionSinks',
] as const;

/** The geometry a custom model must give (a preset has it). */
const REQUIRED_GEOMETRY = ['hiddenSize', 'nLayers', 'nHeads', 'ffnDim'] as const;

/**
 * A model preset (by name) with the config's overrides, or a custom model from its geometry, with
 * defaults and derived fields filled; undefined (with issues recorded) when neither is possible.
 */
export function resolveModel(input: ParsedModelSpec, issues: ConfigIssue[]): ResolvedModelSpec | undefined {
  const name = input.name;
  const preset = findModelPreset(name);
  const required = {
    hiddenSize: input.hiddenSize ?? preset?.hiddenSize,
    nLayers: input.nLayers ?? preset?.nLayers,
    nHeads: input.nHeads ?? preset?.nHeads,
    ffnDim: input.ffnDim ?? preset?.ffnDim,
  };
  const { hiddenSize, nLayers, nHeads, ffnDim } = required;
  if (hiddenSize === undefined || nLayers === undefined || nHeads === undefined || ffnDim === undefined) {
    reportMissingGeometry(name, required, issues);
    return undefined;
  }
  const base: Partial<ResolvedModelSpec> = preset ?? {};
  const nKvHeads = input.nKvHeads ?? base.nKvHeads ?? nHeads;
  const headDimGiven = input.headDim ?? base.headDim;
  if (headDimGiven === undefined && hiddenSize % nHeads !== 0) {
    issues.push({
      code: 'invalid_value',
      path: 'modelSpec.headDim',
      message: `hiddenSize ${hiddenSize} is not divisible by nHeads ${nHeads}; give headDim explicitly.`,
    });
  }
  if (nHeads % nKvHeads !== 0) {
    issues.push({
      code: 'invalid_value',
      path: 'modelSpec.nKvHeads',
      message: `nKvHeads ${nKvHeads} must divide nHeads ${nHeads} (each KV head serves a whole group of query heads).`,
    });
  }
  const numExperts = input.numExperts ?? base.numExperts ?? MODEL_DEFAULTS.numExperts;
  const expertsPerToken = input.expertsPerToken ?? base.expertsPerToken ?? MODEL_DEFAULTS.expertsPerToken;
  if (expertsPerToken > numExperts) {
    issues.push({
      code: 'out_of_range',
      path: 'modelSpec.expertsPerToken',
      message: `${expertsPerToken} experts per token is more than numExperts ${numExperts}.`,
    });
  }
  const weightDtype: Dtype = input.weightDtype ?? base.weightDtype ?? MODEL_DEFAULTS.weightDtype;
  const headDim = headDimGiven ?? Math.floor(hiddenSize / nHeads);
  const expertFfnDim = input.expertFfnDim ?? base.expertFfnDim ?? ffnDim;
  // A preset's dense layers go with its experts: overriding it to a dense model drops them.
  const nDenseLayers =
    input.nDenseLayers ?? (numExperts > 1 ? base.nDenseLayers : undefined) ?? MODEL_DEFAULTS.nDenseLayers;
  if (nDenseLayers > 0 && (numExperts <= 1 || nDenseLayers >= nLayers)) {
    issues.push({
      code: 'out_of_range',
      path: 'modelSpec.nDenseLayers',
      message:
        numExperts <= 1
          ? 'dense layers are counted only in a mixture-of-experts model (numExperts > 1); every layer of this model is dense. Remove nDenseLayers.'
          : `${nDenseLayers} dense layers leave no MoE layer of ${nLayers}; give fewer than nLayers.`,
    });
  }
  const kvLoraRank = input.kvLoraRank ?? base.kvLoraRank ?? MODEL_DEFAULTS.kvLoraRank;
  const qkRopeHeadDim = input.qkRopeHeadDim ?? base.qkRopeHeadDim ?? MODEL_DEFAULTS.qkRopeHeadDim;
  if (kvLoraRank > 0 && qkRopeHeadDim >= headDim) {
    issues.push({
      code: 'out_of_range',
      path: 'modelSpec.qkRopeHeadDim',
      message: `${qkRopeHeadDim} rotary elements leave none of headDim ${headDim} for the latent's keys (DeepSeek-V3: qkRopeHeadDim 64 of headDim 192).`,
    });
  }
  const slidingWindow = input.slidingWindow ?? base.slidingWindow ?? MODEL_DEFAULTS.slidingWindow;
  const slidingWindowLayers =
    slidingWindow === 0
      ? 0
      : (input.slidingWindowLayers ?? (base.slidingWindow ? base.slidingWindowLayers : undefined) ?? nLayers);
  if (input.slidingWindowLayers !== undefined && input.slidingWindowLayers > 0 && slidingWindow === 0) {
    issues.push({
      code: 'missing_field',
      path: 'modelSpec.slidingWindow',
      message: `slidingWindowLayers ${input.slidingWindowLayers} needs the window: give slidingWindow (tokens), e.g. 4096.`,
    });
  }
  if (slidingWindowLayers > nLayers) {
    issues.push({
      code: 'out_of_range',
      path: 'modelSpec.slidingWindowLayers',
      message: `${slidingWindowLayers} sliding-window layers is more than nLayers ${nLayers}; give at most ${nLayers}.`,
    });
  }
  if (input.kvCacheDtype === 'int4' || input.kvCacheDtype === 'mxfp4') {
    issues.push({
      code: 'invalid_value',
      path: 'modelSpec.kvCacheDtype',
      message: `a ${input.kvCacheDtype} KV cache is not supported (serving engines keep it bf16, fp16, fp8 or int8); use fp8 for the smallest cache.`,
    });
  }
  const model: Omit<ResolvedModelSpec, 'nParams'> = {
    name,
    hiddenSize,
    nLayers,
    nHeads,
    nKvHeads,
    headDim,
    ffnDim,
    vocabSize: input.vocabSize ?? base.vocabSize ?? MODEL_DEFAULTS.vocabSize,
    gatedMlp: input.gatedMlp ?? base.gatedMlp ?? MODEL_DEFAULTS.gatedMlp,
    tieWordEmbeddings: input.tieWordEmbeddings ?? base.tieWordEmbeddings ?? MODEL_DEFAULTS.tieWordEmbeddings,
    weightDtype,
    kvCacheDtype:
      input.kvCacheDtype ??
      (input.weightDtype === undefined && base.kvCacheDtype !== undefined
        ? base.kvCacheDtype
        : defaultKvDtype(weightDtype)),
    maxContextLength: input.maxContextLength ?? base.maxContextLength ?? MODEL_DEFAULTS.maxContextLength,
    numExperts,
    expertsPerToken,
    expertFfnDim,
    numSharedExperts: input.numSharedExperts ?? base.numSharedExperts ?? MODEL_DEFAULTS.numSharedExperts,
    sharedExpertFfnDim:
      input.sharedExpertFfnDim ?? ownWidth(base.sharedExpertFfnDim, base.expertFfnDim) ?? expertFfnDim,
    nDenseLayers,
    kvLoraRank,
    qLoraRank: input.qLoraRank ?? base.qLoraRank ?? MODEL_DEFAULTS.qLoraRank,
    qkRopeHeadDim,
    vHeadDim: input.vHeadDim ?? ownWidth(base.vHeadDim, base.headDim) ?? headDim,
    expertDtype: input.expertDtype ?? ownDtype(base.expertDtype, base.weightDtype) ?? weightDtype,
    embeddingDtype: input.embeddingDtype ?? ownDtype(base.embeddingDtype, base.weightDtype) ?? weightDtype,
    slidingWindow,
    slidingWindowLayers,
    chunkedAttention: input.chunkedAttention ?? base.chunkedAttention ?? MODEL_DEFAULTS.chunkedAttention,
    attentionSinks: input.attentionSinks ?? base.attentionSinks ?? MODEL_DEFAULTS.attentionSinks,
  };
  const geometryOverridden = GEOMETRY_KEYS.some(
    (key) => input[key] !== undefined && input[key] !== base[key],
  );
  const nParams =
    input.nParams ?? (preset !== undefined && !geometryOverridden ? preset.nParams : deriveParamCount(model));
  return { ...model, nParams };
}

/**
 * A preset's width that is its own (differs from the width it defaults to, as MLA's value heads
 * from its query heads): kept when the config overrides the other; undefined when it only follows
 * it, so that it follows the override.
 */
function ownWidth(width: number | undefined, defaultWidth: number | undefined): number | undefined {
  return width !== undefined && width !== defaultWidth ? width : undefined;
}

/** A preset's dtype that is its own (differs from its weightDtype): kept when the config overrides weightDtype; undefined when it follows it. */
function ownDtype(dtype: Dtype | undefined, weightDtype: Dtype | undefined): Dtype | undefined {
  return dtype !== undefined && dtype !== weightDtype ? dtype : undefined;
}

/** A custom model without all of its required geometry: an unknown preset when it gives none of it. */
function reportMissingGeometry(
  name: string,
  geometry: Readonly<Record<(typeof REQUIRED_GEOMETRY)[number], number | undefined>>,
  issues: ConfigIssue[],
): void {
  const missing = REQUIRED_GEOMETRY.filter((key) => geometry[key] === undefined);
  if (missing.length === REQUIRED_GEOMETRY.length) {
    const close = closestNames(name, modelPresetNames(true));
    issues.push({
      code: 'unknown_preset',
      path: 'modelSpec.name',
      message: `"${name}" is not a model preset${close.length > 0 ? `; did you mean ${close.map((c) => `"${c}"`).join(', ')}?` : '.'} Use a preset (see \`llm-sim presets models\`) or give the geometry: hiddenSize, nLayers, nHeads, ffnDim.`,
    });
    return;
  }
  for (const key of missing) {
    issues.push({
      code: 'missing_field',
      path: `modelSpec.${key}`,
      message: `is required for a custom model ("${name}" is not a preset).`,
    });
  }
}

/** The KV cache follows 16-bit and fp8 weights; weight-only formats (int8, int4, mxfp4) keep a 16-bit cache. */
function defaultKvDtype(weightDtype: Dtype): Dtype {
  return isWeightOnly(weightDtype) ? 'bf16' : weightDtype;
}
