import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as engine from '@sim/engine';
import {
  ConfigError,
  LLMInferenceSimulator,
  loadConfigFile,
  nodeFileReader,
  parseConfigText,
  resolveConfig,
} from '@sim/engine/node';
import { describe, expect, it } from 'vitest';

const directory = mkdtempSync(join(tmpdir(), 'llm-sim-config-'));
function file(name: string, text: string): string {
  const path = join(directory, name);
  writeFileSync(path, text);
  return path;
}

describe('loadConfigFile', () => {
  it('loads YAML with snake_case keys', () => {
    const path = file(
      'basic.yaml',
      `model_spec:\n  name: llama-2-7b\nworkload_spec:\n  arrival_rate: 4\n  avg_input_length: 256\ncluster_spec:\n  gpu_spec:\n    name: H100\nsimulation_duration_s: 20\n`,
    );
    const config = resolveConfig(loadConfigFile(path));
    expect(config.modelSpec.name).toBe('llama-2-7b');
    expect(config.workloadSpec.arrivalRate).toBe(4);
    expect(config.clusterSpec.gpuSpec.name).toBe('H100');
    expect(config.simulationDurationS).toBe(20);
  });

  it('loads JSON with camelCase keys', () => {
    const path = file('basic.json', JSON.stringify({ modelSpec: { name: 'mistral-7b' }, seed: 7 }));
    expect(resolveConfig(loadConfigFile(path)).seed).toBe(7);
  });

  it('makes trace paths relative to the config file', () => {
    file('trace.csv', 'arrived_at,num_prefill_tokens,num_decode_tokens\n0,10,2\n');
    const path = file('traced.yaml', 'workload_spec:\n  arrival_process: trace\n  trace_file: trace.csv\n');
    const config = resolveConfig(loadConfigFile(path));
    expect(config.workloadSpec.traceFile).toBe(join(directory, 'trace.csv'));
  });

  it('makes empirical-length and calibration paths relative to the config file, and runs from it', () => {
    file('lengths.csv', 'input_tokens,output_tokens\n100,10\n300,30\n');
    file(
      'fit.json',
      JSON.stringify({
        llmSimCalibration: 1,
        baseProfile: 'vllm',
        gpu: 'A100-80GB',
        fittedOn: { file: 'measured.csv', requests: 10, model: 'llama-7b', tp: 1 },
        parameters: { computeEfficiencyScale: 0.9 },
      }),
    );
    const path = file(
      'lengths.yaml',
      'calibration_file: fit.json\nworkload_spec:\n  num_requests: 20\n  length_distribution:\n    type: empirical\n    file: lengths.csv\n',
    );
    const config = resolveConfig(loadConfigFile(path));
    expect(config.calibrationFile).toBe(join(directory, 'fit.json'));
    expect(config.workloadSpec.lengthDistribution).toEqual({
      type: 'empirical',
      file: join(directory, 'lengths.csv'),
    });
    const statistics = new LLMInferenceSimulator(loadConfigFile(path)).run().computeStatistics();
    expect(statistics.completedRequests).toBe(20);
  });

  it('replays a trace named in a YAML file through the main entry, which reads files under Node', () => {
    file('replay.csv', 'arrived_at,num_prefill_tokens,num_decode_tokens\n0,100,5\n0.5,200,7\n1,50,3\n');
    const path = file('replay.yaml', 'workload_spec:\n  trace_file: replay.csv\n');
    const config = loadConfigFile(path);
    expect(engine.resolveConfig(config).workloadSpec.arrivalProcess).toBe('trace');
    const statistics = new engine.LLMInferenceSimulator(config).run().computeStatistics();
    expect(statistics.completedRequests).toBe(3);
    expect(engine.getFileReader()).toBe(nodeFileReader);
  });

  it('re-exports the main entry unchanged', () => {
    expect(LLMInferenceSimulator).toBe(engine.LLMInferenceSimulator);
    expect(ConfigError).toBe(engine.ConfigError);
  });

  it('rejects unknown keys in files with a hint', () => {
    const path = file('typo.yaml', 'workload_spec:\n  arrival_rat: 4\n');
    expect(() => resolveConfig(loadConfigFile(path))).toThrow(/Did you mean "arrivalRate"/);
  });

  it('reports a missing file, bad syntax and a non-object document as ConfigError', () => {
    expect(() => loadConfigFile(join(directory, 'nope.yaml'))).toThrow(ConfigError);
    expect(() => loadConfigFile(file('bad.json', '{ "seed": '))).toThrow(/not valid JSON/);
    expect(() => loadConfigFile(file('list.yaml', '- 1\n- 2\n'))).toThrow(/must contain an object/);
  });
});

describe('parseConfigText', () => {
  it('parses YAML and JSON text, camelCased, paths as written', () => {
    const yaml = parseConfigText('workload_spec:\n  trace_file: t.csv\nseed: 3\n');
    expect(yaml).toEqual({ workloadSpec: { traceFile: 't.csv' }, seed: 3 });
    expect(parseConfigText('{"model_spec": {"name": "mistral-7b"}}', { format: 'json' })).toEqual({
      modelSpec: { name: 'mistral-7b' },
    });
  });

  it('names the source in errors', () => {
    expect(() => parseConfigText('{ "seed": ', { format: 'json', source: 'pasted' })).toThrow(
      /pasted is not valid JSON/,
    );
    expect(() => parseConfigText('a: [1', { source: 'editor' })).toThrow(/editor is not valid YAML/);
    expect(() => parseConfigText('42')).toThrow(/config must contain an object/);
  });
});
