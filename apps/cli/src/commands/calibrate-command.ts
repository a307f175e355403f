import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import {
  type CalibrationResult,
  calibrateProfile,
  type FitQuality,
  MeasurementError,
  readMeasurements,
} from '@sim/calibration';
import { resolveConfig } from '@sim/engine';
import { Presets, SingleBar } from 'cli-progress';
import Table from 'cli-table3';
import type { Command } from 'commander';
import { buildConfig, type ConfigFlags } from '../build-config';
import { InputError, positiveInteger } from '../input-error';
import { colorEnabled, type Io } from '../io';
import { checkOutputFiles, type OutputKind } from '../output-file';
import { configInputs, withConfigOptions } from './run-command';

interface CalibrateFlags extends ConfigFlags {
  out: string;
  json?: boolean;
  maxRequests?: string;
  maxEvaluations?: string;
}

/** A calibration profile llm-sim wrote (recognised by its format marker, so a rerun may overwrite it). */
export const CALIBRATION_PROFILE: OutputKind = {
  description: 'calibration profile',
  wroteIt: (head) => /^\s*\{\s*"llmSimCalibration"\s*:/.test(head),
};

const ROWS: readonly [string, (quality: FitQuality) => FitQuality['medianTtftS'], number][] = [
  ['median TTFT (ms)', (quality) => quality.medianTtftS, 1000],
  ['median E2E (ms)', (quality) => quality.medianE2eS, 1000],
  ['median TPOT (ms)', (quality) => quality.medianTpotS, 1000],
  ['throughput (out tok/s)', (quality) => quality.throughputTokensPerS, 1],
];

const number = (value: number) =>
  Number.isFinite(value) ? (Math.abs(value) >= 100 ? value.toFixed(0) : value.toPrecision(3)) : '-';
const signedPct = (error: number) =>
  Number.isFinite(error) ? `${error >= 0 ? '+' : ''}${(error * 100).toFixed(1)}%` : '-';

/** The before/after table, the fitted parameters, and one line on the fit's size and time. */
function formatResult(result: CalibrationResult): string {
  const { profile } = result;
  const metrics = new Table({
    head: ['metric', 'measured', `${profile.baseProfile} profile`, 'error', 'calibrated', 'error'],
    style: { head: [], border: [] },
  });
  for (const [name, metric, scale] of ROWS) {
    const before = metric(result.before);
    const after = metric(result.after);
    metrics.push([
      name,
      number(before.measured * scale),
      number(before.predicted * scale),
      signedPct(before.error),
      number(after.predicted * scale),
      signedPct(after.error),
    ]);
  }
  metrics.push([
    'RMS log error TTFT / TPOT',
    '',
    `${result.before.rmsLogError.ttft.toFixed(3)} / ${result.before.rmsLogError.tpot.toFixed(3)}`,
    '',
    `${result.after.rmsLogError.ttft.toFixed(3)} / ${result.after.rmsLogError.tpot.toFixed(3)}`,
    '',
  ]);
  const parameters = new Table({
    head: ['parameter', `${profile.baseProfile}`, 'calibrated'],
    style: { head: [], border: [] },
  });
  for (const name of result.fitted) {
    parameters.push([
      name,
      number(result.baseParameters[name] ?? Number.NaN),
      number(result.engineProfile[name]),
    ]);
  }
  const { fittedOn } = profile;
  return [
    metrics.toString(),
    parameters.toString(),
    `Fitted on ${fittedOn.requests} requests (${fittedOn.model}, TP ${fittedOn.tp}, ${profile.gpu}) in ${result.evaluations} simulations, ${result.wallTimeS.toFixed(1)} s.`,
  ].join('\n');
}

/** `llm-sim calibrate MEASURED --config BASE --out PROFILE.json`: fit an engine profile to measurements. */
export function addCalibrateCommand(program: Command, io: Io): void {
  withConfigOptions(
    program
      .command('calibrate <measured>')
      .description(
        'Fit an engine profile (CPU overhead, compute/memory efficiency) to your own measurements, for configs to use via calibrationFile.',
      )
      .option(
        '-c, --config <file>',
        'the measured deployment: model, GPU, TP, scheduler, engineProfile (its workload is ignored)',
      )
      .requiredOption(
        '-o, --out <file>',
        'write the fitted profile here (JSON; use it with calibrationFile: FILE)',
      ),
  )
    .option('--json', 'print the profile (with the fit before and after) as JSON, nothing else')
    .option(
      '--max-requests <n>',
      'replay at most this many measured requests, the first by arrival (default 2000)',
    )
    .option('--max-evaluations <n>', 'run at most this many simulations while fitting (default 300)')
    .option('--debug', 'print stack traces')
    .addHelpText(
      'after',
      `
MEASURED is either
  - a CSV with the header arrival_time,input_tokens,output_tokens,first_token_time,last_token_time
    (seconds on one clock, e.g. Unix time; one line per request; other columns are ignored), or
  - the JSON of vLLM's serving benchmark (vllm bench serve --save-result --save-detailed, or
    benchmark_serving.py --save-result); it has no arrival times, so they are reconstructed from its
    request_rate (a burst when inf), and a note says so.

The measured requests are replayed through the simulator on the --config deployment, and
computeEfficiencyScale, memoryEfficiencyScale, cpuOverheadBaseUs, cpuOverheadPerSequenceUs (and
collectiveLatencyScale with TP > 1) are fitted to each request's TTFT and decode time per token and
the throughput. Measurements at several loads fit best: bursts of different sizes, or a
low and a high rate. Then set calibrationFile: PROFILE.json in a config (other models and batch
sizes on the same GPU; a run on another GPU says so in its confidence notes).

Examples:
  llm-sim calibrate measured.csv --config base.yaml --out profile.json
  llm-sim calibrate bench-result.json --model llama-3.1-8b --gpu H100 --out profile.json
  llm-sim run --config base.yaml --set calibrationFile=profile.json`,
    )
    .action((measured: string, flags: CalibrateFlags) => {
      checkOutputFiles(
        [{ flag: '--out', file: flags.out, kind: CALIBRATION_PROFILE }],
        [{ what: 'measurement file', file: measured }, ...configInputs(flags)],
      );
      if (!existsSync(measured))
        throw new MeasurementError(
          measured,
          undefined,
          'file_not_found',
          'the measurement file does not exist.',
        );
      if (statSync(measured).isDirectory())
        throw new MeasurementError(
          measured,
          undefined,
          'file_malformed',
          'is a directory; give a measurement file.',
        );
      const measurements = readMeasurements(readFileSync(measured, 'utf8'), measured);
      const config = buildConfig(flags, { onNote: (note) => io.stderr(`${note}\n`) });
      resolveConfig(config); // a bad base config: exit 2 before fitting
      const maxRequests =
        flags.maxRequests === undefined ? 2000 : positiveInteger(flags.maxRequests, '--max-requests');
      const maxEvaluations =
        flags.maxEvaluations === undefined ? 300 : positiveInteger(flags.maxEvaluations, '--max-evaluations');
      if (maxEvaluations < 10)
        throw new InputError(`--max-evaluations must be at least 10 for a fit, got ${maxEvaluations}.`);
      io.stderr(
        `calibrating: ${Math.min(maxRequests, measurements.requests.length)} of ${measurements.requests.length} measured requests, at most ${maxEvaluations} simulations\n`,
      );
      let bar: SingleBar | undefined;
      if (io.stderrIsTty) {
        bar = new SingleBar(
          {
            format: 'fitting [{bar}] {value}/{total} simulations',
            stream: process.stderr,
            hideCursor: true,
            barCompleteChar: colorEnabled(io) ? '\u2588' : '#',
            barIncompleteChar: colorEnabled(io) ? '\u2591' : '-',
          },
          Presets.legacy,
        );
        bar.start(maxEvaluations, 0);
      }
      let result: CalibrationResult;
      try {
        result = calibrateProfile(measurements, config, {
          maxRequests,
          maxEvaluations,
          onProgress: (evaluations) => bar?.update(evaluations),
        });
      } finally {
        bar?.stop();
      }
      for (const note of result.notes) io.stderr(`note: ${note}\n`);
      writeFileSync(flags.out, `${JSON.stringify(result.profile, null, 2)}\n`);
      io.stdout(
        flags.json
          ? `${JSON.stringify({ ...result.profile, wallTimeS: result.wallTimeS }, null, 2)}\n`
          : `${formatResult(result)}\n`,
      );
      io.stderr(`wrote out: ${flags.out} (use it with calibrationFile: ${flags.out} in a config)\n`);
    });
}
