import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfigFile, resolveConfig } from '@sim/specs';
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
