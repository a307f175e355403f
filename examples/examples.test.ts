import { LLMInferenceSimulator } from '@sim/engine';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { basicConfig } from './quickstart-config';

/** Runs an example file and returns the lines it printed. */
async function linesOf(name: string): Promise<string[]> {
  const lines: string[] = [];
  vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => {
    lines.push(args.join(' '));
  });
  await import(`./${name}.ts`);
  return lines;
}

/** The numbers a line matching `pattern` captures, one array per matching line. */
function numbers(lines: readonly string[], pattern: RegExp): number[][] {
  return lines.flatMap((line) => {
    const match = pattern.exec(line);
    return match === null ? [] : [match.slice(1).map(Number)];
  });
}

const LOAD_LIMITED =
  /^(Both|All \d+) deployments keep up with the offered load \(2\.0 req\/s offered, ~\d\.\d(–\d\.\d)? served\): throughput is set by the load/;

const nonDecreasing = (values: readonly number[], slack = 0) =>
  values.every((value, index) => index === 0 || value >= (values[index - 1] as number) * (1 - slack));

afterEach(() => vi.restoreAllMocks());

describe('quick-start examples', () => {
  it('every example file is covered here', async () => {
    const { EXAMPLES } = await import('./run-example');
    expect(EXAMPLES).toEqual(
      [
        'basic',
        'batch-size',
        'compare',
        'disaggregated',
        'gpu-selection',
        'io-patterns',
        'load-sweep',
        'multi-turn-chat',
        'tp-scaling',
      ].sort(),
    );
  });

  it('basic prints the throughput of the quick-start configuration', async () => {
    const [[printed] = []] = numbers(await linesOf('basic'), /^Throughput: (\d+\.\d\d) tokens\/sec$/);
    const expected = new LLMInferenceSimulator(basicConfig())
      .run()
      .computeStatistics().throughputTokensPerSec;
    expect(printed).toBe(Number(expected.toFixed(2)));
  });

  it('compare prints the speedup, and says the 2 req/s load (not TP) sets the throughput', async () => {
    const lines = await linesOf('compare');
    const [[speedup] = []] = numbers(lines, /^Speedup: (\d+\.\d\d)x$/);
    const single = new LLMInferenceSimulator(basicConfig()).run().computeStatistics();
    const tp4Config = { ...basicConfig(), parallelismSpec: { tensorParallelSize: 4 } };
    if (tp4Config.clusterSpec) tp4Config.clusterSpec.nGpusPerNode = 4;
    const tp4 = new LLMInferenceSimulator(tp4Config).run().computeStatistics();
    expect(speedup).toBe(Number((tp4.throughputTokensPerSec / single.throughputTokensPerSec).toFixed(2)));
    expect(lines.some((line) => LOAD_LIMITED.test(line))).toBe(true);
    // What the note points at instead: TP=4 does cut latency.
    expect(tp4.firstTokenLatency.p95).toBeLessThan(single.firstTokenLatency.p95);
    expect(tp4.timePerOutputToken.p95).toBeLessThan(single.timePerOutputToken.p95);
  });

  it('load-sweep: throughput grows with the load until the GPU saturates; P95 latency grows', async () => {
    const lines = await linesOf('load-sweep');
    expect(numbers(lines, /^Load: (\d+) req\/s$/).flat()).toEqual([1, 5, 10, 20]);
    const throughput = numbers(lines, /^ {2}Throughput: (\d+\.\d\d) tokens\/sec$/).flat();
    const latency = numbers(lines, /^ {2}P95 Latency: (\d+\.\d{4})s$/).flat();
    expect(throughput).toHaveLength(4);
    expect(nonDecreasing(throughput)).toBe(true);
    expect(nonDecreasing(latency)).toBe(true);
    // 20 req/s × 128 tokens is 2560 tok/s offered; one A100 serves far less.
    expect(throughput[3]).toBeLessThan(0.8 * 20 * 128);
  });

  it('gpu-selection prints each GPU, and that the 2 req/s load sets the throughput', async () => {
    const lines = await linesOf('gpu-selection');
    for (const gpu of ['A100-80GB', 'H100-80GB', 'A100-40GB'])
      expect(lines.some((line) => new RegExp(`^${gpu}: \\d+\\.\\d\\d tokens/sec$`).test(line))).toBe(true);
    expect(lines.some((line) => LOAD_LIMITED.test(line))).toBe(true);
  });

  it('batch-size: a larger batch cap serves more and waits less, until the load is met', async () => {
    const rows = numbers(
      await linesOf('batch-size'),
      /^Batch (\d+): (\d+\.\d\d) tok\/s, P95: (\d+\.\d{4})s$/,
    );
    expect(rows.map(([batch]) => batch)).toEqual([1, 2, 4, 8, 16, 32]);
    const throughput = rows.map(([, value]) => value as number);
    const latency = rows.map(([, , value]) => value as number);
    expect(nonDecreasing(throughput, 0.01)).toBe(true);
    expect(nonDecreasing([...latency].reverse(), 0.01)).toBe(true);
    expect(throughput[0]).toBeLessThan(0.5 * (throughput[5] as number)); // batch 1 cannot keep up with 2 req/s
  });

  it('tp-scaling prints every TP degree, and that the 2 req/s load sets the throughput', async () => {
    const lines = await linesOf('tp-scaling');
    expect(numbers(lines, /^TP=(\d): \d+\.\d\d tokens\/sec$/).flat()).toEqual([1, 2, 4, 8]);
    expect(lines.some((line) => LOAD_LIMITED.test(line))).toBe(true);
  });

  it('io-patterns: longer prompts take longer to their first token', async () => {
    const lines = await linesOf('io-patterns');
    expect(numbers(lines, /^I\/O: (\d+)\/(\d+)$/)).toEqual([
      [128, 32],
      [512, 128],
      [2048, 512],
    ]);
    const ttft = numbers(lines, /^ {2}P95 TTFT: (\d+\.\d{4})s$/).flat();
    expect(ttft).toHaveLength(3);
    expect(ttft[0]).toBeLessThan(ttft[1] as number);
    expect(ttft[1]).toBeLessThan(ttft[2] as number);
  });
});

describe('cluster examples', () => {
  it('multi-turn-chat: cache-aware routers keep conversations where their cache is', async () => {
    const rows = numbers(
      await linesOf('multi-turn-chat'),
      /^(?:round-robin|least-outstanding|prefix-affinity|scored) +hit rate (\d+\.\d)% \| follow-up TTFT p50 (\d+) ms, p99 (\d+) ms/,
    );
    expect(rows).toHaveLength(4);
    // Rows: round-robin, least-outstanding (blind to caches), prefix-affinity, scored (cache-aware).
    const [hit, p50, p99] = [0, 1, 2].map((column) => rows.map((row) => row[column] ?? Number.NaN));
    for (const blind of [0, 1])
      for (const aware of [2, 3]) {
        expect(hit?.[aware]).toBeGreaterThan((hit?.[blind] ?? Number.NaN) + 20); // percentage points
        expect(p50?.[aware]).toBeLessThan(p50?.[blind] ?? Number.NaN);
        expect(p99?.[aware]).toBeLessThan(p99?.[blind] ?? Number.NaN);
      }
  }, 60_000);

  it('disaggregated: P/D cuts the decode tails for long prompts under load, not for short prompts at low load', async () => {
    const rows = numbers(
      await linesOf('disaggregated'),
      /^ {2}(?:co-located|P\/D).* TTFT p99 (\d+\.\d) ms \| TPOT p99 (\d+\.\d) ms \| ITL p99 (\d+\.\d) ms/,
    );
    expect(rows).toHaveLength(4);
    const [longTogether, longApart, shortTogether, shortApart] = rows as [number, number, number][];
    expect(longApart?.[1]).toBeLessThan(0.6 * (longTogether?.[1] ?? 0)); // TPOT p99
    expect(longApart?.[2]).toBeLessThan(0.5 * (longTogether?.[2] ?? 0)); // ITL p99
    expect(shortApart?.[1]).toBeGreaterThanOrEqual(shortTogether?.[1] ?? Number.POSITIVE_INFINITY);
  }, 60_000);
});
