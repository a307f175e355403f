import { errorMessage, isJsonObject } from '@sim/specs';
import { MeasurementError } from './measurements';
import type { MeasuredDistribution, MeasuredStage, StageMeasurements } from './stage-measurements';

type Json = Readonly<Record<string, unknown>>;

const STATISTICS = ['mean', 'median', 'p90', 'p99'] as const;
type Statistic = (typeof STATISTICS)[number];
/** Statistics of a measured distribution, each given or not. */
type Statistics = { -readonly [K in Statistic]?: number };

/** Whether parsed JSON is a stage-summary file (an `experiments` list, or one experiment with `stages`). */
export function isStageSummaries(data: unknown): data is Readonly<Record<string, unknown>> {
  return isJsonObject(data) && (Array.isArray(data.experiments) || Array.isArray(data.stages));
}

/**
 * Reads stage summaries: the per-stage metrics of a load-generator run (the shape of
 * inference-perf's summaries as collected in llm-sim's vLLM V1 data): either
 * `{ "experiments": [ EXPERIMENT, ... ] }`, choosing one by `experiment` (its id, or a part of it
 * that names exactly one), or one EXPERIMENT. An EXPERIMENT is `{ experiment?, model?,
 * tensorParallelSize?, maxNumSeqs?, maxNumBatchedTokens?, maxModelLen?, workload?: {
 * num_unique_system_prompts, num_users_per_system_prompt, system_prompt_len }, stages: [ { rate,
 * durationS, successes, failures?, ttftS: { median, ... }, e2eS: { median, ... }, promptLen: { mean,
 * ... }, outputLen: { mean, median, ... }, outputTokensPerSec } ] }`. Throws a MeasurementError
 * naming the field and the fix.
 *
 * @param text the file's contents
 * @param file its name, for messages
 * @param experiment which experiment of a multi-experiment file
 */
export function readStageSummaries(text: string, file: string, experiment?: string): StageMeasurements {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new MeasurementError(
      file,
      undefined,
      'file_malformed',
      `is not valid JSON (${errorMessage(error)}).`,
    );
  }
  const fail = (path: string, message: string): never => {
    throw new MeasurementError(file, undefined, 'file_malformed', `${path}: ${message}`);
  };
  if (!isStageSummaries(data))
    return fail('(top level)', 'expected { "experiments": [...] } or one experiment with a "stages" list.');
  const root = data;
  let chosen: Json;
  let path: string;
  if (Array.isArray(root.experiments)) {
    const experiments: readonly unknown[] = root.experiments;
    const ids = experiments.map((entry, index) =>
      isJsonObject(entry) && typeof entry.experiment === 'string' ? entry.experiment : `#${index}`,
    );
    let index: number;
    if (experiment === undefined) {
      if (experiments.length !== 1)
        fail(
          'experiments',
          `holds ${experiments.length} experiments; choose one with --experiment (one of: ${ids.join(', ')}).`,
        );
      index = 0;
    } else {
      const exact = ids.indexOf(experiment);
      const partial = ids.flatMap((id, position) => (id.includes(experiment) ? [position] : []));
      const match = exact >= 0 ? exact : partial.length === 1 ? partial[0] : undefined;
      if (match === undefined)
        return fail(
          'experiments',
          `${partial.length === 0 ? 'no' : `${partial.length}`} experiments match "${experiment}"; give one of: ${ids.join(', ')}.`,
        );
      index = match;
    }
    const entry = experiments[index];
    path = `experiments[${index}]`;
    if (!isJsonObject(entry)) return fail(path, 'must be an object with a "stages" list.');
    chosen = entry;
  } else {
    chosen = root;
    path = '';
  }
  const at = (field: string) => (path === '' ? field : `${path}.${field}`);
  const id = typeof chosen.experiment === 'string' ? chosen.experiment : file;

  const positive = (value: unknown, field: string, what: string, integer = false): number => {
    if (
      typeof value !== 'number' ||
      !Number.isFinite(value) ||
      value <= 0 ||
      (integer && !Number.isInteger(value))
    )
      return fail(
        at(field),
        `must be a positive ${integer ? 'integer' : 'number'} (${what}), got ${JSON.stringify(value)}.`,
      );
    return value;
  };
  const optionalPositive = (value: unknown, field: string, what: string): number | undefined =>
    value === undefined || value === null ? undefined : positive(value, field, what, true);
  const count = (value: unknown, field: string, what: string): number => {
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 0)
      return fail(at(field), `must be a whole number ≥ 0 (${what}), got ${JSON.stringify(value)}.`);
    return value;
  };
  const missing = (field: string, what: string) => fail(at(field), `is missing (${what}).`);
  /** The statistics given (each a positive number), in this order; those in `needs` must be. */
  const statistics = (
    value: unknown,
    field: string,
    what: string,
    needs: readonly Statistic[],
  ): Statistics => {
    if (!isJsonObject(value))
      return fail(at(field), `must be an object of statistics (${what}), e.g. { "median": ... }.`);
    const result: Statistics = {};
    for (const key of STATISTICS) {
      if (value[key] === undefined || value[key] === null) {
        if (needs.includes(key)) missing(`${field}.${key}`, what);
        continue;
      }
      result[key] = positive(value[key], `${field}.${key}`, what);
    }
    return result;
  };
  const withMedian = (value: unknown, field: string, what: string): MeasuredDistribution => {
    const result = statistics(value, field, what, ['median']);
    const { median } = result;
    return median === undefined ? missing(`${field}.median`, what) : { ...result, median };
  };
  const withMean = (value: unknown, field: string, what: string) => {
    const result = statistics(value, field, what, ['mean']);
    const { mean } = result;
    return mean === undefined ? missing(`${field}.mean`, what) : { ...result, mean };
  };
  const withMeanAndMedian = (value: unknown, field: string, what: string) => {
    const result = statistics(value, field, what, ['mean', 'median']);
    const { mean, median } = result;
    if (mean === undefined) return missing(`${field}.mean`, what);
    return median === undefined ? missing(`${field}.median`, what) : { ...result, mean, median };
  };

  const model = typeof chosen.model === 'string' ? chosen.model : undefined;
  const tensorParallelSize = optionalPositive(
    chosen.tensorParallelSize,
    'tensorParallelSize',
    'GPUs per replica',
  );
  const maxNumSeqs = optionalPositive(chosen.maxNumSeqs, 'maxNumSeqs', "the server's max_num_seqs");
  const maxNumBatchedTokens = optionalPositive(
    chosen.maxNumBatchedTokens,
    'maxNumBatchedTokens',
    "the server's max_num_batched_tokens",
  );
  const maxModelLen = optionalPositive(chosen.maxModelLen, 'maxModelLen', "the server's max_model_len");
  let shared: Pick<MeasuredStage, 'groups' | 'prefixLength' | 'usersPerGroup'> = {};
  const workload = chosen.workload;
  if (workload !== undefined) {
    if (!isJsonObject(workload)) return fail(at('workload'), 'must be an object.');
    if (workload.num_unique_system_prompts !== undefined || workload.system_prompt_len !== undefined)
      shared = {
        groups: positive(
          workload.num_unique_system_prompts,
          'workload.num_unique_system_prompts',
          'shared system prompts',
          true,
        ),
        prefixLength: positive(
          workload.system_prompt_len,
          'workload.system_prompt_len',
          'tokens per system prompt',
          true,
        ),
        ...(workload.num_users_per_system_prompt === undefined
          ? {}
          : {
              usersPerGroup: positive(
                workload.num_users_per_system_prompt,
                'workload.num_users_per_system_prompt',
                'users per system prompt',
                true,
              ),
            }),
      };
  }
  const rawStages: unknown = chosen.stages;
  if (!Array.isArray(rawStages) || rawStages.length === 0)
    return fail(at('stages'), 'must be a non-empty list of stages.');
  const stageList: readonly unknown[] = rawStages;
  const stages = stageList.map((raw, index): MeasuredStage => {
    const field = (name: string) => `stages[${index}].${name}`;
    if (!isJsonObject(raw)) return fail(at(`stages[${index}]`), 'must be an object.');
    const outputLen = withMeanAndMedian(raw.outputLen, field('outputLen'), 'output tokens');
    return {
      id: `${id}#${index + 1}`,
      rate: positive(raw.rate, field('rate'), 'arrivals per second'),
      durationS: positive(raw.durationS, field('durationS'), 'seconds'),
      successes: positive(raw.successes, field('successes'), 'completed requests', true),
      failures: raw.failures === undefined ? 0 : count(raw.failures, field('failures'), 'failed requests'),
      ttftS: withMedian(raw.ttftS, field('ttftS'), 'time to first token, seconds'),
      e2eS: withMedian(raw.e2eS, field('e2eS'), 'request latency, seconds'),
      promptLen: withMean(raw.promptLen, field('promptLen'), 'prompt tokens'),
      outputLen,
      outputTokensPerSec: positive(
        raw.outputTokensPerSec,
        field('outputTokensPerSec'),
        'output tokens per second',
      ),
      ...(maxNumSeqs === undefined ? {} : { maxNumSeqs }),
      ...(maxNumBatchedTokens === undefined ? {} : { maxNumBatchedTokens }),
      ...(maxModelLen === undefined ? {} : { maxModelLen }),
      ...shared,
    };
  });
  return {
    file,
    format: 'stage-summaries',
    experiment: id,
    ...(model === undefined ? {} : { model }),
    ...(tensorParallelSize === undefined ? {} : { tensorParallelSize }),
    stages,
    notes: [],
  };
}
