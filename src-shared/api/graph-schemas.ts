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
