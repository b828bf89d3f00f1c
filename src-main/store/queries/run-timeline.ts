// The Timeline of a big run by task group: per group the first submission, first start, last finish and mean
// wait/run, from one grouped pass over the run's tasks (grouped through migration 15's index tasks_run_group), and
// a group's tasks a page at a time (an id range of the primary key). A chart of 100,000 bars says nothing a person
// can read; one bar per group does, and a group opens into its tasks.
import { TASK_STATUSES, type TaskStatus } from '../../../src-shared/model/status';
import type { Db } from '../db';

// The same expression as migration 15's index (and run-graph.ts), so the planner groups through the index.
const G = `CASE WHEN instr(task_id, '.') > 1 THEN substr(task_id, 1, instr(task_id, '.') - 1) END`;
const MS = (from: string, to: string): string => `(julianday(${to}) - julianday(${from})) * 86400000.0`;

export interface TimelineGroup {
  group: string | null;
  count: number;
  status_counts: Partial<Record<TaskStatus, number>>;
  submitted_at: string | null;
  started_at: string | null;
  finished_at: string | null;
  active: number;
  mean_wait_ms: number | null;
  mean_run_ms: number | null;
}

export interface TimelineTask {
  id: string;
  status: TaskStatus;
  submitted_at: string | null;
  started_at: string | null;
  finished_at: string | null;
}

export const TIMELINE_PAGE = 500;
export const TIMELINE_PAGE_MAX = 2000;

type GroupRow = [string | null, TaskStatus, number, string | null, string | null, string | null, number, number | null, number, number | null, number];

/** Groups in id order (ungrouped tasks, group null, first), each with its spans, counts and mean wait/run. */
export function timelineGroups(db: Db, runId: string): TimelineGroup[] {
  // A task that was seen started before its submission was recorded did not wait (as the Gantt draws it).
  const rows = db
    .prepare(
      `SELECT ${G} AS g, status, count(*), min(submitted_at), min(started_at), max(finished_at),
        sum(submitted_at IS NOT NULL AND finished_at IS NULL),
        sum(CASE WHEN submitted_at IS NOT NULL AND started_at IS NOT NULL THEN max(0, ${MS('submitted_at', 'started_at')}) END),
        count(CASE WHEN submitted_at IS NOT NULL AND started_at IS NOT NULL THEN 1 END),
        sum(CASE WHEN started_at IS NOT NULL AND finished_at IS NOT NULL THEN max(0, ${MS('started_at', 'finished_at')}) END),
        count(CASE WHEN started_at IS NOT NULL AND finished_at IS NOT NULL THEN 1 END)
       FROM tasks WHERE run_id = ? GROUP BY 1, 2`,
    )
    .raw()
    .all(runId) as GroupRow[];
  const byGroup = new Map<string | null, TimelineGroup & { waitSum: number; waitN: number; runSum: number; runN: number }>();
  const min = (a: string | null, b: string | null): string | null => (a === null ? b : b === null ? a : a < b ? a : b);
  const max = (a: string | null, b: string | null): string | null => (a === null ? b : b === null ? a : a > b ? a : b);
  for (const [g, status, n, sub, sta, fin, active, waitSum, waitN, runSum, runN] of rows) {
    let x = byGroup.get(g);
    if (!x) {
      x = { group: g, count: 0, status_counts: {}, submitted_at: null, started_at: null, finished_at: null, active: 0, mean_wait_ms: null, mean_run_ms: null, waitSum: 0, waitN: 0, runSum: 0, runN: 0 };
      byGroup.set(g, x);
    }
    x.count += n;
    x.status_counts[status] = n;
    x.submitted_at = min(x.submitted_at, sub);
    x.started_at = min(x.started_at, sta);
    x.finished_at = max(x.finished_at, fin);
    x.active += active;
    x.waitSum += waitSum ?? 0;
    x.waitN += waitN;
    x.runSum += runSum ?? 0;
    x.runN += runN;
  }
  const out: TimelineGroup[] = [];
  for (const { waitSum, waitN, runSum, runN, ...g } of byGroup.values()) {
    out.push({
      ...g,
      status_counts: Object.fromEntries(TASK_STATUSES.filter((s) => g.status_counts[s]).map((s) => [s, g.status_counts[s]])),
      finished_at: g.active > 0 ? null : g.finished_at,
      mean_wait_ms: waitN ? Math.round(waitSum / waitN) : null,
      mean_run_ms: runN ? Math.round(runSum / runN) : null,
    });
  }
  return out.sort((a, b) => (a.group === b.group ? 0 : a.group === null ? -1 : b.group === null ? 1 : a.group < b.group ? -1 : 1));
}

/** A page of one group's task times in id order; group null is the ungrouped tasks. */
export function timelineGroupPage(db: Db, runId: string, group: string | null, offset = 0, limit = TIMELINE_PAGE): { total: number; tasks: TimelineTask[] } {
  const n = Math.min(limit, TIMELINE_PAGE_MAX);
  const cols = `task_id AS id, status, submitted_at, started_at, finished_at`;
  if (group === null) {
    const total = db.prepare(`SELECT count(*) FROM tasks WHERE run_id = ? AND ${G} IS NULL`).pluck().get(runId) as number;
    const tasks = db.prepare(`SELECT ${cols} FROM tasks WHERE run_id = ? AND ${G} IS NULL ORDER BY task_id LIMIT ? OFFSET ?`).all(runId, n, offset) as TimelineTask[];
    return { total, tasks };
  }
  // Ids of one group sort together: `g.` ≤ id < `g/` ('/' follows '.') is a range of the primary key.
  const range = [runId, `${group}.`, `${group}/`] as const;
  const total = db.prepare(`SELECT count(*) FROM tasks WHERE run_id = ? AND task_id >= ? AND task_id < ?`).pluck().get(...range) as number;
  const tasks = db.prepare(`SELECT ${cols} FROM tasks WHERE run_id = ? AND task_id >= ? AND task_id < ? ORDER BY task_id LIMIT ? OFFSET ?`).all(...range, n, offset) as TimelineTask[];
  return { total, tasks };
}
