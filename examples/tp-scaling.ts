// Quick-start use case 3: tensor-parallel scaling.
import { loadLimitedNote } from '@sim/cli';
import { LLMInferenceSimulator, type ResolvedConfig, type SimulationStatistics } from '@sim/engine';
import { basicConfig } from './quickstart-config';

const config = basicConfig();
config.parallelismSpec = {};
const runs: { config: ResolvedConfig; statistics: SimulationStatistics }[] = [];
for (const tpSize of [1, 2, 4, 8]) {
  config.parallelismSpec.tensorParallelSize = tpSize;
  if (config.clusterSpec) config.clusterSpec.nGpusPerNode = tpSize;
  const metrics = new LLMInferenceSimulator(config).run();
  const stats = metrics.computeStatistics();
  runs.push({ config: metrics.config, statistics: stats });
  console.log(`TP=${tpSize}: ${stats.throughputTokensPerSec.toFixed(2)} tokens/sec`);
}

// At 2 req/s every TP degree keeps up: the same throughput is the load's, not a TP limit.
const note = loadLimitedNote(runs);
if (note !== undefined) console.log(note);
