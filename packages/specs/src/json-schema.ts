import { z } from 'zod';
import { simulatorConfigSchema } from './config-schema';

/** JSON Schema (draft 2020-12) of a config file, generated from the zod schemas, for editor autocompletion. */
export function configJsonSchema(): Record<string, unknown> {
  return {
    ...z.toJSONSchema(simulatorConfigSchema, { io: 'input', target: 'draft-2020-12' }),
    title: 'llm-sim SimulatorConfig',
  };
}
