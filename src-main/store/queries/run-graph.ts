// Every task's id, state and dependencies in run order — what the DAG view needs and nothing else, so a
// 100,000-task run is one index-ordered scan without building task views.
import { TASK_STATUSES, type TaskStatus } from '../../../src-shared/model/status';
import { OTHER_TASKS, groupOfTask, groupState, type GraphNode, type RunGraph, type TaskEdgeInput } from '../../../src-shared/model/run-graph';
import type { Db } from '../db';
import { containsPattern, inList, parseStatusList } from './filters';
import { prepared } from './statements';
import { taskSetToken } from './task-set-token';

export function runTaskEdges(db: Db, runId: string): TaskEdgeInput[] {
  const rows = db
    .prepare(`SELECT task_id, status, json_extract(def_json, '$.deps') AS deps FROM tasks WHERE run_id = ? ORDER BY seq`)
    .raw()
    .all(runId) as Array<[string, TaskStatus, string | null]>;
  return rows.map(([id, state, deps]) => ({ id, state, deps: deps && deps !== '[]' ? (JSON.parse(deps) as string[]) : [] }));
}

/** Task ids matching the table's filters (status list, text in id or name), in id order: the grouped table's rows. */
export function filteredTaskIds(db: Db, runId: string, query: { status?: string; q?: string }): string[] {
  const statuses = parseStatusList(query.status, TASK_STATUSES, 'task');
  const where = ['run_id = ?'];
  const params: unknown[] = [runId];
  if (statuses.length) {
    where.push(inList('status', statuses.length));
    params.push(...statuses);
  }
  if (query.q) {
    const like = containsPattern(query.q);
    where.push(`(task_id LIKE ? ESCAPE '\\' OR json_extract(def_json, '$.name') LIKE ? ESCAPE '\\')`);
    params.push(like, like);
  }
  return db.prepare(`SELECT task_id FROM tasks WHERE ${where.join(' AND ')} ORDER BY task_id`).pluck().all(...params) as string[];
}

// Group of an id in SQL, the same rule as groupOfTask: the text before the first dot, when there is one after
// the first character. Written exactly as in migration 15's index tasks_run_group, so the planner uses it.
const groupSql = (col: string): string => `CASE WHEN instr(${col}, '.') > 1 THEN substr(${col}, 1, instr(${col}, '.') - 1) END`;

/** A dependency end as run_graph_edges names it: the task's group, or the id of an ungrouped task. */
const nodeOfId = (id: string): string => groupOfTask(id) ?? id;

/**
 * Adds a batch of new tasks' dependencies to run_graph_edges (migration 15): counted per node pair here, then one
 * upsert per pair, instead of a trigger per task. Call in the transaction that inserts the tasks.
 */
export function countNewTaskEdges(db: Db, runId: string, tasks: ReadonlyArray<{ task_id: string; def_json: string }>): void {
  const pairs = new Map<string, number>();
  for (const t of tasks) {
    const deps = (JSON.parse(t.def_json) as { deps?: unknown }).deps;
    if (!Array.isArray(deps) || deps.length === 0) continue;
    const to = nodeOfId(t.task_id);
    for (const d of deps) if (typeof d === 'string') {
      const k = `${to}\u0000${nodeOfId(d)}`;
      pairs.set(k, (pairs.get(k) ?? 0) + 1);
    }
  }
  if (!pairs.size) return;
  const up = db.prepare(`INSERT INTO run_graph_edges (run_id, to_node, from_node, n) VALUES (?, ?, ?, ?) ON CONFLICT (run_id, to_node, from_node) DO UPDATE SET n = n + excluded.n`);
  for (const [k, n] of pairs) {
    const [to, from] = k.split('\u0000') as [string, string];
    up.run(runId, to, from, n);
  }
}

/** Tasks shown of an expanded group by default, and at most. */
export const EXPAND_PAGE = 200;
export const EXPAND_MAX = 2000;

export interface GroupGraphQuery {
  /** Above this many nodes the ungrouped tasks share one OTHER_TASKS node. */
  maxNodes: number;
  /** A group drawn as its tasks (a page of them, in id order) instead of one node. */
  expand?: string;
  offset?: number;
  limit?: number;
}

/**
 * The group-level graph from indexes: per-state counts per group (index tasks_run_group), and group → group
 * dependency counts (table run_graph_edges, kept by triggers), so a 100,000-task run answers with a few rows
 * instead of every task's dependencies. With `expand`, one group's page of tasks are nodes of their own, joined
 * to the other nodes by their own dependencies (read from those tasks and from the tasks of the nodes that
 * depend on the group).
 */
export function groupGraphFromStore(db: Db, runId: string, q: GroupGraphQuery): RunGraph {
  const grouped = db
    .prepare(`SELECT ${groupSql('task_id')} AS g, status, count(*), min(seq) FROM tasks WHERE run_id = ? AND ${groupSql('task_id')} IS NOT NULL GROUP BY 1, 2`)
    .raw()
    .all(runId) as Array<[string, TaskStatus, number, number]>;
  const solo = db
    .prepare(`SELECT task_id, status, 1, seq FROM tasks WHERE run_id = ? AND ${groupSql('task_id')} IS NULL`)
    .raw()
    .all(runId) as Array<[string, TaskStatus, number, number]>;
  const groups = new Set<string>();
  const solos = new Set<string>();
  for (const [g] of grouped) groups.add(g);
  for (const [id] of solo) solos.add(id);
  const pool = groups.size + solos.size > q.maxNodes;

  // Nodes in the order of their first task.
  const firstSeq = new Map<string, number>();
  const nodes = new Map<string, GraphNode>();
  let taskCount = 0;
  const add = (key: string, group: string | null, status: TaskStatus, n: number, seq: number): void => {
    taskCount += n;
    let node = nodes.get(key);
    if (!node) nodes.set(key, (node = { id: key, state: status, group, count: 0, status_counts: {}, kind: 'group' }));
    node.count += n;
    node.status_counts[status] = (node.status_counts[status] ?? 0) + n;
    firstSeq.set(key, Math.min(firstSeq.get(key) ?? seq, seq));
  };
  for (const [g, status, n, seq] of grouped) add(g, g, status, n, seq);
  for (const [id, status, n, seq] of solo) add(pool ? OTHER_TASKS : id, null, status, n, seq);
  const ordered = [...nodes.values()].sort((a, b) => (firstSeq.get(a.id) ?? 0) - (firstSeq.get(b.id) ?? 0));
  nodes.clear();
  for (const n of ordered) {
    n.state = groupState(n.status_counts);
    n.status_counts = Object.fromEntries(TASK_STATUSES.filter((s) => n.status_counts[s]).map((s) => [s, n.status_counts[s]]));
    nodes.set(n.id, n);
  }

  // Dependencies counted per (from node, to node), where a node is a group or an ungrouped task's id.
  const summary = db.prepare(`SELECT from_node, to_node, n FROM run_graph_edges WHERE run_id = ?`).raw().all(runId) as Array<[string, string, number]>;

  // The expanded group's page of tasks, and where each of its tasks stands (shown or not).
  const expand = q.expand !== undefined && groups.has(q.expand) ? q.expand : undefined;
  const shown = new Set<string>();
  let expanded: RunGraph['expanded'];
  let rows = summary;
  if (expand !== undefined) {
    const offset = q.offset ?? 0;
    const limit = Math.min(q.limit ?? EXPAND_PAGE, EXPAND_MAX);
    // Ids of one group sort together: the range `g.` ≤ id < `g/` ('/' follows '.') is an index range.
    const page = db
      .prepare(`SELECT task_id, status, json_extract(def_json, '$.deps') FROM tasks WHERE run_id = ? AND task_id >= ? AND task_id < ? ORDER BY task_id LIMIT ? OFFSET ?`)
      .raw()
      .all(runId, `${expand}.`, `${expand}/`, limit, offset) as Array<[string, TaskStatus, string | null]>;
    const total = nodes.get(expand)?.count ?? 0;
    nodes.delete(expand);
    for (const [id, status] of page) {
      shown.add(id);
      nodes.set(id, { id, state: status, group: expand, count: 1, status_counts: { [status]: 1 }, kind: 'task' });
    }
    expanded = { group: expand, offset, shown: page.length, total };
    // The group's own rows of the summary give way to its tasks' dependencies: into a shown task, from its own
    // dependency list; out of a shown task, from the tasks of the other nodes the group has dependants in.
    rows = summary.filter(([f, t]) => f !== expand && t !== expand);
    const endOf = (id: string): string => groupOfTask(id) ?? id;
    for (const [id, , deps] of page) for (const d of deps && deps !== '[]' ? (JSON.parse(deps) as string[]) : []) rows.push([endOf(d) === expand ? d : endOf(d), id, 1]);
    const dependants = summary.filter(([f, t]) => f === expand && t !== expand).map(([, t]) => t);
    if (shown.size && dependants.length) {
      const token = taskSetToken(db, runId);
      for (const node of dependants) {
        for (const [id, d] of dependencyPairs(db, runId, token, node, groups.has(node), expand)) if (shown.has(d)) rows.push([d, endOf(id), 1]);
      }
    }
  }

  // A raw end is a group name, an ungrouped task id, or a task id of the expanded group: map it to its node
  // (null when not drawn: an unknown id, or a task of the expanded group on another page).
  const nodeOfEnd = (x: string): string | null => {
    if (shown.has(x)) return x;
    if (expand !== undefined && groupOfTask(x) === expand) return null;
    if (groups.has(x) && x !== expand) return x;
    if (solos.has(x)) return pool ? OTHER_TASKS : x;
    return null;
  };
  const weights = new Map<string, number>();
  for (const [f, t, n] of rows) {
    const from = nodeOfEnd(f);
    const to = nodeOfEnd(t);
    if (from === null || to === null || from === to) continue;
    const k = `${from}\u0000${to}`;
    weights.set(k, (weights.get(k) ?? 0) + n);
  }
  const edges: Array<[string, string]> = [];
  const edgeCounts: number[] = [];
  for (const [k, n] of weights) {
    const [from, to] = k.split('\u0000') as [string, string];
    edges.push([from, to]);
    edgeCounts.push(n);
  }
  return { run_id: runId, level: 'group', task_count: taskCount, nodes: [...nodes.values()], edges, edge_counts: edgeCounts, ...(expanded ? { expanded } : {}) };
}

/**
 * Which tasks of `node` (a group, or an ungrouped task) depend on which tasks of group `on`: every dependency
 * list of the node's tasks is parsed (10,000 of them for a group of a 100,000-task run), so the answer is kept
 * under the run's task-set token — it changes only with the tasks' ids and definitions, not their states — and
 * paging through an expanded group, or a running run's graph polled again, reads it once.
 */
function dependencyPairs(db: Db, runId: string, token: string | null, node: string, isGroup: boolean, on: string): ReadonlyArray<readonly [string, string]> {
  const key = token === null ? null : `${token}\u0000${isGroup ? 'g' : 't'}\u0000${node}\u0000${on}`;
  let kept = keptPairs.get(db);
  if (!kept) keptPairs.set(db, (kept = new Map()));
  const hit = key === null ? undefined : kept.get(key);
  if (hit) return hit;
  // A group's ids are the key range `g.` ≤ id < `g/` ('/' follows '.'): a range of the primary key.
  const found = (
    isGroup
      ? prepared(db, `SELECT task_id, d.value FROM tasks, json_each(tasks.def_json, '$.deps') d WHERE run_id = ? AND task_id >= ? AND task_id < ? AND ${groupSql('d.value')} = ?`).raw().all(runId, `${node}.`, `${node}/`, on)
      : prepared(db, `SELECT task_id, d.value FROM tasks, json_each(tasks.def_json, '$.deps') d WHERE run_id = ? AND task_id = ? AND ${groupSql('d.value')} = ?`).raw().all(runId, node, on)
  ) as Array<[string, string]>;
  if (key !== null) {
    if (kept.size >= PAIRS_KEPT) kept.clear();
    kept.set(key, found);
  }
  return found;
}
const PAIRS_KEPT = 64;
const keptPairs = new WeakMap<Db, Map<string, ReadonlyArray<readonly [string, string]>>>();

export function runTaskCount(db: Db, runId: string): number {
  return db.prepare(`SELECT count(*) FROM tasks WHERE run_id = ?`).pluck().get(runId) as number;
}
