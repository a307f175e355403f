// Quick-start section 2: comparing two configurations (single GPU vs TP=4).
import { loadLimitedNote } from '@sim/cli';
import { LLMInferenceSimulator } from '@sim/engine';
import { basicConfig } from './quickstart-config';

// configuration 1: single GPU
const config1 = basicConfig();
const simulator1 = new LLMInferenceSimulator(config1);
const metrics1 = simulator1.run();

// configuration 2: TP=4 (the quick-start mutates the same object; metrics1 is already computed)
const config2 = config1;
config2.parallelismSpec = { tensorParallelSize: 4 };
if (config2.clusterSpec) config2.clusterSpec.nGpusPerNode = 4;
const simulator2 = new LLMInferenceSimulator(config2);
const metrics2 = simulator2.run();

// compare
const stats1 = metrics1.computeStatistics();
const stats2 = metrics2.computeStatistics();
console.log(`Speedup: ${(stats2.throughputTokensPerSec / stats1.throughputTokensPerSec).toFixed(2)}x`);

// At the quick-start's 2 req/s both keep up, so equal throughput means "the load is the limit",
// not "TP does not help": say so (compare latency, or raise the arrival rate).
const note = loadLimitedNote([
  { config: metrics1.config, statistics: stats1 },
  { config: metrics2.config, statistics: stats2 },
]);
if (note !== undefined) console.log(note);
