// Quick-start use case 1: choosing a GPU.
import { loadLimitedNote } from '@sim/cli';
import { LLMInferenceSimulator, type ResolvedConfig, type SimulationStatistics } from '@sim/engine';
import { basicConfig } from './quickstart-config';

const config = basicConfig();
const gpus: [string, number, number, number][] = [
  ['A100-80GB', 312.0, 80.0, 2039.0],
  ['H100-80GB', 989.0, 80.0, 3350.0],
  ['A100-40GB', 312.0, 40.0, 1555.0],
];
const runs: { config: ResolvedConfig; statistics: SimulationStatistics }[] = [];
for (const [name, tflops, mem, bw] of gpus) {
  if (config.clusterSpec)
    config.clusterSpec.gpuSpec = { name, computeTflops: tflops, memorySizeGb: mem, memoryBandwidthGbs: bw };
  const metrics = new LLMInferenceSimulator(config).run();
  const stats = metrics.computeStatistics();
  runs.push({ config: metrics.config, statistics: stats });
  console.log(`${name}: ${stats.throughputTokensPerSec.toFixed(2)} tokens/sec`);
}

// At 2 req/s every GPU keeps up: equal throughput is the load's, not the GPUs' (compare latency).
const note = loadLimitedNote(runs);
if (note !== undefined) console.log(note);
