/** `pnpm example <name>`: runs one quick-start example (`pnpm example` lists them). */
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const EXAMPLES = readdirSync(fileURLToPath(new URL('.', import.meta.url)))
  .filter(
    (file) =>
      file.endsWith('.ts') && !/^(run-example|quickstart-config|vitest\.config)\.ts$|\.test\.ts$/.test(file),
  )
  .map((file) => file.slice(0, -3))
  .sort();

const name = process.argv[2];
if (import.meta.url === `file://${process.argv[1]}`) {
  if (name === undefined || !EXAMPLES.includes(name)) {
    console.error(`usage: pnpm example <name>, one of: ${EXAMPLES.join(', ')}`);
    process.exitCode = name === undefined ? 0 : 2;
  } else {
    await import(`./${name}.ts`);
  }
}
