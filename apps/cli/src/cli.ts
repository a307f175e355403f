import { readFileSync } from 'node:fs';
import {
  ConfigError,
  GPU_PRESETS,
  loadConfigFile,
  MODEL_PRESETS,
  resolveConfig,
  SimError,
} from '@sim/engine/node';
import { activeParamCount, errorMessage, isMla, weightFormats } from '@sim/specs';
import Table from 'cli-table3';
import { Command, CommanderError } from 'commander';
import { CommandFailure } from './command-failure';
import { addCalibrateCommand } from './commands/calibrate-command';
import { addCompareCommand } from './commands/compare-command';
import { addPlanCommand } from './commands/plan-command';
import { addRunCommand } from './commands/run-command';
import { addSweepCommand } from './commands/sweep-command';
import { InputError } from './input-error';
import type { Io } from './io';
import { isIndexable } from './json-value';

/** Exit codes: 0 success, 2 bad input, 1 anything else. */
export const EXIT_BAD_INPUT = 2;

/** The CLI package's version (its package.json, next to dist/ and src/). */
function packageVersion(): string {
  const manifest: unknown = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
  return isIndexable(manifest) && typeof manifest.version === 'string' ? manifest.version : 'unknown';
}

/** Builds the `llm-sim` program. Output goes through `io` so tests can capture it. */
export function createProgram(io: Io): Command {
  const program = new Command('llm-sim')
    .description('Simulate LLM inference serving: latency, throughput and utilization of a deployment.')
    .version(packageVersion())
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr })
    .exitOverride()
    .addHelpText(
      'after',
      `
Examples:
  llm-sim run --model llama-3.1-8b --gpu H100
  llm-sim sweep --vary rate=1,5,10,20
  llm-sim compare examples/configs/basic.yaml examples/configs/tp4.yaml
  llm-sim presets gpus

Relative paths are read from the current directory (under \`pnpm sim\`, the directory pnpm was
run from). Data goes to stdout; warnings and notes to stderr.`,
    );
  addRunCommand(program, io);
  addSweepCommand(program, io);
  addCompareCommand(program, io);
  addPlanCommand(program, io);
  addCalibrateCommand(program, io);

  program
    .command('validate <file>')
    .description('Check a config file and print every problem with its field path.')
    .addHelpText(
      'after',
      '\nExample (from the repository root):\n  llm-sim validate examples/configs/basic.yaml',
    )
    .action((file: string) => {
      const resolved = resolveConfig(loadConfigFile(file));
      io.stdout(`${file}: valid (${resolved.modelSpec.name} on ${resolved.clusterSpec.gpuSpec.name})\n`);
    });

  program
    .command('presets [kind]')
    .description('List GPU and model presets (kind: gpus | models).')
    .option('--json', 'print JSON')
    .action((kind: string | undefined, flags: { json?: boolean }) => {
      const data = { gpus: GPU_PRESETS, models: MODEL_PRESETS };
      const selected =
        kind === 'gpus' ? { gpus: data.gpus } : kind === 'models' ? { models: data.models } : data;
      if (flags.json) {
        io.stdout(`${JSON.stringify(selected, null, 2)}\n`);
        return;
      }
      if ('gpus' in selected) {
        const table = new Table({
          head: ['GPU', 'BF16 TFLOPS', 'FP8 TFLOPS', 'memory GB', 'bandwidth GB/s', 'link GB/s', '$/GPU-h'],
          style: { head: [], border: [] },
        });
        for (const gpu of Object.values(GPU_PRESETS))
          table.push([
            gpu.name,
            gpu.computeTflops,
            gpu.fp8Tflops || '-',
            gpu.memorySizeGb,
            gpu.memoryBandwidthGbs,
            gpu.interconnectBandwidthGbs,
            gpu.pricePerHour ? gpu.pricePerHour.toFixed(2) : '-',
          ]);
        io.stdout(`${table.toString()}\n`);
      }
      if ('models' in selected) {
        const table = new Table({
          head: [
            'model',
            'params',
            'active',
            'hidden',
            'layers',
            'heads',
            'kv heads',
            'ffn',
            'experts',
            'local attention',
            'weights',
            'vocab',
            'context',
          ],
          style: { head: [], border: [] },
        });
        for (const model of Object.values(MODEL_PRESETS))
          table.push([
            model.name,
            `${(model.nParams / 1e9).toFixed(1)}B`,
            `${(activeParamCount(model) / 1e9).toFixed(1)}B`,
            model.hiddenSize,
            model.nLayers,
            model.nHeads,
            isMla(model) ? `MLA ${model.kvLoraRank}` : model.nKvHeads,
            model.ffnDim,
            model.numExperts > 1
              ? `${model.expertsPerToken} of ${model.numExperts}${model.numSharedExperts > 0 ? ` + ${model.numSharedExperts} shared` : ''}`
              : '-',
            model.slidingWindow > 0
              ? `${model.slidingWindowLayers} × ${model.slidingWindow}${model.chunkedAttention ? ' chunks' : ''}`
              : '-',
            weightFormats(model).join(' / '),
            model.vocabSize,
            model.maxContextLength,
          ]);
        io.stdout(`${table.toString()}\n`);
      }
    })
    .addHelpText('after', '\nExamples:\n  llm-sim presets gpus\n  llm-sim presets models --json');
  return program;
}

/** Runs the CLI; returns the exit code. */
export async function main(argv: readonly string[], io: Io): Promise<number> {
  const program = createProgram(io);
  const debug = argv.includes('--debug');
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : EXIT_BAD_INPUT;
    if (error instanceof CommandFailure) {
      io.stderr(`error: ${error.message}\n`);
      return error.exitCode;
    }
    if (error instanceof InputError) {
      io.stderr(`error: ${error.message}\n`);
      return EXIT_BAD_INPUT;
    }
    if (error instanceof ConfigError) {
      io.stderr(`error: ${error.message}\n`);
      return EXIT_BAD_INPUT;
    }
    if (error instanceof SimError) {
      io.stderr(`error (${error.code}): ${error.message}\n`);
      if (debug) io.stderr(`${error.stack}\n`);
      return error.code === 'OUT_OF_MEMORY' ? EXIT_BAD_INPUT : 1;
    }
    io.stderr(`error: ${errorMessage(error)}\n`);
    if (debug) io.stderr(`${error instanceof Error ? error.stack : undefined}\n`);
    return 1;
  }
}
