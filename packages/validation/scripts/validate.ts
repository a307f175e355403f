/**
 * `pnpm validate`: runs the simulator on every expressible row of the published measurements,
 * prints predicted vs measured per row and per data set, and writes docs/validation.md.
 * `--no-write` prints only.
 */
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readPublishedCases } from '../src/published-cases';
import { renderValidationMarkdown, runCases, summarize } from '../src/validation-report';

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
      : `  target ≤ ${summary.target}%: ${summary.heldOut.median <= summary.target ? 'met' : 'MISSED'}`;
  console.log(
    `${summary.dataset.padEnd(34)} ${String(summary.all.rows).padStart(4)} rows  median ${summary.all.median.toFixed(1).padStart(5)}%  p90 ${summary.all.p90.toFixed(1).padStart(5)}%  held-out (${summary.heldOut.rows}) median ${summary.heldOut.median.toFixed(1)}%${target}`,
  );
}
console.log(
  `\n${cases.length} rows compared, ${skipped.length} not expressible, ${((performance.now() - started) / 1000).toFixed(1)} s`,
);
if (!process.argv.includes('--no-write')) {
  const path = resolve(fileURLToPath(new URL('.', import.meta.url)), '../../../docs/validation.md');
  writeFileSync(path, renderValidationMarkdown(results, skipped));
  console.log(`wrote ${path}`);
}
