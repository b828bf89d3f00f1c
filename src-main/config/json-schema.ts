// JSON Schema of scripthut.yaml, generated from the zod schema (the one source of truth). Shipped as
// resources/scripthut.schema.json so editors (the YAML language server's `# yaml-language-server: $schema=`)
// can complete and check config files; scripts/build-main.mjs rewrites it and a unit test keeps it current.
import { z } from 'zod';
import { configSchemas } from '../../src-shared/config/schema';

export const CONFIG_SCHEMA_ID = 'https://scripthut.org/schema/scripthut.schema.json';

export function configJsonSchema(): Record<string, unknown> {
  // `input`: what a user may write (defaults make fields optional); transforms and preprocessors have no JSON
  // Schema form, so they are described by the type they accept.
  const schema = z.toJSONSchema(configSchemas.config, { io: 'input', unrepresentable: 'any', target: 'draft-2020-12' }) as Record<string, unknown>;
  return { ...schema, $id: CONFIG_SCHEMA_ID, title: 'ScriptHut configuration (scripthut.yaml)' };
}

export function configJsonSchemaText(): string {
  return JSON.stringify(configJsonSchema(), null, 2) + '\n';
}
