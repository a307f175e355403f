import { LLMInferenceSimulator } from '@sim/engine';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { yieldToEventLoop } from './yield-to-event-loop';

afterEach(() => {
  vi.unstubAllGlobals();
});

describe('yieldToEventLoop', () => {
  it('lets queued timers run, through a MessageChannel', async () => {
    const channels = vi.spyOn(globalThis, 'MessageChannel');
    let fired = false;
    setTimeout(() => {
      fired = true;
    }, 0);
    for (let i = 0; i < 50 && !fired; i++) await yieldToEventLoop();
    expect(fired).toBe(true);
    expect(channels).toHaveBeenCalled();
    channels.mockRestore();
  });

  it('falls back to setTimeout where there is no MessageChannel', async () => {
    vi.stubGlobal('MessageChannel', undefined);
    const timeouts = vi.spyOn(globalThis, 'setTimeout');
    await yieldToEventLoop();
    expect(timeouts).toHaveBeenCalledWith(expect.any(Function), 0);
    timeouts.mockRestore();
  });

  it('keeps async runs identical to synchronous ones, while other work runs between chunks', async () => {
    // One iteration at a time over 4000 s at 2 req/s: a few 100,000-event chunks.
    const simulator = new LLMInferenceSimulator({ simulationDurationS: 4000 });
    let ticks = 0;
    const timer = setInterval(() => ticks++, 0);
    const chunks: number[] = [];
    const metrics = await simulator.runAsync({
      exactIterations: true,
      onProgress: (progress) => chunks.push(progress.fraction),
    });
    clearInterval(timer);
    expect(chunks.length).toBeGreaterThan(2);
    expect(ticks).toBeGreaterThan(0);
    expect(metrics.computeStatistics()).toEqual(simulator.run({ exactIterations: true }).computeStatistics());
  });
});
