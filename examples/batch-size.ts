// Quick-start use case 2: optimizing the batch size.
import { LLMInferenceSimulator } from '@sim/engine';
import { basicConfig } from './quickstart-config';

const config = basicConfig();
config.schedulerSpec = {};
for (const batchSize of [1, 2, 4, 8, 16, 32]) {
  config.schedulerSpec.maxBatchSize = batchSize;
  if (config.workloadSpec) config.workloadSpec.batchSize = batchSize;
  const metrics = new LLMInferenceSimulator(config).run();
  const stats = metrics.computeStatistics();
  console.log(
    `Batch ${batchSize}: ` +
      `${stats.throughputTokensPerSec.toFixed(2)} tok/s, ` +
      `P95: ${stats.firstTokenLatency.p95.toFixed(4)}s`,
  );
}
