// Quick-start section 3: testing different workloads (load sweep).
import { LLMInferenceSimulator } from '@sim/engine';
import { basicConfig } from './quickstart-config';

const config = basicConfig();
for (const arrivalRate of [1, 5, 10, 20]) {
  if (config.workloadSpec) config.workloadSpec.arrivalRate = arrivalRate;
  const simulator = new LLMInferenceSimulator(config);
  const metrics = simulator.run();
  const stats = metrics.computeStatistics();
  console.log(`Load: ${arrivalRate} req/s`);
  console.log(`  Throughput: ${stats.throughputTokensPerSec.toFixed(2)} tokens/sec`);
  console.log(`  P95 Latency: ${stats.firstTokenLatency.p95.toFixed(4)}s`);
}
