/** Writes simulator-config.schema.json (shipped with the package) from the zod schemas. */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { configJsonSchema } from '../src/json-schema';

const target = fileURLToPath(new URL('../simulator-config.schema.json', import.meta.url));
writeFileSync(target, `${JSON.stringify(configJsonSchema(), null, 2)}\n`);
console.log(`wrote ${target}`);
