import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { fitVllmV1, isOverloaded, readPublishedCases, readVllmV1Stages, VLLM_V1_DATA } from '@sim/validation';
import { describe, expect, it } from 'vitest';

/**
 * The honest-validation protocol, enforced: every row carries a split label in the committed
 * data; held-out sets are whole models (or engines, or sources) that no training row shares; the
 * fitting code path never sees a held-out row, so deleting them cannot change a fit.
 */
const PUBLISHED = [
  'gptfast_readme_bs1_decode.csv',
  'trtllm_perf_overview_v0.9.0_static.csv',
  'trtllm_perf_overview_v0.6.1_static.csv',
  'trtllm_perf_overview_v0.14.0_ifb_throughput_A100.csv',
  'splitwise_sim_perf_model_measured.csv',
];

describe('every validated row is labelled train or held-out in the committed data', () => {
  it.each(PUBLISHED)('%s: a split column with a valid label on every row, and a # SPLIT note', (file) => {
    const text = readFileSync(fileURLToPath(new URL(`../data/published/${file}`, import.meta.url)), 'utf8');
    expect(text).toMatch(/^# SPLIT /m);
    const rows = text.split('\n').filter((line) => line.trim() !== '' && !line.startsWith('#'));
    const header = (rows[0] as string).split(',');
    const column = header.indexOf('split');
    expect(column).toBe(header.length - 1);
    for (const row of rows.slice(1)) expect(['train', 'held-out']).toContain(row.split(',').at(-1));
  });

  it('the vLLM V1 runs: every experiment labelled; held out = whole models no training run uses', () => {
    const stages = readVllmV1Stages();
    expect(stages).toHaveLength(18);
    const trainModels = new Set(
      stages.filter((stage) => stage.split === 'train').map((stage) => stage.model),
    );
    const heldOutModels = new Set(
      stages.filter((stage) => stage.split === 'held-out').map((stage) => stage.model),
    );
    expect(heldOutModels.size).toBeGreaterThan(0);
    for (const model of heldOutModels) expect(trainModels.has(model)).toBe(false);
  });

  it('published held-out rows are whole models absent from the training rows of the same table', () => {
    const { cases } = readPublishedCases();
    for (const dataset of new Set(cases.map((item) => item.dataset))) {
      const rows = cases.filter((item) => item.dataset === dataset);
      const trainModels = new Set(rows.filter((item) => !item.heldOut).map((item) => item.model));
      for (const item of rows.filter((row) => row.heldOut)) expect(trainModels.has(item.model)).toBe(false);
    }
  });
});

describe('fitting reads only training rows', () => {
  it('readPublishedCases("train") and readVllmV1Stages("train") return no held-out row', () => {
    expect(readPublishedCases('train').cases.some((item) => item.heldOut)).toBe(false);
    expect(readVllmV1Stages('train').some((stage) => stage.split !== 'train')).toBe(false);
  });

  it('the vLLM V1 fit is unchanged, parameter for parameter, when the held-out runs are deleted', () => {
    const full = readFileSync(VLLM_V1_DATA, 'utf8');
    const data = JSON.parse(full) as { experiments: { split: string }[] };
    const trainOnly = JSON.stringify({
      ...data,
      experiments: data.experiments.filter((experiment) => experiment.split === 'train'),
    });
    expect(trainOnly.length).toBeLessThan(full.length);
    // A short fit (one Nelder–Mead pass of a few steps on short replays) is enough to show that
    // the held-out rows never reach the objective: any influence would change its path.
    // (Overloaded stages are left out of this check only because their whole-stage replays are slow.)
    const options = { iterations: 2, rounds: 1, overlapVariants: [false], replaySeconds: 40 } as const;
    const quick = (text: string) => readVllmV1Stages('train', text).filter((stage) => !isOverloaded(stage));
    const withHeldOut = fitVllmV1(quick(full), options);
    const without = fitVllmV1(quick(trainOnly), options);
    expect(without.parameters).toEqual(withHeldOut.parameters);
    expect(without.objective).toBe(withHeldOut.objective);
  });
});
