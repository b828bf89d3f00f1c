import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { configJsonSchema, configJsonSchemaText } from '../../src-main/config/json-schema';

const SHIPPED = path.resolve(__dirname, '../../resources/scripthut.schema.json');

describe('resources/scripthut.schema.json', () => {
  it('is up to date with the zod config schema (regenerate with `node scripts/build-main.mjs`)', () => {
    expect(fs.readFileSync(SHIPPED, 'utf8')).toBe(configJsonSchemaText());
  });

  it('describes the config: backend types as a discriminated choice, settings with their defaults', () => {
    const schema = configJsonSchema() as {
      properties: Record<string, { items?: { oneOf?: { properties: { type: { const: string } } }[] }; properties?: Record<string, { default?: unknown }> }>;
    };
    const types = schema.properties.backends!.items!.oneOf!.map((b) => b.properties.type.const).sort();
    expect(types).toEqual(['batch', 'ec2', 'ecs', 'local', 'pbs', 'slurm']);
    expect(schema.properties.settings!.properties!.poll_interval!.default).toBe(60);
  });
});
