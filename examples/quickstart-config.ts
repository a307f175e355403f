import type { SimulatorConfig } from '@sim/engine';

/** The quick-start's basic configuration (section 1), used as the starting point of the others. */
export function basicConfig(): SimulatorConfig {
  return {
    modelSpec: {
      name: 'llama-7b',
      nParams: 7_000_000_000,
      hiddenSize: 4096,
      nLayers: 32,
      nHeads: 32,
      ffnDim: 11008,
    },
    workloadSpec: {
      avgInputLength: 512,
      avgOutputLength: 128,
      arrivalRate: 2.0, // 2 requests/sec
    },
    clusterSpec: {
      nGpusPerNode: 1,
      nNodes: 1,
      gpuSpec: { name: 'A100-80GB' },
    },
    simulationDurationS: 60.0,
  };
}
