// Shapes of the task-outputs calls (kept apart from schemas.ts so the outputs feature stays one additive block).
import { z } from 'zod';

export const OUTPUT_KINDS = ['markdown', 'image', 'csv', 'tsv', 'text', 'other'] as const;

/** One file of a task's output folder (the documented `run outputs --json` item: task_id, path, size, kind). */
export const TaskOutputSchema = z.object({
  task_id: z.string(),
  path: z.string(),
  size: z.number().int(),
  kind: z.enum(OUTPUT_KINDS),
  /** Kept in the app's data folder (markdown, images): viewable offline and after the cluster purges scratch. */
  stored: z.boolean(),
  /** Why the file cannot be fetched (larger than the limit), else null. */
  skipped: z.string().nullable(),
});
export type TaskOutput = z.infer<typeof TaskOutputSchema>;

export const OutputCollectionSchema = z.object({
  task_id: z.string(),
  attempt: z.number().int(),
  collected_at: z.string(),
  has_run_summary: z.boolean(),
  /** What was left out (too many files, too large) — said, never silent. */
  notes: z.array(z.string()),
  /** Why nothing was collected (unsupported backend, unreachable cluster), else null. */
  error: z.string().nullable(),
});

export const OutputListSchema = z.object({
  run_id: z.string(),
  outputs: z.array(TaskOutputSchema),
  /** One entry per task whose outputs were collected (tasks still running have none yet). */
  collections: z.array(OutputCollectionSchema),
});
export type OutputList = z.infer<typeof OutputListSchema>;

export const OutputFileSchema = z.object({
  run_id: z.string(),
  task_id: z.string(),
  path: z.string(),
  size: z.number().int(),
  mime: z.string(),
  content_base64: z.string(),
});
export type OutputFile = z.infer<typeof OutputFileSchema>;

export const RunOutputSummarySchema = z.object({
  run_id: z.string(),
  /** The fragments concatenated in task order, each under a `## <task name>` heading; null when no task wrote one. */
  markdown: z.string().nullable(),
  sections: z.array(z.object({ task_id: z.string(), name: z.string(), markdown: z.string() })),
});
export type RunOutputSummary = z.infer<typeof RunOutputSummarySchema>;
