// Every task's id, state and dependencies in run order — what the DAG view needs and nothing else, so a
// 100,000-task run is one index-ordered scan without building task views.
import { TASK_STATUSES, type TaskStatus } from '../../../src-shared/model/status';
import { OTHER_TASKS, groupOfTask, groupState, type GraphNode, type RunGraph, type TaskEdgeInput } from '../../../src-shared/model/run-graph';
import type { Db } from '../db';
import { containsPattern, inList, parseStatusList } from './filters';

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
// the first character.
const groupSql = (col: string): string => `CASE WHEN instr(${col}, '.') > 1 THEN substr(${col}, 1, instr(${col}, '.') - 1) END`;

const EDGE_CACHE_SIZE = 16;
/** Counted dependencies by run, expanded group, task count and last seq (oldest first, for eviction). */
const edgeCaches = new WeakMap<Db, Map<string, Array<[string, string, number]>>>();

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
 * The group-level graph counted in SQL: per-state counts per group, and group → group dependency counts, so a
 * 100,000-task run answers with a few rows instead of every task's dependencies. With `expand`, one group's
 * page of tasks are nodes of their own, joined to the other groups by the dependencies they have.
 */
export function groupGraphFromStore(db: Db, runId: string, q: GroupGraphQuery): RunGraph {
  const counts = db
    .prepare(`SELECT ${groupSql('task_id')} AS g, CASE WHEN instr(task_id, '.') > 1 THEN NULL ELSE task_id END AS solo, status, count(*), max(seq) FROM tasks WHERE run_id = ? GROUP BY 1, 2, 3 ORDER BY min(seq)`)
    .raw()
    .all(runId) as Array<[string | null, string | null, TaskStatus, number, number]>;
  const groups = new Set<string>();
  const solos = new Set<string>();
  for (const [g, solo] of counts) if (g !== null) groups.add(g);
  else solos.add(solo as string);
  const pool = groups.size + solos.size > q.maxNodes;
  const nodeOf = (g: string | null, id: string): string => g ?? (pool ? OTHER_TASKS : id);

  const nodes = new Map<string, GraphNode>();
  let taskCount = 0;
  let lastSeq = -1;
  for (const [g, solo, status, n, seq] of counts) {
    taskCount += n;
    lastSeq = Math.max(lastSeq, seq);
    const key = nodeOf(g, solo as string);
    let node = nodes.get(key);
    if (!node) nodes.set(key, (node = { id: key, state: status, group: g, count: 0, status_counts: {}, kind: 'group' }));
    node.count += n;
    node.status_counts[status] = (node.status_counts[status] ?? 0) + n;
  }
  for (const n of nodes.values()) {
    n.state = groupState(n.status_counts);
    n.status_counts = Object.fromEntries(TASK_STATUSES.filter((s) => n.status_counts[s]).map((s) => [s, n.status_counts[s]]));
  }

  // The expanded group's page of tasks, and where each of its tasks stands (shown or not).
  const expand = q.expand !== undefined && groups.has(q.expand) ? q.expand : undefined;
  const shown = new Set<string>();
  let expanded: RunGraph['expanded'];
  if (expand !== undefined) {
    const offset = q.offset ?? 0;
    const limit = Math.min(q.limit ?? EXPAND_PAGE, EXPAND_MAX);
    // Ids of one group sort together: the range `g.` ≤ id < `g/` ('/' follows '.') is an index range.
    const rows = db
      .prepare(`SELECT task_id, status FROM tasks WHERE run_id = ? AND task_id >= ? AND task_id < ? ORDER BY task_id LIMIT ? OFFSET ?`)
      .raw()
      .all(runId, `${expand}.`, `${expand}/`, limit, offset) as Array<[string, TaskStatus]>;
    const total = nodes.get(expand)?.count ?? 0;
    nodes.delete(expand);
    for (const [id, status] of rows) {
      shown.add(id);
      nodes.set(id, { id, state: status, group: expand, count: 1, status_counts: { [status]: 1 }, kind: 'task' });
    }
    expanded = { group: expand, offset, shown: rows.length, total };
  }

  // Dependencies counted per (from node, to node); the expanded group's ends are its task ids.
  const end = (col: string): string =>
    expand === undefined ? `coalesce(${groupSql(col)}, ${col})` : `CASE WHEN ${groupSql(col)} = @expand THEN ${col} ELSE coalesce(${groupSql(col)}, ${col}) END`;
  // Dependencies never change once a task is stored and tasks are only added, so the dependency count of a run
  // is reused until its task count or last seq moves: a refresh of a big run then reads only the states.
  const cacheKey = `${runId}\u0000${expand ?? ''}\u0000${taskCount}\u0000${lastSeq}`;
  let edgeCache = edgeCaches.get(db);
  if (!edgeCache) edgeCaches.set(db, (edgeCache = new Map()));
  let rows = edgeCache.get(cacheKey);
  if (!rows) {
    rows = db
      .prepare(`SELECT ${end('d.value')} AS f, ${end('t.task_id')} AS t, count(*) FROM tasks t, json_each(t.def_json, '$.deps') d WHERE t.run_id = @run GROUP BY 1, 2`)
      .raw()
      .all({ run: runId, ...(expand === undefined ? {} : { expand }) }) as Array<[string, string, number]>;
    edgeCache.set(cacheKey, rows);
    if (edgeCache.size > EDGE_CACHE_SIZE) edgeCache.delete(edgeCache.keys().next().value as string);
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

export function runTaskCount(db: Db, runId: string): number {
  return db.prepare(`SELECT count(*) FROM tasks WHERE run_id = ?`).pluck().get(runId) as number;
}
