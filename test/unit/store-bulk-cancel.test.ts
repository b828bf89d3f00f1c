// What a bulk cancel writes, in a real SQLite file. Migration 13: cancelling tasks that never started marks nothing
// for the usage ledger (there is nothing to fold), while a started task's finish, a start, an attempt or a definition
// change still marks; the ledger equals a rebuild from scratch afterwards, and a database written at schema 12
// upgrades to the narrower trigger. The WAL is checkpointed by the store's timer, not inside a big commit.
import Database from 'better-sqlite3';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { MIGRATIONS } from '../../src-main/store/migrations';
import { Store } from '../../src-main/store/store';
import { syncUsageLedger } from '../../src-main/store/usage-ledger';
import { WAL_BOUND_PAGES } from '../../src-main/store/wal-checkpoint';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sh-bulk-cancel-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
const AT = '2026-11-30T12:00:00.000Z';
const dirty = (db: Database.Database) => (db.prepare('SELECT task_id FROM usage_dirty ORDER BY task_id').pluck().all() as string[]);
const ledger = (db: Database.Database) => db.prepare('SELECT * FROM usage_attempts ORDER BY run_id, task_id, attempt').all();
const quarters = (db: Database.Database) => db.prepare('SELECT q, key_id, cpu_ms, n FROM usage_quarters ORDER BY q, key_id').all();

function fill(s: Store): void {
  s.tx(() => {
    s.insertRun({ id: 'r', workflow_name: 'wf', title: null, backend_name: 'local', created_at: AT, finished_at: null, status: 'running', attempt: 1, max_concurrent: null, doc_json: '{}', halted_reason: null, cancel_requested: 0, log_dir: null });
    s.insertTasks('r', ['a', 'b', 'c', 'd', 'p1', 'p2', 'p3'].map((id) => ({ task_id: id, def_json: JSON.stringify({ id, name: id, cpus: 2 }), retries_left: 0, generated_by: null })));
    s.patchTask('r', 'a', { status: 'running', startedAt: '2026-11-30T10:00:00.000Z' });
    s.patchTask('r', 'b', { status: 'completed', startedAt: '2026-11-30T10:00:00.000Z', finishedAt: '2026-11-30T10:20:00.000Z' });
    s.patchTask('r', 'c', { status: 'queued', submittedAt: '2026-11-30T10:00:00.000Z' });
    syncUsageLedger(s.db);
  });
}

describe('cancelling tasks that never started', () => {
  it('marks nothing for the ledger; a started task finishing, a start, an attempt and a definition change still mark', () => {
    const s = new Store(path.join(dir, 'a.db'));
    fill(s);
    const before = { ledger: ledger(s.db), quarters: quarters(s.db) };
    s.db.exec('BEGIN');
    expect(s.finishPendingTasks('r', 'cancelled', 'Cancelled by user', AT)).toBe(4);
    expect(dirty(s.db)).toEqual([]);
    s.patchTask('r', 'c', { status: 'cancelled', finishedAt: AT, error: 'Cancelled by user' }); // queued, no start
    expect(dirty(s.db)).toEqual([]);
    s.patchTask('r', 'a', { status: 'cancelled', finishedAt: AT });
    expect(dirty(s.db)).toEqual(['a']);
    s.patchTask('r', 'p1', { startedAt: AT });
    s.patchTask('r', 'p2', { attempt: 2 });
    s.db.prepare(`UPDATE tasks SET def_json = json_set(def_json, '$.cpus', 4) WHERE task_id = 'p3'`).run();
    expect(dirty(s.db)).toEqual(['a', 'p1', 'p2', 'p3']);
    syncUsageLedger(s.db);
    s.db.exec('COMMIT');
    expect(ledger(s.db)).not.toEqual(before.ledger);
    expect(quarters(s.db)).not.toEqual(before.quarters);
    // Equal to folding every task in again from scratch.
    const incremental = { ledger: ledger(s.db), quarters: quarters(s.db) };
    s.db.exec('DELETE FROM usage_quarters; DELETE FROM usage_attempts; INSERT OR IGNORE INTO usage_dirty SELECT run_id, task_id FROM tasks');
    s.tx(() => syncUsageLedger(s.db));
    expect({ ledger: ledger(s.db), quarters: quarters(s.db) }).toEqual(incremental);
    s.close();
  });

  it('a database written at schema 12 upgrades to the narrower trigger and keeps its ledger', () => {
    const file = path.join(dir, 'v12.db');
    const old = new Database(file);
    old.pragma('journal_mode = WAL');
    for (const m of MIGRATIONS.filter((x) => x.version <= 12).sort((a, b) => a.version - b.version)) old.exec(m.sql);
    old.pragma('user_version = 12');
    // Rows written at schema 12 (its trigger marks the finish of a task that never started).
    old.exec(`INSERT INTO runs (id, workflow_name, backend_name, created_at, status, doc_json) VALUES ('r', 'wf', 'local', '${AT}', 'running', '{}');
      INSERT INTO tasks (run_id, task_id, seq, def_json, status) VALUES
        ('r', 'a', 0, '{"cpus":2}', 'pending'), ('r', 'b', 1, '{"cpus":2}', 'pending'), ('r', 'p1', 2, '{}', 'pending'), ('r', 'p2', 3, '{}', 'pending');
      UPDATE tasks SET status = 'running', started_at = '2026-11-30T10:00:00.000Z' WHERE task_id = 'a';
      UPDATE tasks SET status = 'completed', started_at = '2026-11-30T10:00:00.000Z', finished_at = '2026-11-30T10:20:00.000Z' WHERE task_id = 'b';
      UPDATE tasks SET status = 'dep_failed', finished_at = '${AT}' WHERE task_id = 'p2';`);
    expect(dirty(old)).toEqual(['a', 'b', 'p2']);
    old.transaction(() => syncUsageLedger(old))();
    const kept = { ledger: ledger(old), quarters: quarters(old) };
    expect(kept.ledger).toHaveLength(2);
    old.close();
    const reopened = new Store(file);
    expect(reopened.db.pragma('user_version', { simple: true })).toBe(Math.max(...MIGRATIONS.map((m) => m.version)));
    expect({ ledger: ledger(reopened.db), quarters: quarters(reopened.db) }).toEqual(kept);
    reopened.tx(() => reopened.finishPendingTasks('r', 'cancelled', 'Cancelled by user', AT));
    expect(dirty(reopened.db)).toEqual([]);
    reopened.close();
  });
});

describe('WAL checkpoints', () => {
  it('are not run inside commits; the store copies the WAL into the file after writes', async () => {
    const file = path.join(dir, 'wal.db');
    const s = new Store(file);
    expect(s.db.pragma('wal_autocheckpoint', { simple: true })).toBe(WAL_BOUND_PAGES);
    fill(s);
    s.tx(() => {
      s.insertRun({ id: 'big', workflow_name: 'wf', title: null, backend_name: 'local', created_at: AT, finished_at: null, status: 'running', attempt: 1, max_concurrent: null, doc_json: '{}', halted_reason: null, cancel_requested: 0, log_dir: null });
      s.insertTasks('big', Array.from({ length: 20000 }, (_, i) => ({ task_id: `t${i}`, def_json: JSON.stringify({ id: `t${i}`, name: `task ${i}` }), retries_left: 0, generated_by: null })));
    });
    // Past SQLite's default threshold (1,000 pages), and nothing was copied into the file yet.
    const probe = new Database(file, { readonly: true });
    expect(probe.prepare("SELECT COUNT(*) FROM tasks WHERE run_id = 'big'").pluck().get()).toBe(20000);
    probe.close();
    const walPages = fs.statSync(`${file}-wal`).size / 4096;
    expect(walPages).toBeGreaterThan(1000);
    const fileBefore = fs.statSync(file).size;
    await s.checkpointer?.checkpoint();
    expect(fs.statSync(file).size).toBeGreaterThan(fileBefore);
    // Everything is in the file now: a restart from the file alone (no WAL) sees every task.
    s.close();
    expect(fs.existsSync(`${file}-wal`)).toBe(false);
    const again = new Database(file, { readonly: true });
    expect(again.prepare("SELECT COUNT(*) FROM tasks WHERE run_id = 'big'").pluck().get()).toBe(20000);
    again.close();
  });
});
