import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LLMInferenceSimulator, type SimulatorConfig } from '@sim/engine';
import { describe, expect, it } from 'vitest';
import { captureCli, REPOSITORY_ROOT } from './capture-cli';
import { assessLoad, loadLimitedNote } from './load-limit';

const basic = join(REPOSITORY_ROOT, 'examples/configs/basic.yaml');
const tp4 = join(REPOSITORY_ROOT, 'examples/configs/tp4.yaml');

function run(config: SimulatorConfig) {
  const metrics = new LLMInferenceSimulator({ simulationDurationS: 30, ...config }).run();
  return { config: metrics.config, statistics: metrics.computeStatistics() };
}

describe('load-limited runs', () => {
  it('a deployment far below capacity keeps up; one far above is overloaded and does not', () => {
    const light = run({ workloadSpec: { arrivalRate: 2 } });
    expect(assessLoad(light.config, light.statistics)).toMatchObject({
      offeredRate: 2,
      overloaded: false,
      keepsUp: true,
    });
    const heavy = run({ workloadSpec: { arrivalRate: 40 } });
    const assessment = assessLoad(heavy.config, heavy.statistics);
    expect(assessment.overloaded).toBe(true);
    expect(assessment.keepsUp).toBe(false);
    expect(assessment.servedRate).toBeLessThan(20);
    expect(loadLimitedNote([light, heavy])).toBeUndefined();
  });

  it('the note names the offered and served rates when every run keeps up', () => {
    const note = loadLimitedNote([
      run({ workloadSpec: { arrivalRate: 2 } }),
      run({
        workloadSpec: { arrivalRate: 2 },
        parallelismSpec: { tensorParallelSize: 2 },
        clusterSpec: { nGpusPerNode: 2 },
      }),
    ]);
    expect(note).toMatch(
      /^Both deployments keep up with the offered load \(2\.0 req\/s offered, ~\d\.\d(–\d\.\d)? served\): throughput is set by the load/,
    );
  });

  it('a closed loop or a trace has no offered rate: never called load-limited', () => {
    const closed = run({ workloadSpec: { arrivalProcess: 'closed-loop', concurrency: 2 } });
    expect(assessLoad(closed.config, closed.statistics).offeredRate).toBeUndefined();
    expect(loadLimitedNote([closed])).toBeUndefined();
  });

  it("compare says so at the quick-start's 2 req/s, and not at 20 req/s where TP shows its speedup", async () => {
    const easy = await captureCli('compare', basic, tp4);
    expect(easy.code).toBe(0);
    expect(easy.stdout).toMatch(/Speedup \(output throughput B \/ A\): 1\.0\dx/);
    expect(easy.stdout).toMatch(/Both deployments keep up with the offered load \(2\.0 req\/s offered/);
    const loaded = await captureCli('compare', basic, tp4, '--rate', '20', '--json');
    const json = JSON.parse(loaded.stdout);
    expect(json.loadLimitedNote).toBeNull();
    expect(json.ratios['output throughput (tok/s)']).toBeGreaterThan(1.3);
  });

  it('compare --json carries the note', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'llm-sim-load-'));
    const config = join(directory, 'a.yaml');
    writeFileSync(config, 'simulation_duration_s: 20\n');
    const json = JSON.parse((await captureCli('compare', config, config, '--json')).stdout);
    expect(json.loadLimitedNote).toMatch(/^Both deployments keep up/);
  });
});
