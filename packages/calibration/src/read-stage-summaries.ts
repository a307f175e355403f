import { MeasurementError } from './measurements';
import type { MeasuredDistribution, MeasuredStage, StageMeasurements } from './stage-measurements';

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Whether parsed JSON is a stage-summary file (an `experiments` list, or one experiment with `stages`). */
export function isStageSummaries(data: unknown): boolean {
  return isObject(data) && (Array.isArray(data.experiments) || Array.isArray(data.stages));
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
      `is not valid JSON (${(error as Error).message}).`,
    );
  }
  const fail = (path: string, message: string): never => {
    throw new MeasurementError(file, undefined, 'file_malformed', `${path}: ${message}`);
  };
  if (!isStageSummaries(data))
    fail('(top level)', 'expected { "experiments": [...] } or one experiment with a "stages" list.');
  const root = data as Json;
  let chosen: Json;
  let path: string;
  if (Array.isArray(root.experiments)) {
    const experiments = root.experiments as unknown[];
    const ids = experiments.map((entry, index) =>
      isObject(entry) && typeof entry.experiment === 'string' ? entry.experiment : `#${index}`,
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
      if (exact < 0 && partial.length !== 1)
        fail(
          'experiments',
          `${partial.length === 0 ? 'no' : `${partial.length}`} experiments match "${experiment}"; give one of: ${ids.join(', ')}.`,
        );
      index = exact >= 0 ? exact : (partial[0] as number);
    }
    const entry = experiments[index];
    path = `experiments[${index}]`;
    if (!isObject(entry)) return fail(path, 'must be an object with a "stages" list.');
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
      fail(
        at(field),
        `must be a positive ${integer ? 'integer' : 'number'} (${what}), got ${JSON.stringify(value)}.`,
      );
    return value as number;
  };
  const optionalPositive = (value: unknown, field: string, what: string): number | undefined =>
    value === undefined || value === null ? undefined : positive(value, field, what, true);
  const count = (value: unknown, field: string, what: string): number => {
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 0)
      fail(at(field), `must be a whole number ≥ 0 (${what}), got ${JSON.stringify(value)}.`);
    return value as number;
  };
  const distribution = (
    value: unknown,
    field: string,
    what: string,
    needs: readonly string[],
  ): MeasuredDistribution & { mean: number } => {
    if (!isObject(value))
      return fail(at(field), `must be an object of statistics (${what}), e.g. { "median": ... }.`);
    const result: Record<string, number> = {};
    for (const key of ['mean', 'median', 'p90', 'p99'] as const) {
      if (value[key] === undefined || value[key] === null) {
        if (needs.includes(key)) fail(at(`${field}.${key}`), `is missing (${what}).`);
        continue;
      }
      result[key] = positive(value[key], `${field}.${key}`, what);
    }
    return result as unknown as MeasuredDistribution & { mean: number };
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
  if (chosen.workload !== undefined) {
    if (!isObject(chosen.workload)) fail(at('workload'), 'must be an object.');
    const workload = chosen.workload as Json;
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
  if (!Array.isArray(chosen.stages) || chosen.stages.length === 0)
    fail(at('stages'), 'must be a non-empty list of stages.');
  const stages = (chosen.stages as unknown[]).map((raw, index): MeasuredStage => {
    const field = (name: string) => `stages[${index}].${name}`;
    if (!isObject(raw)) return fail(at(`stages[${index}]`), 'must be an object.');
    const outputLen = distribution(raw.outputLen, field('outputLen'), 'output tokens', ['mean', 'median']);
    return {
      id: `${id}#${index + 1}`,
      rate: positive(raw.rate, field('rate'), 'arrivals per second'),
      durationS: positive(raw.durationS, field('durationS'), 'seconds'),
      successes: positive(raw.successes, field('successes'), 'completed requests', true),
      failures: raw.failures === undefined ? 0 : count(raw.failures, field('failures'), 'failed requests'),
      ttftS: distribution(raw.ttftS, field('ttftS'), 'time to first token, seconds', ['median']),
      e2eS: distribution(raw.e2eS, field('e2eS'), 'request latency, seconds', ['median']),
      promptLen: distribution(raw.promptLen, field('promptLen'), 'prompt tokens', ['mean']),
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
