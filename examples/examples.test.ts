import { afterEach, describe, expect, it, vi } from 'vitest';

/** Each quick-start example runs and prints what the quick-start prints. */
const expected: Record<string, RegExp[]> = {
  basic: [/^Throughput: \d+\.\d\d tokens\/sec$/],
  compare: [/^Speedup: \d+\.\d\dx$/],
  'load-sweep': [
    /^Load: 1 req\/s$/,
    /^ {2}Throughput: \d+\.\d\d tokens\/sec$/,
    /^ {2}P95 Latency: \d+\.\d{4}s$/,
  ],
  'gpu-selection': [/^A100-80GB: \d+\.\d\d tokens\/sec$/, /^H100-80GB: /, /^A100-40GB: /],
  'batch-size': [/^Batch 1: \d+\.\d\d tok\/s, P95: \d+\.\d{4}s$/],
  'tp-scaling': [/^TP=1: \d+\.\d\d tokens\/sec$/, /^TP=8: /],
  'io-patterns': [/^I\/O: 128\/32$/, /^ {2}P95 TTFT: \d+\.\d{4}s$/],
};

afterEach(() => vi.restoreAllMocks());

describe('quick-start examples', () => {
  it('every example file is covered here', async () => {
    const { EXAMPLES } = await import('./run-example');
    expect(EXAMPLES).toEqual(Object.keys(expected).sort());
  });

  for (const [name, patterns] of Object.entries(expected)) {
    it(name, async () => {
      const lines: string[] = [];
      vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => {
        lines.push(args.join(' '));
      });
      await import(`./${name}.ts`);
      for (const pattern of patterns)
        expect(
          lines.some((line) => pattern.test(line)),
          String(pattern),
        ).toBe(true);
    });
  }
});
