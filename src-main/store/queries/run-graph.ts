// Every task's id, state and dependencies in run order — what the DAG view needs and nothing else, so a
// 100,000-task run is one index-ordered scan without building task views.
import { TASK_STATUSES, type TaskStatus } from '../../../src-shared/model/status';
import type { TaskEdgeInput } from '../../../src-shared/model/run-graph';
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
