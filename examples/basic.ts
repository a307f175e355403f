// Quick-start section 1: basic simulation.
import { LLMInferenceSimulator } from '@sim/engine';
import { basicConfig } from './quickstart-config';

// build the configuration
const config = basicConfig();

// run
const simulator = new LLMInferenceSimulator(config);
const metrics = simulator.run();

// look at the results
const stats = metrics.computeStatistics();
console.log(`Throughput: ${stats.throughputTokensPerSec.toFixed(2)} tokens/sec`);
