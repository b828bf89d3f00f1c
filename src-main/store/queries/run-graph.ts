// Every task's id, state and dependencies in run order — what the DAG view needs and nothing else, so a
// 100,000-task run is one index-ordered scan without building task views.
import type { TaskStatus } from '../../../src-shared/model/status';
import type { TaskEdgeInput } from '../../../src-shared/model/run-graph';
import type { Db } from '../db';

export function runTaskEdges(db: Db, runId: string): TaskEdgeInput[] {
  const rows = db
    .prepare(`SELECT task_id, status, json_extract(def_json, '$.deps') AS deps FROM tasks WHERE run_id = ? ORDER BY seq`)
    .raw()
    .all(runId) as Array<[string, TaskStatus, string | null]>;
  return rows.map(([id, state, deps]) => ({ id, state, deps: deps && deps !== '[]' ? (JSON.parse(deps) as string[]) : [] }));
}
