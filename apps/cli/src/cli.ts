import { readFileSync } from 'node:fs';
import {
  ConfigError,
  GPU_PRESETS,
  LLMInferenceSimulator,
  loadConfigFile,
  MODEL_PRESETS,
  resolveConfig,
  SimError,
  type SimulatorConfig,
} from '@sim/engine';
import { Command, CommanderError } from 'commander';
import { formatSummary } from './format-summary';
import { applyOverride } from './set-override';

/** Exit codes: 0 success, 2 bad input, 1 anything else. */
export const EXIT_BAD_INPUT = 2;

interface Io {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
}

interface RunFlags {
  config?: string;
  set: string[];
  model?: string;
  gpu?: string;
  tp?: string;
  json?: boolean;
  debug?: boolean;
}

function buildConfig(flags: RunFlags): SimulatorConfig {
  const config = (flags.config === undefined ? {} : loadConfigFile(flags.config)) as Record<string, unknown>;
  if (flags.model !== undefined) applyOverride(config, `modelSpec.name=${flags.model}`);
  if (flags.gpu !== undefined) applyOverride(config, `clusterSpec.gpuSpec.name=${flags.gpu}`);
  if (flags.tp !== undefined) {
    applyOverride(config, `parallelismSpec.tensorParallelSize=${flags.tp}`);
    applyOverride(config, `clusterSpec.nGpusPerNode=${flags.tp}`);
  }
  for (const assignment of flags.set) applyOverride(config, assignment);
  return config as SimulatorConfig;
}

const collect = (value: string, previous: string[]) => [...previous, value];

/** Builds the `llm-sim` program. Output goes through `io` so tests can capture it. */
export function createProgram(io: Io): Command {
  const program = new Command('llm-sim')
    .description('Simulate LLM inference serving: latency, throughput and utilization of a deployment.')
    .version(JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')).version as string)
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr })
    .exitOverride();

  program
    .command('run')
    .description(
      'Run one simulation (default: llama-7b on one A100-80GB, 512 in / 128 out, 2 req/s Poisson, 60 s).',
    )
    .option('-c, --config <file>', 'config file (YAML or JSON, camelCase or snake_case keys)')
    .option(
      '-s, --set <path=value>',
      'override a field, e.g. workloadSpec.arrivalRate=5 (repeatable)',
      collect,
      [],
    )
    .option('--model <name>', 'model preset (e.g. llama-3.1-8b)')
    .option('--gpu <name>', 'GPU preset (e.g. H100)')
    .option('--tp <n>', 'tensor-parallel degree (also sets GPUs per node)')
    .option('--json', 'print exactly the computeStatistics() object as JSON')
    .option('--debug', 'print stack traces')
    .addHelpText(
      'after',
      '\nExamples:\n  llm-sim run\n  llm-sim run --model llama-3.1-8b --gpu H100 --tp 2\n  llm-sim run --set workload_spec.arrival_rate=5 --json',
    )
    .action((flags: RunFlags) => {
      const config = buildConfig(flags);
      const simulator = new LLMInferenceSimulator(config);
      const metrics = simulator.run();
      const stats = metrics.computeStatistics();
      io.stdout(
        flags.json ? `${JSON.stringify(stats, null, 2)}\n` : `${formatSummary(metrics.config, stats)}\n`,
      );
    });

  program
    .command('validate <file>')
    .description('Check a config file and print every problem with its field path.')
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
        io.stdout('GPU          BF16 TFLOPS  FP8 TFLOPS  memory GB  bandwidth GB/s  link GB/s  $/GPU-h\n');
        for (const gpu of Object.values(GPU_PRESETS)) {
          io.stdout(
            `${gpu.name.padEnd(12)} ${String(gpu.computeTflops).padStart(11)} ${String(gpu.fp8Tflops || '-').padStart(11)} ${String(gpu.memorySizeGb).padStart(10)} ${String(gpu.memoryBandwidthGbs).padStart(15)} ${String(gpu.interconnectBandwidthGbs).padStart(10)} ${gpu.pricePerHour ? gpu.pricePerHour.toFixed(2).padStart(8) : '       -'}\n`,
          );
        }
      }
      if ('models' in selected) {
        io.stdout('model            params  hidden  layers  heads  kv heads  ffn     vocab   context\n');
        for (const model of Object.values(MODEL_PRESETS)) {
          io.stdout(
            `${model.name.padEnd(16)} ${`${(model.nParams / 1e9).toFixed(1)}B`.padStart(6)} ${String(model.hiddenSize).padStart(7)} ${String(model.nLayers).padStart(7)} ${String(model.nHeads).padStart(6)} ${String(model.nKvHeads).padStart(9)} ${String(model.ffnDim).padStart(6)} ${String(model.vocabSize).padStart(7)} ${String(model.maxContextLength).padStart(9)}\n`,
          );
        }
      }
    });
  return program;
}

/** Runs the CLI; returns the exit code. */
export async function main(argv: readonly string[], io: Io): Promise<number> {
  const program = createProgram(io);
  const debug = argv.includes('--debug');
  try {
    await program.parseAsync(argv as string[], { from: 'user' });
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : EXIT_BAD_INPUT;
    if (error instanceof ConfigError) {
      io.stderr(`error: ${error.message}\n`);
      return EXIT_BAD_INPUT;
    }
    if (error instanceof SimError) {
      io.stderr(`error (${error.code}): ${error.message}\n`);
      if (debug) io.stderr(`${error.stack}\n`);
      return error.code === 'OUT_OF_MEMORY' ? EXIT_BAD_INPUT : 1;
    }
    io.stderr(`error: ${(error as Error).message}\n`);
    if (debug) io.stderr(`${(error as Error).stack}\n`);
    return 1;
  }
}
