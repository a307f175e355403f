// Quick-start use case 4: workload pattern analysis (input/output lengths).
import { LLMInferenceSimulator } from '@sim/engine';
import { basicConfig } from './quickstart-config';

const config = basicConfig();
for (const [inputLen, outputLen] of [
  [128, 32],
  [512, 128],
  [2048, 512],
] as const) {
  if (config.workloadSpec) {
    config.workloadSpec.avgInputLength = inputLen;
    config.workloadSpec.avgOutputLength = outputLen;
  }
  const metrics = new LLMInferenceSimulator(config).run();
  const stats = metrics.computeStatistics();
  console.log(`I/O: ${inputLen}/${outputLen}`);
  console.log(`  Throughput: ${stats.throughputTokensPerSec.toFixed(2)}`);
  console.log(`  P95 TTFT: ${stats.firstTokenLatency.p95.toFixed(4)}s`);
}
