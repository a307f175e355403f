// Disaggregated prefill and decode (examples/configs/disaggregated.yaml) against the same four GPUs
// co-located, for long prompts under load and for short prompts at low load.
import { fileURLToPath } from 'node:url';
import { LLMInferenceSimulator, type SimulatorConfig } from '@sim/engine';
import { loadConfigFile } from '@sim/engine/node';

const config = loadConfigFile(fileURLToPath(new URL('configs/disaggregated.yaml', import.meta.url)));
const ms = (seconds: number) => `${(seconds * 1000).toFixed(1)} ms`;

const long = config.workloadSpec ?? {};
const workloads: [string, NonNullable<SimulatorConfig['workloadSpec']>][] = [
  ['long prompts, 12 req/s', long],
  ['short prompts, 2 req/s', { ...long, avgInputLength: 300, avgOutputLength: 100, arrivalRate: 2 }],
];
for (const [label, workloadSpec] of workloads) {
  const { disaggregation: _split, ...together } = config;
  const deployments: [string, SimulatorConfig][] = [
    [
      'co-located, 4 replicas',
      { ...together, workloadSpec, parallelismSpec: { dataParallelSize: 4, router: 'least-outstanding' } },
    ],
    ['P/D, 2 prefill + 2 decode', { ...config, workloadSpec }],
  ];
  console.log(`${label}:`);
  for (const [name, deployment] of deployments) {
    const statistics = new LLMInferenceSimulator(deployment).run().computeStatistics();
    const transfer = statistics.disaggregation?.kvTransferTime.p50;
    console.log(
      `  ${name.padEnd(26)} TTFT p99 ${ms(statistics.firstTokenLatency.p99)} | TPOT p99 ${ms(statistics.timePerOutputToken.p99)} | ITL p99 ${ms(statistics.interTokenLatency.p99)}${transfer === undefined ? '' : ` | KV transfer p50 ${ms(transfer)}`}`,
    );
  }
}
