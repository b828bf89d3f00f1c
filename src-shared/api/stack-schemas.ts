// Shapes of the stacks calls (kept apart from schemas.ts so the stacks feature stays one additive block).
import { z } from 'zod';

export const StackStateSchema = z.enum(['missing', 'installing', 'ready']);

/** The documented `stack check --json` shape (as the original's StackStatus). */
export const StackStatusSchema = z.object({
  name: z.string(),
  backend: z.string(),
  state: StackStateSchema,
  hash: z.string(),
  path: z.string(),
  last_built: z.string().nullable(),
  size_bytes: z.number().nullable(),
  error: z.string().nullable(),
});
export type StackStatus = z.infer<typeof StackStatusSchema>;

/** One stack on one backend as last seen: the last check plus the latest install run. */
export const StackBackendViewSchema = StackStatusSchema.extend({
  /** When the state was last checked on the backend; null = never checked (state unknown, shown as missing). */
  checked_at: z.string().nullable(),
  /** The hash was checked for an older definition (prep/inputs changed since): the stored state is stale. */
  stale: z.boolean(),
  install_run_id: z.string().nullable(),
  install_run_status: z.string().nullable(),
});

export const StackInfoSchema = z.object({
  name: z.string(),
  /** null for the app's own stacks; the source whose repository scripthut.yaml defines it otherwise. */
  source: z.string().nullable(),
  hash: z.string(),
  cache_dir: z.string(),
  prep: z.string(),
  init: z.string(),
  inputs: z.record(z.string(), z.string()),
  input_files: z.array(z.string()),
  cpus: z.number(),
  memory: z.string(),
  time_limit: z.string(),
  partition: z.string().nullable(),
  /** Backends it may be built on (the configured list, else every backend that can run shell commands). */
  backends: z.array(z.string()),
  states: z.array(StackBackendViewSchema),
});
export type StackInfo = z.infer<typeof StackInfoSchema>;
