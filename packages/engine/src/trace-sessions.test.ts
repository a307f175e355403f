import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LLMInferenceSimulator, parseTrace, type SimulatorConfig } from '@sim/engine';
import { describe, expect, it } from 'vitest';

/**
 * A chat trace: `sessions` conversations of `turns` turns, interleaved; turn k + 1 of a session
 * arrives 30 s after turn k and its prompt is turn k's prompt and answer plus a 200-token question.
 */
function chatTrace(sessions: number, turns: number, withSessionColumn: boolean): string {
  const rows: [number, number, number, string][] = [];
  for (let session = 0; session < sessions; session++) {
    let input = 600;
    for (let turn = 0; turn < turns; turn++) {
      rows.push([session * 0.5 + turn * 30, input, 150, `chat-${session}`]);
      input += 150 + 200;
    }
  }
  rows.sort((a, b) => a[0] - b[0]);
  const header = withSessionColumn
    ? 'arrival_time,input_tokens,output_tokens,session_id'
    : 'arrival_time,input_tokens,output_tokens';
  return [header, ...rows.map((row) => (withSessionColumn ? row : row.slice(0, 3)).join(','))].join('\n');
}

const directory = mkdtempSync(join(tmpdir(), 'llm-sim-trace-sessions-'));
function replay(
  trace: string,
  replicas: number,
  router: string,
): ReturnType<ReturnType<LLMInferenceSimulator['run']>['computeStatistics']> {
  const file = join(directory, `trace-${Math.random().toString(36).slice(2)}.csv`);
  writeFileSync(file, trace);
  const config: SimulatorConfig = {
    modelSpec: { name: 'llama-3.1-8b' },
    clusterSpec: { gpuSpec: { name: 'H100' }, nGpusPerNode: replicas },
    parallelismSpec: { dataParallelSize: replicas, router },
    workloadSpec: { arrivalProcess: 'trace', traceFile: file },
    drain: true,
  };
  return new LLMInferenceSimulator(config).run().computeStatistics();
}

describe('traces with a session_id column', () => {
  it('parses sessions in order of first appearance, blank cells outside any session', () => {
    const trace = parseTrace('time,input,output,session_id\n0,10,5,b\n1,20,5,a\n2,30,5,b\n3,40,5,\n');
    expect([...(trace.sessionIds ?? [])]).toEqual([0, 1, 0, -1]);
    expect(parseTrace('time,input,output\n0,10,5\n').sessionIds).toBeUndefined();
  });

  it("a turn that resends its session's history hits the previous turn's blocks; without the column nothing is shared", () => {
    const withSessions = replay(chatTrace(20, 4, true), 1, 'round-robin');
    const without = replay(chatTrace(20, 4, false), 1, 'round-robin');
    expect(without.prefixCacheHitRate).toBe(0);
    // Turn k + 1 hits ⌊(prompt + answer − 1) / 16⌋ × 16 of turn k: 736 of 950, 1088 of 1300, 1440 of 1650.
    const expected = (736 + 1088 + 1440) / (600 + 950 + 1300 + 1650);
    expect(withSessions.prefixCacheHitRate).toBeCloseTo(expected, 12);
    expect(withSessions.firstTokenLatency.mean).toBeLessThan(without.firstTokenLatency.mean);
  });

  it('prefix-affinity keeps a traced conversation on its replica; round-robin scatters it', () => {
    // 23 conversations over 4 replicas: round-robin sends each next turn elsewhere (24 would cycle back).
    const trace = chatTrace(23, 4, true);
    const affinity = replay(trace, 4, 'prefix-affinity');
    const roundRobin = replay(trace, 4, 'round-robin');
    expect(affinity.prefixCacheHitRate).toBeGreaterThan(roundRobin.prefixCacheHitRate + 0.2);
  });

  it('a turn shorter than its history (a truncated conversation) starts a new stream: no false hit', () => {
    const trace = ['arrival_time,input_tokens,output_tokens,session_id', '0,2000,100,s', '60,500,100,s'].join(
      '\n',
    );
    expect(replay(trace, 1, 'round-robin').prefixCacheHitRate).toBe(0);
  });
});
