/**
 * `pnpm validate`: runs the simulator on every expressible row of the published measurements,
 * prints predicted vs measured per row and per data set, and writes docs/validation.md.
 * `--no-write` prints only.
 */
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { calibrationTransfer, renderCalibrationTransferMarkdown } from '../src/calibration-transfer';
import { compareH200Gemms, readH200Gemms, renderH200GemmMarkdown } from '../src/h200-gemms';
import { readPublishedCases } from '../src/published-cases';
import { renderValidationMarkdown, runCases, summarize } from '../src/validation-report';
import { renderVllmV1Markdown, runVllmV1, summarizeVllmV1, VLLM_V1_METRICS } from '../src/vllm-v1-report';
import { readVllmV1Stages } from '../src/vllm-v1-runs';

const started = performance.now();
const { cases, skipped } = readPublishedCases();
const results = runCases(cases);
for (const result of results) {
  const { validationCase } = result;
  const signed = (result.predicted / validationCase.measured - 1) * 100;
  console.log(
    `${validationCase.dataset.padEnd(34)} ${validationCase.label.padEnd(72)} ${validationCase.measured.toPrecision(4).padStart(9)} ${result.predicted.toPrecision(4).padStart(9)} ${`${signed >= 0 ? '+' : ''}${signed.toFixed(1)}%`.padStart(8)}${validationCase.heldOut ? '  held out' : ''}`,
  );
}
console.log('');
for (const summary of summarize(results)) {
  const target =
    summary.target === undefined
      ? ''
      : summary.heldOut.rows === 0
        ? `  target ≤ ${summary.target}%: no held-out rows`
        : `  target ≤ ${summary.target}%: ${summary.heldOut.median <= summary.target ? 'met' : 'MISSED'}`;
  console.log(
    `${summary.dataset.padEnd(34)} ${String(summary.all.rows).padStart(4)} rows  median ${summary.all.median.toFixed(1).padStart(5)}%  p90 ${summary.all.p90.toFixed(1).padStart(5)}%  held-out (${summary.heldOut.rows}) median ${summary.heldOut.median.toFixed(1)}%${target}`,
  );
}
const v1 = runVllmV1(readVllmV1Stages());
console.log('');
for (const { stage, errors } of v1)
  console.log(
    `vLLM V1 ${stage.id.padEnd(52)} ${stage.split.padEnd(8)} ${Object.entries(errors)
      .map(([metric, error]) => `${metric} ${error >= 0 ? '+' : ''}${error.toFixed(1)}%`)
      .join('  ')}`,
  );
for (const summary of summarizeVllmV1(v1)) {
  if (summary.rows === 0) continue;
  console.log(
    `vLLM V1 ${summary.split.padEnd(8)} ${VLLM_V1_METRICS[summary.metric].label.padEnd(36)} ${String(summary.rows).padStart(3)} stages  median ${summary.median.toFixed(1).padStart(5)}%  p90 ${summary.p90.toFixed(1).padStart(5)}%  bias ${summary.bias.toFixed(1)}%${summary.split === 'held-out' ? `  target ≤ ${summary.target}%: ${summary.median <= summary.target ? 'met' : 'MISSED'}` : ''}`,
  );
}
// Calibrating the vllm-v0 profile on each training run that was not overloaded, checked on the others.
const calibrationRuns = [
  ...new Set(
    readVllmV1Stages('train')
      .filter((stage) => stage.failures === 0)
      .map((stage) => stage.id.slice(0, stage.id.indexOf('#'))),
  ),
];
const transfers = calibrationRuns.map((experiment) => calibrationTransfer(experiment));
const transferSection = renderCalibrationTransferMarkdown(transfers);
console.log(`\n${transferSection.join('\n')}`);
const gemms = readH200Gemms();
const gemmSection = renderH200GemmMarkdown(compareH200Gemms(gemms), compareH200Gemms(gemms, 'vllm'));
console.log(`\n${gemmSection.join('\n')}`);
console.log(
  `\n${cases.length} rows compared, ${skipped.length} not expressible, ${((performance.now() - started) / 1000).toFixed(1)} s`,
);
if (!process.argv.includes('--no-write')) {
  const path = resolve(fileURLToPath(new URL('.', import.meta.url)), '../../../docs/validation.md');
  writeFileSync(
    path,
    renderValidationMarkdown(results, skipped, [
      ...renderVllmV1Markdown(v1),
      ...transferSection,
      ...gemmSection,
    ]),
  );
  console.log(`wrote ${path}`);
}
