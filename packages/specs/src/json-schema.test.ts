import { readFileSync } from 'node:fs';
import { configJsonSchema } from '@sim/specs';
import { describe, expect, it } from 'vitest';

describe('shipped JSON Schema', () => {
  it('is up to date with the zod schemas (run `pnpm --filter @sim/specs schema` to regenerate)', () => {
    const shipped = JSON.parse(
      readFileSync(new URL('../simulator-config.schema.json', import.meta.url), 'utf8'),
    );
    expect(shipped).toEqual(configJsonSchema());
  });

  it('describes the sections and rejects unknown keys', () => {
    const schema = configJsonSchema() as {
      properties: Record<string, { properties?: Record<string, unknown>; additionalProperties?: boolean }>;
    };
    expect(Object.keys(schema.properties)).toEqual(
      expect.arrayContaining(['modelSpec', 'workloadSpec', 'clusterSpec', 'schedulerSpec']),
    );
    expect(schema.properties.workloadSpec?.properties).toHaveProperty('arrivalRate');
    expect(schema.properties.workloadSpec?.additionalProperties).toBe(false);
  });
});
