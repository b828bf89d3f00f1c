// Shapes of the config editor's calls (config.get / config.save). Kept apart from schemas.ts so the settings
// feature adds a file instead of editing a shared one.
import { z } from 'zod';
import { ConfigErrorSchema } from './schemas';

/** A config file is a few KB; the loader refuses anything over 1 MB (see src-main/config/load.ts). */
export const MAX_CONFIG_TEXT = 1024 * 1024;

export const ConfigDiagnosticSchema = z.object({
  severity: z.enum(['error', 'warning']),
  path: z.string(),
  message: z.string(),
  line: z.number().int().nullable(),
  col: z.number().int().nullable(),
  from: z.number().int(),
  to: z.number().int(),
});
export type ConfigDiagnosticView = z.infer<typeof ConfigDiagnosticSchema>;

export const ConfigDocumentSchema = z.object({
  /** The file whose settings are in effect; null when the built-in defaults are in use. */
  file: z.string().nullable(),
  /** Where Save writes: the file in effect, else the file that would be looked up first. */
  target: z.string(),
  exists: z.boolean(),
  /** The target's text ('' when it does not exist or cannot be read). */
  text: z.string(),
  /** Why the defaults are in use, when they are ("no config file found", or the file's problems). */
  defaults_reason: z.string().nullable(),
  // Named like health's field: a top-level `error` means a failed call to CLI --json readers.
  config_error: ConfigErrorSchema.nullable(),
  warnings: z.array(z.object({ path: z.string(), message: z.string(), line: z.number().int().nullable() })),
  /** False when this engine cannot edit its config (e.g. a test engine without a config file source). */
  editable: z.boolean(),
  /** True when no config file is in effect: the engine runs on the embedded default (one `local` backend). */
  embedded_default: z.boolean().default(false),
  /** The configuration in effect as YAML: the file's text, or the embedded default written out (commented). */
  effective_text: z.string().default(''),
});
export type ConfigDocument = z.infer<typeof ConfigDocumentSchema>;

export const ConfigSaveResultSchema = z.object({
  ok: z.boolean(),
  /** True when the file was written (false for a dry run or when the text has errors). */
  saved: z.boolean(),
  file: z.string(),
  errors: z.array(ConfigDiagnosticSchema),
  warnings: z.array(ConfigDiagnosticSchema),
  /** What happened to the backends; null when nothing was applied. */
  applied: z
    .object({ added: z.array(z.string()), removed: z.array(z.string()), changed: z.array(z.string()), unchanged: z.array(z.string()) })
    .nullable(),
  /** Sections whose changes take effect at the next engine start (e.g. settings, sources). */
  restart_needed: z.array(z.string()),
});
export type ConfigSaveResult = z.infer<typeof ConfigSaveResultSchema>;
