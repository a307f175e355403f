import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import {
  type CalibrationOutcome,
  type CalibrationResult,
  calibrateFromStages,
  calibrateProfile,
  type FitQuality,
  MeasurementError,
  readMeasurements,
  type StageCalibrationResult,
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
  experiment?: string;
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

/** The fitted parameters, base value against calibrated, of either kind of calibration. */
function parametersTable(result: CalibrationOutcome): string {
  const table = new Table({
    head: ['parameter', `${result.profile.baseProfile}`, 'calibrated'],
    style: { head: [], border: [] },
  });
  for (const name of result.fitted)
    table.push([name, number(result.baseParameters[name] ?? Number.NaN), number(result.engineProfile[name])]);
  return table.toString();
}

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
  const { fittedOn } = profile;
  return [
    metrics.toString(),
    parametersTable(result),
    `Fitted on ${fittedOn.requests} requests (${fittedOn.model}, TP ${fittedOn.tp}, ${profile.gpu}) in ${result.evaluations} simulations, ${result.wallTimeS.toFixed(1)} s.`,
  ].join('\n');
}

/** The per-stage before/after table of a calibration on stage summaries, the parameters, and the fit's size and time. */
function formatStageResult(result: StageCalibrationResult): string {
  const { profile } = result;
  const stages = new Table({
    head: [
      'stage',
      'rate (req/s)',
      'TTFT measured (ms)',
      `${profile.baseProfile}`,
      'calibrated',
      'E2E measured (s)',
      `${profile.baseProfile}`,
      'calibrated',
    ],
    style: { head: [], border: [] },
  });
  result.before.stages.forEach((before, index) => {
    const after = result.after.stages[index] ?? before;
    if (before.overloaded) {
      stages.push([
        `${before.id} (overloaded: throughput, out tok/s)`,
        number(before.rate),
        number(before.outputTokensPerSec.measured),
        `${number(before.outputTokensPerSec.predicted)} (${signedPct(before.outputTokensPerSec.error)})`,
        `${number(after.outputTokensPerSec.predicted)} (${signedPct(after.outputTokensPerSec.error)})`,
        '',
        '',
        '',
      ]);
      return;
    }
    stages.push([
      before.id,
      number(before.rate),
      number(before.ttftMedianS.measured * 1000),
      `${number(before.ttftMedianS.predicted * 1000)} (${signedPct(before.ttftMedianS.error)})`,
      `${number(after.ttftMedianS.predicted * 1000)} (${signedPct(after.ttftMedianS.error)})`,
      number(before.e2eMedianS.measured),
      `${number(before.e2eMedianS.predicted)} (${signedPct(before.e2eMedianS.error)})`,
      `${number(after.e2eMedianS.predicted)} (${signedPct(after.e2eMedianS.error)})`,
    ]);
  });
  stages.push([
    'RMS log error (medians)',
    '',
    '',
    result.before.rmsLogError.toFixed(3),
    result.after.rmsLogError.toFixed(3),
    '',
    '',
    '',
  ]);
  const { fittedOn } = profile;
  return [
    stages.toString(),
    parametersTable(result),
    `Fitted on ${result.fittedStages} stage summaries (${fittedOn.requests} requests; ${fittedOn.model}, TP ${fittedOn.tp}, ${profile.gpu}) in ${result.evaluations} simulations, ${result.wallTimeS.toFixed(1)} s.`,
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
    .option(
      '--max-evaluations <n>',
      'run at most this many simulations while fitting (default 300; 200 for stage summaries)',
    )
    .option(
      '--experiment <id>',
      'which experiment of a stage-summary file holding several (its id, or a part of it naming one)',
    )
    .option('--debug', 'print stack traces')
    .addHelpText(
      'after',
      `
MEASURED is either
  - a CSV with the header arrival_time,input_tokens,output_tokens,first_token_time,last_token_time
    (seconds on one clock, e.g. Unix time; one line per request; other columns are ignored), or
  - the JSON of vLLM's serving benchmark (vllm bench serve --save-result --save-detailed, or
    benchmark_serving.py --save-result); it has no arrival times, so they are reconstructed from its
    request_rate (a burst when inf), and a note says so, or
  - stage summaries of a load-generator run (inference-perf's per-stage metrics): JSON with
    "stages" (or "experiments", one chosen with --experiment), each stage with its constant rate,
    duration, median TTFT and request latency, prompt and output lengths (see the calibration
    package's README). Each stage is replayed at its rate with its lengths and shared system
    prompts, and the fit matches the stages' median TTFT and E2E; it also fits
    admissionDelayIterations (stage medians pin it), and keeps parameters the data leaves free
    near the base profile. Overloaded stages (failures > 0) are compared on throughput, not fitted.

The measured requests are replayed through the simulator on the --config deployment, and
computeEfficiencyScale, memoryEfficiencyScale, cpuOverheadBaseUs, cpuOverheadPerSequenceUs (and
collectiveLatencyScale with TP > 1) are fitted to each request's TTFT and decode time per token and
the throughput. Measurements at several loads fit best: bursts of different sizes, or a
low and a high rate. Then set calibrationFile: PROFILE.json in a config (other models and batch
sizes on the same GPU; a run on another GPU says so in its confidence notes).

Examples:
  llm-sim calibrate measured.csv --config base.yaml --out profile.json
  llm-sim calibrate bench-result.json --model llama-3.1-8b --gpu H100 --out profile.json
  llm-sim calibrate stage-metrics.json --experiment 70b-tp4-general --model llama-2-70b --gpu H100 --tp 4 \\
    --engine-profile vllm-v0 --out profile.json
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
      const measurements = readMeasurements(
        readFileSync(measured, 'utf8'),
        measured,
        flags.experiment === undefined ? {} : { experiment: flags.experiment },
      );
      if (flags.experiment !== undefined && measurements.format !== 'stage-summaries')
        throw new InputError(
          `--experiment chooses an experiment of a stage-summary file; ${measured} is a ${measurements.format === 'csv' ? 'per-request CSV' : 'vLLM benchmark result'}. Remove --experiment.`,
        );
      const config = buildConfig(flags, { onNote: (note) => io.stderr(`${note}\n`) });
      resolveConfig(config); // a bad base config: exit 2 before fitting
      const stageSummaries = measurements.format === 'stage-summaries';
      const maxRequests =
        flags.maxRequests === undefined ? 2000 : positiveInteger(flags.maxRequests, '--max-requests');
      const maxEvaluations =
        flags.maxEvaluations === undefined
          ? stageSummaries
            ? 200
            : 300
          : positiveInteger(flags.maxEvaluations, '--max-evaluations');
      if (maxEvaluations < 10)
        throw new InputError(`--max-evaluations must be at least 10 for a fit, got ${maxEvaluations}.`);
      io.stderr(
        measurements.format === 'stage-summaries'
          ? `calibrating: ${measurements.stages.length} stage summaries of ${measurements.experiment}, at most ${maxEvaluations} simulations\n`
          : `calibrating: ${Math.min(maxRequests, measurements.requests.length)} of ${measurements.requests.length} measured requests, at most ${maxEvaluations} simulations\n`,
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
      let result: CalibrationResult | StageCalibrationResult;
      let text: string;
      const onProgress = (evaluations: number) => bar?.update(evaluations);
      try {
        if (measurements.format === 'stage-summaries') {
          const fitted = calibrateFromStages(measurements, config, { maxEvaluations, onProgress });
          [result, text] = [fitted, formatStageResult(fitted)];
        } else {
          const fitted = calibrateProfile(measurements, config, { maxRequests, maxEvaluations, onProgress });
          [result, text] = [fitted, formatResult(fitted)];
        }
      } finally {
        bar?.stop();
      }
      for (const note of result.notes) io.stderr(`note: ${note}\n`);
      writeFileSync(flags.out, `${JSON.stringify(result.profile, null, 2)}\n`);
      io.stdout(
        flags.json
          ? `${JSON.stringify({ ...result.profile, wallTimeS: result.wallTimeS }, null, 2)}\n`
          : `${text}\n`,
      );
      io.stderr(`wrote out: ${flags.out} (use it with calibrationFile: ${flags.out} in a config)\n`);
    });
}
