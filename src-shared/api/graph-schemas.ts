// Shape of runs.graph (kept apart from schemas.ts so the DAG view stays one additive block).
import { z } from 'zod';
import { TaskStatusSchema } from './schemas';

export const GraphNodeSchema = z.object({
  id: z.string(),
  state: TaskStatusSchema,
  group: z.string().nullable(),
  /** Tasks this node stands for (1 for a task-level node). */
  count: z.number().int(),
  status_counts: z.record(z.string(), z.number().int()),
  kind: z.enum(['task', 'group']).optional(),
});

export const RunGraphSchema = z.object({
  run_id: z.string(),
  level: z.enum(['task', 'group']),
  task_count: z.number().int(),
  nodes: z.array(GraphNodeSchema),
  /** [from, to]: `to` depends on `from`. */
  edges: z.array(z.tuple([z.string(), z.string()])),
  edge_counts: z.array(z.number().int()).optional(),
  expanded: z.object({ group: z.string(), offset: z.number().int(), shown: z.number().int(), total: z.number().int() }).optional(),
});

export const GroupSegmentsSchema = z.object({
  run_id: z.string(),
  /** Tasks matching the filters. */
  matched: z.number().int(),
  /** In task-id order (the grouped table's order): runs of one group, or of ungrouped tasks (group null). */
  segments: z.array(z.object({ group: z.string().nullable(), count: z.number().int() })),
});

/** The Timeline of a big run: one bar per task group (ungrouped tasks share one, group null). */
export const TimelineGroupSchema = z.object({
  group: z.string().nullable(),
  count: z.number().int(),
  status_counts: z.record(z.string(), z.number().int()),
  /** First submission and first start among the group's tasks; last finish (null while any is unfinished). */
  submitted_at: z.string().nullable(),
  started_at: z.string().nullable(),
  finished_at: z.string().nullable(),
  /** Tasks submitted and not finished (the group's run bar reaches now while there are any). */
  active: z.number().int(),
  /** Mean wait (submitted → started) and run (started → finished) of the tasks that have them, in ms. */
  mean_wait_ms: z.number().nullable(),
  mean_run_ms: z.number().nullable(),
});

export const TimelineTaskSchema = z.object({
  id: z.string(),
  status: TaskStatusSchema,
  submitted_at: z.string().nullable(),
  started_at: z.string().nullable(),
  finished_at: z.string().nullable(),
});

export const RunTimelineSchema = z.object({
  run_id: z.string(),
  task_count: z.number().int(),
  /** Without `group` in the ask: every group in id order. */
  groups: z.array(TimelineGroupSchema).optional(),
  /** With `group`: a page of that group's tasks in id order. */
  page: z.object({ group: z.string().nullable(), offset: z.number().int(), total: z.number().int(), tasks: z.array(TimelineTaskSchema) }).optional(),
});
export type TimelineGroup = z.infer<typeof TimelineGroupSchema>;
export type TimelineTask = z.infer<typeof TimelineTaskSchema>;
