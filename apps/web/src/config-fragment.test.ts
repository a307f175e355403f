import { describe, expect, it } from 'vitest';
import { configSections, parseFieldText } from './config-fields';
import { readFragment, writeFragment } from './config-fragment';
import { getPath, mergeConfig, setPath } from './config-path';

describe('config in the URL fragment', () => {
  it('round-trips a partial config, strings with markup and unicode included', () => {
    const config = { modelSpec: { name: '<script>alert(1)</script> ü' }, workloadSpec: { arrivalRate: 2.5 } };
    const hash = writeFragment(config);
    expect(hash.startsWith('#config=')).toBe(true);
    expect(hash).not.toContain('<');
    expect(readFragment(hash)).toEqual({ kind: 'config', config });
  });

  it('ignores other fragments and reports a broken or non-object config', () => {
    expect(readFragment('')).toEqual({ kind: 'none' });
    expect(readFragment('#results')).toEqual({ kind: 'none' });
    expect(readFragment('#config=%7Bnope')).toMatchObject({ kind: 'invalid' });
    expect(readFragment(`#config=${encodeURIComponent('[1,2]')}`)).toMatchObject({
      kind: 'invalid',
      message: expect.stringContaining('JSON object'),
    });
  });
});

describe('config paths', () => {
  it('sets and clears nested fields, dropping sections left empty', () => {
    const withRate = setPath({}, 'workloadSpec.arrivalRate', 3);
    expect(withRate).toEqual({ workloadSpec: { arrivalRate: 3 } });
    expect(getPath(withRate, 'workloadSpec.arrivalRate')).toBe(3);
    expect(setPath(withRate, 'workloadSpec.arrivalRate', undefined)).toEqual({});
    expect(withRate).toEqual({ workloadSpec: { arrivalRate: 3 } }); // not mutated
  });

  it('merges objects key by key and replaces everything else', () => {
    expect(
      mergeConfig(
        { workloadSpec: { arrivalRate: 1, stages: [{ rate: 1 }] }, seed: 1 },
        { workloadSpec: { stages: [] } },
      ),
    ).toEqual({ workloadSpec: { arrivalRate: 1, stages: [] }, seed: 1 });
  });
});

describe('form fields from the config schema', () => {
  const sections = configSections();
  const fields = new Map(sections.flatMap((section) => section.fields).map((field) => [field.path, field]));

  it('covers every section, with presets as suggestions and no file fields', () => {
    expect(sections.map((section) => section.key)).toEqual([
      'modelSpec',
      'clusterSpec',
      'parallelismSpec',
      'schedulerSpec',
      'workloadSpec',
      'run',
      'slo',
    ]);
    for (const section of sections) expect(section.fields.length, section.key).toBeGreaterThan(0);
    expect(fields.get('modelSpec.name')?.choices).toContain('llama-2-7b');
    expect(fields.get('clusterSpec.gpuSpec.name')?.choices).toContain('H100-80GB');
    expect(fields.get('engineProfile')?.choices).toContain('vllm-v0');
    expect(fields.get('schedulerSpec.preemptionMode')).toMatchObject({
      kind: 'choice',
      choices: ['recompute', 'swap'],
    });
    expect(fields.has('workloadSpec.traceFile')).toBe(false);
    expect(fields.has('calibrationFile')).toBe(false);
  });

  it('parses field text: empty is the default, numbers, booleans, JSON, and bad numbers kept for validation to report', () => {
    const rate = fields.get('workloadSpec.arrivalRate');
    const drain = fields.get('drain');
    const lengths = fields.get('workloadSpec.lengthDistribution');
    if (rate === undefined || drain === undefined || lengths === undefined) throw new Error('missing fields');
    expect(parseFieldText(rate, ' ')).toBeUndefined();
    expect(parseFieldText(rate, '2.5')).toBe(2.5);
    expect(parseFieldText(rate, 'fast')).toBe('fast');
    expect(parseFieldText(drain, 'true')).toBe(true);
    expect(parseFieldText(lengths, 'lognormal')).toBe('lognormal');
    expect(parseFieldText(lengths, '{"type":"uniform"}')).toEqual({ type: 'uniform' });
  });
});
