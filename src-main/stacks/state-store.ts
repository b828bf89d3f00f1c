// The stack_states table (migration 8): the last check result per (stack, backend, source) and the latest
// install run. Only the stacks feature reads or writes it.
import type { Db } from '../store/db';

export interface StackStateRow {
  stack_name: string;
  backend_name: string;
  /** '' for the app's own stacks. */
  source_name: string;
  hash: string;
  state: string;
  path: string;
  last_built: string | null;
  size_bytes: number | null;
  error: string | null;
  checked_at: string | null;
  install_run_id: string | null;
}

export function listStackStates(db: Db): StackStateRow[] {
  return db.prepare('SELECT * FROM stack_states ORDER BY stack_name, backend_name, source_name').all() as StackStateRow[];
}

export function getStackState(db: Db, stack: string, backend: string, source: string): StackStateRow | null {
  return (db.prepare('SELECT * FROM stack_states WHERE stack_name = ? AND backend_name = ? AND source_name = ?').get(stack, backend, source) as StackStateRow | undefined) ?? null;
}

/** A check's result; keeps the install run id already recorded. */
export function saveCheck(db: Db, row: Omit<StackStateRow, 'install_run_id'>): void {
  db.prepare(
    `INSERT INTO stack_states (stack_name, backend_name, source_name, hash, state, path, last_built, size_bytes, error, checked_at, install_run_id)
     VALUES (@stack_name, @backend_name, @source_name, @hash, @state, @path, @last_built, @size_bytes, @error, @checked_at, NULL)
     ON CONFLICT (stack_name, backend_name, source_name) DO UPDATE SET hash = excluded.hash, state = excluded.state, path = excluded.path,
       last_built = excluded.last_built, size_bytes = excluded.size_bytes, error = excluded.error, checked_at = excluded.checked_at`,
  ).run(row);
}

/** An install run was started: remembered so the list can show "installing" while it is active. */
export function saveInstallRun(db: Db, key: { stack_name: string; backend_name: string; source_name: string; hash: string; path: string }, runId: string): void {
  db.prepare(
    `INSERT INTO stack_states (stack_name, backend_name, source_name, hash, state, path, install_run_id)
     VALUES (@stack_name, @backend_name, @source_name, @hash, 'missing', @path, @run)
     ON CONFLICT (stack_name, backend_name, source_name) DO UPDATE SET install_run_id = excluded.install_run_id`,
  ).run({ ...key, run: runId });
}

export function forgetStackState(db: Db, stack: string, backend: string, source: string): void {
  db.prepare('DELETE FROM stack_states WHERE stack_name = ? AND backend_name = ? AND source_name = ?').run(stack, backend, source);
}
