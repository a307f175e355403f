import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { captureCli } from './capture-cli';

const directory = mkdtempSync(join(tmpdir(), 'llm-sim-outputs-'));
const short = ['--set', 'simulationDurationS=5'];
const REQUEST_TRACE = 'arrived_at,num_prefill_tokens,num_decode_tokens\n0.0,100,10\n0.5,200,20\n';

describe('output files', () => {
  it('--chrome-trace writes a Chrome trace; a rerun may overwrite the files it wrote', async () => {
    const trace = join(directory, 'chrome.json');
    const csv = join(directory, 'requests.csv');
    const report = join(directory, 'report.html');
    for (let run = 0; run < 2; run++) {
      const { code, stderr } = await captureCli(
        'run',
        ...short,
        '--chrome-trace',
        trace,
        '--csv',
        csv,
        '--report',
        report,
      );
      expect(code, stderr).toBe(0);
    }
    expect(JSON.parse(readFileSync(trace, 'utf8')).traceEvents.length).toBeGreaterThan(10);
    expect(readFileSync(report, 'utf8')).toMatch(/<meta name="generator" content="llm-sim">/);
  });

  it('never overwrites an existing file llm-sim did not write: exit 2, the file unchanged', async () => {
    const data = join(directory, 'my-trace.csv');
    writeFileSync(data, REQUEST_TRACE);
    for (const flags of [
      ['run', '--chrome-trace', data],
      ['run', '--csv', data],
      ['run', '--report', data],
      ['sweep', '--vary', 'rate=1,2', '--csv', data],
      ['sweep', '--vary', 'rate=1,2', '--report', data],
      ['compare', join(directory, 'a.yaml'), join(directory, 'a.yaml'), '--csv', data],
      ['plan', '--rate', '1', '--slo-ttft-p99', '1', '--report', data],
    ]) {
      writeFileSync(join(directory, 'a.yaml'), 'simulation_duration_s: 5\n');
      const { code, stdout, stderr } = await captureCli(...flags, ...(flags[0] === 'run' ? short : []));
      expect(code, flags.join(' ')).toBe(2);
      expect(stderr).toMatch(/the file exists and is not a .* that llm-sim wrote .*refusing to overwrite it/);
      expect(stderr).toContain('arrived_at,num_prefill_tokens');
      expect(stderr).not.toMatch(/\n\s+at /); // no stack trace
      expect(stdout).toBe(''); // checked before anything ran
      expect(readFileSync(data, 'utf8')).toBe(REQUEST_TRACE);
    }
  });

  it('an output that is also an input is refused, even when llm-sim wrote it', async () => {
    const config = join(directory, 'config.json');
    writeFileSync(config, JSON.stringify({ simulationDurationS: 5 }));
    const sameAsConfig = await captureCli('run', '--config', config, '--chrome-trace', config);
    expect(sameAsConfig.code).toBe(2);
    expect(sameAsConfig.stderr).toMatch(/is also the config file this command reads/);
    const trace = join(directory, 'input-trace.csv');
    writeFileSync(trace, REQUEST_TRACE);
    const sameAsTrace = await captureCli('run', '--trace', trace, '--csv', trace);
    expect(sameAsTrace.code).toBe(2);
    expect(sameAsTrace.stderr).toMatch(/is also the request trace this command reads/);
    const twice = await captureCli(
      'run',
      ...short,
      '--csv',
      join(directory, 'x.csv'),
      '--report',
      join(directory, 'x.csv'),
    );
    expect(twice.code).toBe(2);
    expect(twice.stderr).toMatch(/--csv writes the same file/);
    expect(readFileSync(config, 'utf8')).toBe(JSON.stringify({ simulationDurationS: 5 }));
  });

  it('--trace is a request trace: a JSON file gets a hint towards --chrome-trace', async () => {
    const { code, stderr } = await captureCli('run', '--trace', join(directory, 'chrome.json'));
    expect(code).toBe(2);
    expect(stderr).toMatch(/--trace reads a request trace .* use --chrome-trace/);
    const missing = await captureCli('run', '--trace', join(directory, 'missing.csv'));
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/--trace .*missing\.csv: the file does not exist/);
  });
});
