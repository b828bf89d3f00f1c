// Per-run task counts by status, from a GROUP BY over the (run_id, status, seq) index — never by loading tasks —
// or, for a finished run, from the counts its row keeps (migration 12).
// Paging through a big run reads the same counts again and again, so a run's counts are kept until the database
// changes: total_changes() moves with this connection's writes, data_version with other connections' commits.
import { prepared } from './statements';
import type { Db } from '../db';
import { inList } from './filters';

export type StatusCounts = Record<string, number>;

const CACHE_RUNS = 64;
const cache = new WeakMap<Db, { stamp: string; byRun: Map<string, StatusCounts> }>();

/** Moves whenever the database may have changed (this connection's writes or another's commits). */
export function stampOf(db: Db): string {
  // One prepared statement: db.pragma() would prepare its SQL on every call (~70 µs here, paid per paged read).
  const s = prepared(db, 'SELECT total_changes() AS c, data_version AS v FROM pragma_data_version').get() as { c: number; v: number };
  return `${s.c}/${s.v}`;
}

/**
 * A cheaper stamp for a database that only this connection writes, as the engine's own connection does while it
 * runs (one engine per data folder, the CLI reads read-only, a restore needs the engine stopped; the checkpoint
 * thread moves pages, not content): total_changes() moves with every row written, ~1 µs, where data_version takes
 * and drops the WAL read lock (~20 µs of system calls). Null inside a write transaction, whose rows are counted
 * before they are committed.
 */
export function ownWritesStamp(db: Db): () => number | null {
  const changes = db.prepare('SELECT total_changes()').pluck();
  return () => (db.inTransaction ? null : (changes.get() as number));
}

/** Counts a finished run keeps on its row (migration 12); null for a run still going or never counted. */
export function keptCounts(run: { status: string; task_counts?: string | null }): StatusCounts | null {
  return run.task_counts && FINISHED.has(run.status) ? (JSON.parse(run.task_counts) as StatusCounts) : null;
}
const FINISHED = new Set(['completed', 'failed', 'cancelled']);

function countRun(db: Db, runId: string): StatusCounts {
  const run = prepared(db, 'SELECT status, task_counts FROM runs WHERE id = ?').get(runId) as { status: string; task_counts: string | null } | undefined;
  const kept = run ? keptCounts(run) : null;
  if (kept) return kept;
  const rows = prepared(db, 'SELECT status, COUNT(*) AS n FROM tasks WHERE run_id = ? GROUP BY status').all(runId) as Array<{ status: string; n: number }>;
  return Object.fromEntries(rows.map((r) => [r.status, r.n]));
}

/** A run's counts (a fresh object each call: callers may keep or change it). */
export function statusCountsOf(db: Db, runId: string): StatusCounts {
  const stamp = stampOf(db);
  let entry = cache.get(db);
  if (!entry || entry.stamp !== stamp) cache.set(db, (entry = { stamp, byRun: new Map() }));
  let counts = entry.byRun.get(runId);
  if (!counts) {
    if (entry.byRun.size >= CACHE_RUNS) entry.byRun.clear();
    entry.byRun.set(runId, (counts = countRun(db, runId)));
  }
  return { ...counts };
}

/**
 * Counts for several runs; runs without tasks get `{}`. Pass the runs' rows when at hand: a finished run's
 * kept counts are used, and only the others are counted, in one statement.
 */
export function statusCountsOfRuns(db: Db, runs: ReadonlyArray<string | { id: string; status: string; task_counts?: string | null }>): Map<string, StatusCounts> {
  const out = new Map<string, StatusCounts>();
  const runIds: string[] = [];
  for (const r of runs) {
    const kept = typeof r === 'string' ? null : keptCounts(r);
    const id = typeof r === 'string' ? r : r.id;
    out.set(id, kept ?? {});
    if (!kept) runIds.push(id);
  }
  if (!runIds.length) return out;
  const rows = prepared(db, `SELECT run_id, status, COUNT(*) AS n FROM tasks WHERE ${inList('run_id', runIds.length)} GROUP BY run_id, status`).all(...runIds) as Array<{
    run_id: string;
    status: string;
    n: number;
  }>;
  for (const r of rows) (out.get(r.run_id) as StatusCounts)[r.status] = r.n;
  return out;
}
