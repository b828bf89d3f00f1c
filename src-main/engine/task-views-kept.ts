// The task views of a page, with what never changes about a task kept between reads.
//
// While a run executes, every commit invalidates the kept answers (read-replica.ts), so 50 UIs polling its pages
// recompute them again and again; reading each task's definition (def_json) and parsing it was half of that. A
// definition does not change after its task is created, so parsed definitions are kept under the run's task-set
// token (migration 16), which a new, deleted or redefined task renews: tasks generated again after a rerun, or a
// deleted run whose id comes back, never meet a definition kept for the old rows. With each definition the last
// JSON text of the task's view is kept, with the state columns it was made from, so a task that did not move
// since the last read is not serialised again.
import type { TaskView } from '../../src-shared/api/schemas';
import type { TaskDefinition } from '../../src-shared/workflow/types';
import type { Db } from '../store/db';
import type { TaskRow } from '../store/rows';
import { inList } from '../store/queries/filters';
import { prepared } from '../store/queries/statements';
import { taskSetToken } from '../store/queries/task-set-token';
import { toTaskViewWith } from './views';

/** Tasks kept per connection, over all runs: a page of a 100,000-task run paged through does not keep them all. */
export const KEPT_TASKS_MAX = 10_000;
/**
 * And their size: a definition's text counted twice (parsed, and in its view's JSON), so tasks with long commands
 * cannot make the kept tasks weigh more than about this many characters.
 */
export const KEPT_CHARS_MAX = 8 * 1024 * 1024;

/** What the view reads of a task row besides its definition; from `status` on, what changes while it runs. */
const VIEW_COLUMNS = 'rowid, task_id, status, job_id, exit_code, error, submitted_at, started_at, finished_at, attempt, pending_reason, scheduler_state, generated_by, max_rss, cpu_efficiency';
const FIRST_STATE = 2;

interface Kept {
  def: TaskDefinition;
  /** What this entry counts against KEPT_CHARS_MAX. */
  chars: number;
  /** The state columns the JSON below was made from (null before the first JSON). */
  state: unknown[] | null;
  json: string | null;
}

interface RunKept {
  token: string;
  byRowid: Map<number, Kept>;
  chars: number;
}

interface DbKept {
  total: number;
  chars: number;
  byRun: Map<string, RunKept>;
}

const keptByDb = new WeakMap<Db, DbKept>();

/** The columns the view reads (run_id, seq and the loop's own columns are not part of it). */
function rowOf(runId: string, v: unknown[]): TaskRow {
  return {
    run_id: runId, task_id: v[1], status: v[2], job_id: v[3], exit_code: v[4], error: v[5], submitted_at: v[6], started_at: v[7], finished_at: v[8], attempt: v[9],
    pending_reason: v[10], scheduler_state: v[11], generated_by: v[12], max_rss: v[13], cpu_efficiency: v[14],
  } as TaskRow;
}

function sameState(kept: unknown[] | null, row: unknown[]): boolean {
  if (!kept) return false;
  for (let i = FIRST_STATE; i < row.length; i++) if (kept[i] !== row[i]) return false;
  return true;
}

/** The kept tasks of this run under its current token, made empty when the token moved. */
function runKept(db: Db, runId: string, token: string): RunKept {
  let d = keptByDb.get(db);
  if (!d) keptByDb.set(db, (d = { total: 0, chars: 0, byRun: new Map() }));
  let r = d.byRun.get(runId);
  if (!r || r.token !== token) {
    if (r) {
      d.total -= r.byRowid.size;
      d.chars -= r.chars;
    }
    d.byRun.set(runId, (r = { token, byRowid: new Map(), chars: 0 }));
  }
  return r;
}

function keep(db: Db, run: RunKept, rowid: number, kept: Kept): void {
  const d = keptByDb.get(db) as DbKept;
  if (d.total >= KEPT_TASKS_MAX || d.chars + kept.chars > KEPT_CHARS_MAX) {
    // Everything goes at once: cheaper than ordering by use, and a page read again is kept again on its next read.
    for (const r of d.byRun.values()) {
      r.byRowid.clear();
      r.chars = 0;
    }
    d.total = 0;
    d.chars = 0;
  }
  run.byRowid.set(rowid, kept);
  run.chars += kept.chars;
  d.total++;
  d.chars += kept.chars;
}

/**
 * The rows of these tasks (rowids of one run, in page order) with their kept entries; definitions not kept yet are
 * read and parsed. Null when the database has no task-set tokens (a read-only store older than migration 16).
 */
function keptRows(db: Db, runId: string, keys: readonly number[]): Array<{ row: unknown[]; kept: Kept }> | null {
  const token = taskSetToken(db, runId);
  if (token === null) return null;
  if (!keys.length) return [];
  const run = runKept(db, runId, token);
  const rows = prepared(db, `SELECT ${VIEW_COLUMNS} FROM tasks WHERE ${inList('rowid', keys.length)}`).raw().all(...keys) as unknown[][];
  const byKey = new Map<number, unknown[]>();
  for (const v of rows) byKey.set(v[0] as number, v);
  // This page's entries are held here: keeping the missing ones may empty the run's map (the bound).
  const page = new Map<number, Kept>();
  const missing: number[] = [];
  for (const k of keys) {
    const kept = run.byRowid.get(k);
    if (kept) page.set(k, kept);
    else missing.push(k);
  }
  if (missing.length) {
    for (const [rowid, defJson] of prepared(db, `SELECT rowid, def_json FROM tasks WHERE ${inList('rowid', missing.length)}`).raw().all(...missing) as Array<[number, string]>) {
      const kept: Kept = { def: JSON.parse(defJson) as TaskDefinition, chars: defJson.length * 2, state: null, json: null };
      page.set(rowid, kept);
      keep(db, run, rowid, kept);
    }
  }
  return keys.map((k) => ({ row: byKey.get(k) as unknown[], kept: page.get(k) as Kept }));
}

/** The views of a page's tasks, built from kept definitions; null when nothing can be kept (see keptRows). */
export function keptTaskViews(db: Db, runId: string, keys: readonly number[]): TaskView[] | null {
  return keptRows(db, runId, keys)?.map(({ row, kept }) => toTaskViewWith(rowOf(runId, row), kept.def)) ?? null;
}

/** The same views as one JSON array text, each task's text reused while its state columns are unchanged. */
export function keptTaskViewsJson(db: Db, runId: string, keys: readonly number[]): string | null {
  const rows = keptRows(db, runId, keys);
  if (!rows) return null;
  const parts = rows.map(({ row, kept }) => {
    if (kept.json === null || !sameState(kept.state, row)) {
      kept.json = JSON.stringify(toTaskViewWith(rowOf(runId, row), kept.def));
      kept.state = row;
    }
    return kept.json;
  });
  return `[${parts.join(',')}]`;
}

/** How many tasks this connection keeps, and their size as counted against KEPT_CHARS_MAX (tests check the bounds). */
export function keptTaskCount(db: Db): { tasks: number; chars: number } {
  const d = keptByDb.get(db);
  return { tasks: d?.total ?? 0, chars: d?.chars ?? 0 };
}
