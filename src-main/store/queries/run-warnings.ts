// A run's workflow warnings (migration 19): written when the run is created and when a generator adds tasks, read
// with the run (runs.get) and counted for health. Reads go through plain functions of a connection so the read
// worker serves them like the engine.
import type { Db } from '../db';
import { prepared } from './statements';

/** One stored warning; generated_by is the generator task, null for the run's own document. */
export interface RunWarning {
  message: string;
  generated_by: string | null;
  created_at: string;
}

/** Append warnings to a run (in the caller's transaction); one already stored for the same source is not repeated. */
export function addRunWarnings(db: Db, runId: string, messages: readonly string[], generatedBy: string | null, at: string): void {
  const insert = prepared(db, 'INSERT OR IGNORE INTO run_warnings (run_id, generated_by, message, created_at) VALUES (?, ?, ?, ?)');
  for (const m of messages) insert.run(runId, generatedBy ?? '', m, at);
}

/** A run's warnings in the order they were found ([] on a store older than migration 19). */
export function runWarningsOf(db: Db, runId: string): RunWarning[] {
  if (!hasWarningsTable(db)) return [];
  const rows = prepared(db, 'SELECT message, generated_by, created_at FROM run_warnings WHERE run_id = ? ORDER BY id').all(runId) as Array<{ message: string; generated_by: string; created_at: string }>;
  return rows.map((r) => ({ message: r.message, generated_by: r.generated_by || null, created_at: r.created_at }));
}

/** How many runs not yet finished have workflow warnings. */
export function activeRunsWithWarnings(db: Db): number {
  if (!hasWarningsTable(db)) return 0;
  return prepared(
    db,
    // From the warnings side: few runs have any, while active runs may be thousands.
    `SELECT count(DISTINCT w.run_id) FROM run_warnings w JOIN runs r ON r.id = w.run_id WHERE r.status NOT IN ('completed', 'failed', 'cancelled')`,
  ).pluck().get() as number;
}

const withTable = new WeakMap<Db, boolean>();
function hasWarningsTable(db: Db): boolean {
  if (withTable.get(db)) return true;
  const has = prepared(db, `SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'run_warnings'`).pluck().get() === 1;
  // Only a positive answer is kept: a store opened before its engine migrated it gets the table later.
  if (has) withTable.set(db, true);
  return has;
}
