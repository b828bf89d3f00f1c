// A run's task-set token (migration 16): it changes when the run's tasks are added, removed, renamed or redefined,
// and not when their states change. What depends only on ids and definitions is kept under it, so a run whose
// tasks move every second does not recompute a text search or a group's dependants on every read.
import type { Db } from '../db';
import { prepared } from './statements';

/** Renew the token of a run whose task set changed (Store.insertTasks; deletions and rewrites renew it by trigger). */
export function renewTaskSetToken(db: Db, runId: string): void {
  // A connection to a store older than migration 16 (only tests write through one) has no tokens to renew.
  if (!hasTokens(db)) return;
  prepared(db, 'INSERT INTO run_task_sets (run_id, token) VALUES (?, random()) ON CONFLICT (run_id) DO UPDATE SET token = random()').run(runId);
}

/**
 * The run's current token as a cache key, or null when this database has no tokens (a read-only store older than
 * migration 16): then nothing may be kept under it.
 */
export function taskSetToken(db: Db, runId: string): string | null {
  if (!hasTokens(db)) return null;
  const token = prepared(db, 'SELECT token FROM run_task_sets WHERE run_id = ?').pluck().safeIntegers().get(runId) as bigint | undefined;
  // No row: the run's tasks have not changed since the migration (or it has none); a later change adds one.
  return `${runId}\u0000${token ?? 'none'}`;
}

const withTokens = new WeakMap<Db, boolean>();
function hasTokens(db: Db): boolean {
  let has = withTokens.get(db);
  if (has === undefined) {
    has = prepared(db, `SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'run_task_sets'`).pluck().get() === 1;
    // Only a positive answer is kept: a store opened before its engine migrated it gets the table later.
    if (has) withTokens.set(db, has);
  }
  return has;
}
