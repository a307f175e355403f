// Quick-start use case 3: tensor-parallel scaling.
import { LLMInferenceSimulator } from '@sim/engine';
import { basicConfig } from './quickstart-config';

const config = basicConfig();
config.parallelismSpec = {};
for (const tpSize of [1, 2, 4, 8]) {
  config.parallelismSpec.tensorParallelSize = tpSize;
  if (config.clusterSpec) config.clusterSpec.nGpusPerNode = tpSize;
  const metrics = new LLMInferenceSimulator(config).run();
  const stats = metrics.computeStatistics();
  console.log(`TP=${tpSize}: ${stats.throughputTokensPerSec.toFixed(2)} tokens/sec`);
}
