// A run's dependency graph as the DAG view draws it. Big runs are drawn one node per task group (dot-named ids
// grouped under their first segment, as the task table groups them): laying out and painting tens of thousands
// of nodes freezes any renderer, while a few hundred groups stay readable.
import { TASK_STATUSES, type TaskStatus } from './status';

/** A task (level 'task') or a group of tasks (level 'group'); `count` and `status_counts` say what it holds. */
export interface GraphNode {
  id: string;
  state: TaskStatus;
  /** The task's group (first segment of a dot-named id), or null. A group node's group is its own name. */
  group: string | null;
  count: number;
  status_counts: Partial<Record<TaskStatus, number>>;
  /** What the node stands for, where a graph mixes both (an expanded group's tasks among group nodes). */
  kind?: 'task' | 'group';
}

export interface RunGraph {
  run_id: string;
  level: 'task' | 'group';
  /** Tasks in the run (a group-level graph has fewer nodes). */
  task_count: number;
  nodes: GraphNode[];
  /** [from, to]: `to` depends on `from`. */
  edges: Array<[string, string]>;
  /** Group level from the store: how many task dependencies each edge stands for (same order as edges). */
  edge_counts?: number[];
  /** The group drawn as its tasks: which page of them (in id order) is shown, of how many. */
  expanded?: { group: string; offset: number; shown: number; total: number };
}

/** Above this many tasks the graph is drawn by group. */
export const GRAPH_TASK_LIMIT = 2000;
/** Name of the node that holds the ungrouped tasks when even the group-level graph would be too big. */
export const OTHER_TASKS = '(ungrouped tasks)';

/** The group of a task id, or null for an id without a dot: `a.b.c` belongs to `a`. */
export function groupOfTask(id: string): string | null {
  const dot = id.indexOf('.');
  return dot > 0 ? id.slice(0, dot) : null;
}

// What a group shows when its tasks differ: trouble first, then activity, then what is left to do.
const GROUP_STATE_PRIORITY: readonly TaskStatus[] = ['failed', 'dep_failed', 'running', 'settling', 'queued', 'submitted', 'pending', 'cancelled', 'completed'];

/** One state for many tasks: the first of failed, dependency failed, running … completed that any of them has. */
export function groupState(counts: Partial<Record<TaskStatus, number>>): TaskStatus {
  for (const s of GROUP_STATE_PRIORITY) if ((counts[s] ?? 0) > 0) return s;
  return 'pending';
}

export interface TaskEdgeInput {
  id: string;
  state: TaskStatus;
  deps: readonly string[];
}

/** The task-level graph: one node per task, one edge per dependency (deps on unknown ids are dropped). */
export function taskGraph(runId: string, tasks: readonly TaskEdgeInput[]): RunGraph {
  const known = new Set(tasks.map((t) => t.id));
  const edges: Array<[string, string]> = [];
  for (const t of tasks) for (const d of t.deps) if (known.has(d)) edges.push([d, t.id]);
  return {
    run_id: runId,
    level: 'task',
    task_count: tasks.length,
    nodes: tasks.map((t) => ({ id: t.id, state: t.state, group: groupOfTask(t.id), count: 1, status_counts: { [t.state]: 1 } })),
    edges,
  };
}

/**
 * The group-level graph: a node per group (ungrouped tasks keep their own node unless that would still exceed
 * `maxNodes`, then they share one OTHER_TASKS node), an edge wherever a task of one node depends on a task of
 * another (once per pair; dependencies inside a node are not drawn). Nodes keep the order of their first task.
 */
export function groupGraph(runId: string, tasks: readonly TaskEdgeInput[], maxNodes = GRAPH_TASK_LIMIT): RunGraph {
  const groups = new Set<string>();
  let ungrouped = 0;
  for (const t of tasks) {
    const g = groupOfTask(t.id);
    if (g === null) ungrouped++;
    else groups.add(g);
  }
  const pool = groups.size + ungrouped > maxNodes;
  // A group named like an ungrouped task id would merge with it; the group keeps the name, the task joins it.
  const keyOf = (id: string): string => groupOfTask(id) ?? (pool ? OTHER_TASKS : id);
  const nodes = new Map<string, GraphNode>();
  const keyOfTask = new Map<string, string>();
  for (const t of tasks) {
    const key = keyOf(t.id);
    keyOfTask.set(t.id, key);
    let n = nodes.get(key);
    if (!n) nodes.set(key, (n = { id: key, state: t.state, group: groupOfTask(t.id), count: 0, status_counts: {} }));
    n.count++;
    n.status_counts[t.state] = (n.status_counts[t.state] ?? 0) + 1;
  }
  for (const n of nodes.values()) {
    n.state = groupState(n.status_counts);
    // Same order of keys whatever order the tasks came in, so answers compare equal.
    n.status_counts = Object.fromEntries(TASK_STATUSES.filter((s) => n.status_counts[s]).map((s) => [s, n.status_counts[s]]));
  }
  const seen = new Set<string>();
  const edges: Array<[string, string]> = [];
  for (const t of tasks) {
    const to = keyOfTask.get(t.id) as string;
    for (const d of t.deps) {
      const from = keyOfTask.get(d);
      if (from === undefined || from === to) continue;
      const k = `${from}\u0000${to}`;
      if (seen.has(k)) continue;
      seen.add(k);
      edges.push([from, to]);
    }
  }
  return { run_id: runId, level: 'group', task_count: tasks.length, nodes: [...nodes.values()], edges };
}

/** Task level when the run is small enough to draw, group level otherwise (or when asked for). */
export function runGraph(runId: string, tasks: readonly TaskEdgeInput[], level: 'auto' | 'task' | 'group' = 'auto', maxTasks = GRAPH_TASK_LIMIT): RunGraph {
  const byGroup = level === 'group' || (level === 'auto' && tasks.length > maxTasks);
  return byGroup ? groupGraph(runId, tasks, maxTasks) : taskGraph(runId, tasks);
}

/** Consecutive tasks (in id order) of one group, or of no group (group null). */
export interface GroupSegment {
  group: string | null;
  count: number;
}

/**
 * Ids sorted by id → runs of one group. A group's ids share the prefix `group.`, so in id order they are
 * together; neighbouring ungrouped ids merge into one null segment.
 */
export function groupSegments(sortedIds: Iterable<string>): GroupSegment[] {
  const out: GroupSegment[] = [];
  let last: GroupSegment | undefined;
  for (const id of sortedIds) {
    const g = groupOfTask(id);
    if (last && last.group === g) last.count++;
    else out.push((last = { group: g, count: 1 }));
  }
  return out;
}
