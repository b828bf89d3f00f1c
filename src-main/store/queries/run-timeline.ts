// The Timeline of a big run by task group: per group the first submission, first start, last finish and mean
// wait/run, from one grouped pass over the run's tasks (grouped through migration 15's index tasks_run_group), and
// a group's tasks a page at a time (an id range of the primary key). A chart of 100,000 bars says nothing a person
// can read; one bar per group does, and a group opens into its tasks.
import { TASK_STATUSES, type TaskStatus } from '../../../src-shared/model/status';
import type { Db } from '../db';
import { prepared } from './statements';
import { stampOf } from './status-counts';
import { taskSetToken } from './task-set-token';

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

/**
 * Groups in id order (ungrouped tasks, group null, first), each with its spans, counts and mean wait/run. The pass
 * over a 100,000-task run's rows costs ~0.2-0.3 s on the engine's connection, so its result is kept while nothing
 * it depends on can have changed (see timelineKey); each call gets its own copy.
 */
export function timelineGroups(db: Db, runId: string): TimelineGroup[] {
  const key = timelineKey(db, runId);
  let byRun = kept.get(db);
  const hit = key === null ? undefined : byRun?.get(runId);
  if (hit && hit.key === key) return copyOf(hit.groups);
  const groups = computeTimelineGroups(db, runId);
  if (key !== null && groups.length <= KEPT_GROUPS_MAX) {
    if (!byRun) kept.set(db, (byRun = new Map()));
    byRun.delete(runId);
    if (byRun.size >= KEPT_RUNS) byRun.delete(byRun.keys().next().value as string);
    byRun.set(runId, { key, groups: copyOf(groups) });
  }
  return groups;
}

const KEPT_RUNS = 32;
// A run whose ids have no shared prefixes has a group per task: such a list is not worth holding in memory.
const KEPT_GROUPS_MAX = 10_000;
const kept = new WeakMap<Db, Map<string, { key: string; groups: TimelineGroup[] }>>();
const FINISHED = new Set(['completed', 'failed', 'cancelled']);

/**
 * What a run's grouped timeline is kept under, or null when it must be computed. A finished run's tasks do not
 * change until a rerun reopens it (migration 12 keeps its task counts on the same ground), so its timeline holds
 * across the engine's writes to other runs while the run's status, finish time, attempt and task set (migration
 * 16's token: deletions and rewrites) stay the same. Any other run's is kept only until the database changes at
 * all (this connection's writes or another's commits). Inside a transaction nothing is kept: a rollback undoes
 * writes without moving the database's change stamp.
 */
function timelineKey(db: Db, runId: string): string | null {
  if (db.inTransaction) return null;
  const run = prepared(db, 'SELECT status, finished_at, attempt FROM runs WHERE id = ?').get(runId) as { status: string; finished_at: string | null; attempt: number } | undefined;
  if (!run) return null;
  const token = taskSetToken(db, runId);
  if (FINISHED.has(run.status) && token !== null) return `finished\u0000${token}\u0000${run.status}\u0000${run.finished_at}\u0000${run.attempt}`;
  return `stamp\u0000${stampOf(db)}`;
}

const copyOf = (groups: TimelineGroup[]): TimelineGroup[] => groups.map((g) => ({ ...g, status_counts: { ...g.status_counts } }));

function computeTimelineGroups(db: Db, runId: string): TimelineGroup[] {
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
