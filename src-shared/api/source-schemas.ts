// Shapes of the sources calls (kept apart from schemas.ts so the sources feature stays one additive block).
import { z } from 'zod';

export const SourceWorkflowSchema = z.object({
  file: z.string(),
  name: z.string(),
  title: z.string().nullable(),
  task_count: z.number().int(),
});

export const SourceInfoSchema = z.object({
  name: z.string(),
  type: z.enum(['git', 'path']),
  description: z.string(),
  url: z.string().nullable(),
  branch: z.string().nullable(),
  path: z.string().nullable(),
  backend: z.string().nullable(),
  workflows_glob: z.string(),
  /** Workflow file paths relative to the source root (the documented `source list --json` shape). */
  workflows: z.array(z.string()),
  workflow_items: z.array(SourceWorkflowSchema),
  last_commit: z.string().nullable(),
  last_commit_date: z.string().nullable(),
  synced_at: z.string().nullable(),
  error: z.string().nullable(),
  warnings: z.array(z.string()),
});
export type SourceInfo = z.infer<typeof SourceInfoSchema>;

export const EnvVarPreviewSchema = z.object({
  name: z.string(),
  value: z.string(),
  /** Which layers contributed, in order (e.g. "backend hpc", "workflow", "repo scripthut.yaml"). */
  ops: z.array(z.object({ source: z.string(), op: z.enum(['seed', 'set', 'append']), contribution: z.string() })),
});

export const DryRunTaskSchema = z.object({
  id: z.string(),
  name: z.string(),
  deps: z.array(z.string()),
  working_dir: z.string(),
  script: z.string(),
  env: z.array(EnvVarPreviewSchema),
});

export const DryRunSchema = z.object({
  workflow_name: z.string(),
  backend: z.string(),
  source: z.object({ name: z.string(), repo: z.string().nullable(), branch: z.string().nullable(), commit: z.string().nullable(), file: z.string().nullable() }).nullable(),
  tasks: z.array(DryRunTaskSchema),
  /** Dependency levels: level 0 has no deps, level n depends only on earlier levels. */
  levels: z.array(z.array(z.string())),
  warnings: z.array(z.string()),
});
export type DryRun = z.infer<typeof DryRunSchema>;
