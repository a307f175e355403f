// A multi-turn chat service behind a router (examples/configs/multi-turn-chat.yaml): the same
// deployment and conversations with each router, side by side. Prefix-affinity keeps each
// conversation on the replica that holds its cache.
import { fileURLToPath } from 'node:url';
import { LLMInferenceSimulator } from '@sim/engine';
import { loadConfigFile } from '@sim/engine/node';

const config = loadConfigFile(fileURLToPath(new URL('configs/multi-turn-chat.yaml', import.meta.url)));
const ms = (seconds: number) => `${(seconds * 1000).toFixed(0)} ms`;
const pct = (fraction: number) => `${(fraction * 100).toFixed(1)}%`;

for (const router of ['round-robin', 'least-outstanding', 'prefix-affinity', 'scored']) {
  const statistics = new LLMInferenceSimulator({
    ...config,
    parallelismSpec: { ...config.parallelismSpec, router },
  })
    .run()
    .computeStatistics();
  const sessions = statistics.sessions;
  if (sessions === undefined) throw new Error('the example config has sessions');
  console.log(
    `${router.padEnd(17)} hit rate ${pct(statistics.prefixCacheHitRate)} | follow-up TTFT p50 ${ms(sessions.followUpFirstTokenLatency.p50)}, p99 ${ms(sessions.followUpFirstTokenLatency.p99)} | first-turn TTFT p50 ${ms(sessions.firstTurnFirstTokenLatency.p50)} | imbalance ${statistics.routingImbalance.toFixed(2)} | per replica ${statistics.replicas.map((replica) => `${replica.requests} req ${pct(replica.prefixCacheHitRate)}`).join(', ')}`,
  );
}
