/**
 * The quick-start's basic configuration (data/quickstart/seed-quickstart.md, section 1) as written there,
 * in TS form: a custom llama-7b geometry on one A100-80GB. Tests only; examples/ keeps its own
 * copy for readers. (A plain literal, a SimulatorConfig: this package depends on none of the
 * packages it tests.)
 */
export function quickstartBasicConfig() {
  return {
    modelSpec: {
      name: 'llama-7b',
      nParams: 7_000_000_000,
      hiddenSize: 4096,
      nLayers: 32,
      nHeads: 32,
      ffnDim: 11008,
    },
    workloadSpec: { avgInputLength: 512, avgOutputLength: 128, arrivalRate: 2.0 },
    clusterSpec: { nGpusPerNode: 1, nNodes: 1, gpuSpec: { name: 'A100-80GB' } },
    simulationDurationS: 60.0,
  };
}
