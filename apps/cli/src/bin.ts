#!/usr/bin/env node
import { main } from './cli';
import { launchDirectory } from './launch-directory';

// `pnpm sim ...` runs from the workspace root: read relative paths from where the user stands.
process.chdir(launchDirectory(process.env, process.cwd()));

// `llm-sim presets models | head`: a closed pipe ends the output quietly, as Unix tools do.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(0);
  throw error;
});

const code = await main(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  stderrIsTty: process.stderr.isTTY === true,
  env: process.env,
});
process.exitCode = code;
