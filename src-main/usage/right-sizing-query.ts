// Completed tasks of a time window from the store, fed to the pure right-sizing summary, grouped per workflow.
import type { Db } from '../store/db';
import { rightSize, type RightSizeOptions, type RightSizing, type UsedVsRequested } from './right-sizing';

export function rightSizingReport(db: Db, q: { since: string; workflow?: string; now: string }, opts: RightSizeOptions = {}): Array<RightSizing & { workflow: string }> {
  const rows = db
    .prepare(
      `SELECT r.workflow_name AS workflow, COALESCE(json_extract(t.def_json, '$.name'), t.task_id) AS name,
         COALESCE(json_extract(t.def_json, '$.cpus'), 1) AS cpus, COALESCE(json_extract(t.def_json, '$.memory'), '4G') AS memory,
         COALESCE(json_extract(t.def_json, '$.time_limit'), '1:00:00') AS time_limit, t.max_rss, t.cpu_efficiency, t.started_at, t.finished_at, r.backend_name AS backend
       FROM runs r JOIN tasks t ON t.run_id = r.id
       WHERE t.status = 'completed' AND t.finished_at >= @since AND (@workflow IS NULL OR r.workflow_name = @workflow)
       ORDER BY t.finished_at`,
    )
    .all({ since: q.since, workflow: q.workflow ?? null }) as Array<UsedVsRequested & { workflow: string }>;
  const byWorkflow = new Map<string, UsedVsRequested[]>();
  for (const r of rows) byWorkflow.set(r.workflow, [...(byWorkflow.get(r.workflow) ?? []), r]);
  const days = Math.round((Date.parse(q.now) - Date.parse(q.since)) / 86_400_000);
  return [...byWorkflow].flatMap(([workflow, rs]) => rightSize(rs, q.now, `the last ${days} days`, opts).map((x) => ({ workflow, ...x })));
}
