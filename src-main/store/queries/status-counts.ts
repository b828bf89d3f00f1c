// Per-run task counts by status, from a GROUP BY over the (run_id, status, seq) index — never by loading tasks.
import type { Db } from '../db';
import { inList } from './filters';

export type StatusCounts = Record<string, number>;

export function statusCountsOf(db: Db, runId: string): StatusCounts {
  const rows = db.prepare('SELECT status, COUNT(*) AS n FROM tasks WHERE run_id = ? GROUP BY status').all(runId) as Array<{ status: string; n: number }>;
  return Object.fromEntries(rows.map((r) => [r.status, r.n]));
}

/** Counts for several runs in one statement; runs without tasks get `{}`. */
export function statusCountsOfRuns(db: Db, runIds: readonly string[]): Map<string, StatusCounts> {
  const out = new Map<string, StatusCounts>(runIds.map((id) => [id, {}]));
  if (!runIds.length) return out;
  const rows = db.prepare(`SELECT run_id, status, COUNT(*) AS n FROM tasks WHERE ${inList('run_id', runIds.length)} GROUP BY run_id, status`).all(...runIds) as Array<{
    run_id: string;
    status: string;
    n: number;
  }>;
  for (const r of rows) (out.get(r.run_id) as StatusCounts)[r.status] = r.n;
  return out;
}
