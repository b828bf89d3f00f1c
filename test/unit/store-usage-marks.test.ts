// Migration 20: the Store, not a trigger per row, marks the tasks whose start or finish time it wrote. The marks are
// in the file when the transaction commits (and gone with it on a rollback), a fold inside the transaction sees
// them, a finish alone marks only a task that started, and a patch checked against the current row writes (and
// marks) nothing it already holds. Each case ends with the ledger equal to a rebuild from scratch.
import Database from 'better-sqlite3';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Store } from '../../src-main/store/store';
import { syncUsageLedger } from '../../src-main/store/usage-ledger';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sh-usage-marks-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
const AT = '2026-11-30T12:00:00.000Z';
const dirty = (db: Database.Database) => db.prepare('SELECT run_id || \'/\' || task_id FROM usage_dirty ORDER BY 1').pluck().all() as string[];
const ledger = (db: Database.Database) => db.prepare('SELECT run_id, task_id, attempt, started_ms, finished_ms FROM usage_attempts ORDER BY 1, 2, 3').all();
const quarters = (db: Database.Database) => db.prepare('SELECT q, key_id, cpu_ms, n FROM usage_quarters ORDER BY q, key_id').all();

/** The ledger rebuilt from every task, on a copy of the file. */
function rebuilt(file: string): unknown {
  const copy = `${file}.copy`;
  const s = new Store(file);
  s.db.exec(`VACUUM INTO '${copy}'`);
  s.close();
  const db = new Database(copy);
  db.exec('DELETE FROM usage_quarters; DELETE FROM usage_attempts; INSERT OR IGNORE INTO usage_dirty SELECT run_id, task_id FROM tasks');
  db.transaction(() => syncUsageLedger(db))();
  const out = { ledger: ledger(db), quarters: quarters(db) };
  db.close();
  fs.rmSync(copy);
  return out;
}

function storeWithRuns(name: string): { s: Store; file: string } {
  const file = path.join(dir, `${name}.db`);
  const s = new Store(file);
  s.tx(() => {
    for (const id of ['r1', 'r2']) {
      s.insertRun({ id, workflow_name: 'wf', title: null, backend_name: 'local', created_at: AT, finished_at: null, status: 'running', attempt: 1, max_concurrent: null, doc_json: '{}', halted_reason: null, cancel_requested: 0, log_dir: null });
      s.insertTasks(id, ['a', 'b', 'c'].map((t) => ({ task_id: t, def_json: JSON.stringify({ id: t, cpus: 2 }), retries_left: 0, generated_by: null })));
    }
  });
  return { s, file };
}

describe('usage marks written by the Store', () => {
  it('are in the file when the transaction commits, across runs, and none are left after a fold', () => {
    const { s, file } = storeWithRuns('commit');
    s.tx(() => {
      s.patchTask('r1', 'a', { status: 'running', startedAt: '2026-11-30T10:00:00.000Z' });
      s.patchTask('r2', 'b', { status: 'completed', startedAt: '2026-11-30T10:00:00.000Z', finishedAt: '2026-11-30T10:30:00.000Z' });
      s.patchTask('r1', 'a', { status: 'completed', finishedAt: '2026-11-30T11:00:00.000Z' });
    });
    // A second connection sees what was committed, marks included.
    const other = new Database(file, { readonly: true });
    expect(dirty(other)).toEqual(['r1/a', 'r2/b']);
    other.close();
    s.tx(() => syncUsageLedger(s.db));
    expect(dirty(s.db)).toEqual([]);
    expect(ledger(s.db)).toHaveLength(2);
    s.close();
    const db = new Database(file, { readonly: true });
    const mine = { ledger: ledger(db), quarters: quarters(db) };
    db.close();
    expect(mine).toEqual(rebuilt(file));
  });

  it('are folded by a fold inside the same transaction', () => {
    const { s, file } = storeWithRuns('fold-inside');
    s.tx(() => {
      s.patchTask('r1', 'c', { status: 'completed', startedAt: '2026-11-30T09:00:00.000Z', finishedAt: '2026-11-30T09:45:00.000Z' });
      expect(syncUsageLedger(s.db)).toBe(1);
      expect(dirty(s.db)).toEqual([]);
    });
    expect(ledger(s.db)).toEqual([{ run_id: 'r1', task_id: 'c', attempt: 1, started_ms: Date.parse('2026-11-30T09:00:00.000Z'), finished_ms: Date.parse('2026-11-30T09:45:00.000Z') }]);
    s.close();
    expect(rebuilt(file)).toMatchObject({ ledger: [{ task_id: 'c' }] });
  });

  it('roll back with the transaction', () => {
    const { s } = storeWithRuns('rollback');
    expect(() =>
      s.tx(() => {
        s.patchTask('r1', 'a', { status: 'running', startedAt: AT });
        throw new Error('boom');
      }),
    ).toThrow('boom');
    s.tx(() => s.patchTask('r1', 'b', { status: 'queued' }));
    expect(dirty(s.db)).toEqual([]);
    expect(s.getTask('r1', 'a')?.started_at).toBeNull();
    s.close();
  });

  it('a finish alone marks a task that started, not one that never ran; outside Store.tx the mark is written at once', () => {
    const { s } = storeWithRuns('finish-only');
    s.tx(() => s.patchTask('r1', 'a', { status: 'running', startedAt: AT }));
    s.tx(() => syncUsageLedger(s.db));
    s.tx(() => {
      s.patchTask('r1', 'a', { status: 'completed', finishedAt: '2026-11-30T12:10:00.000Z' });
      s.patchTask('r1', 'b', { status: 'failed', finishedAt: '2026-11-30T12:10:00.000Z', error: 'bad env' });
    });
    expect(dirty(s.db)).toEqual(['r1/a']);
    s.patchTask('r2', 'a', { status: 'running', startedAt: AT });
    expect(dirty(s.db)).toEqual(['r1/a', 'r2/a']);
    s.close();
  });

  it('a patch against the current row writes and marks only what changed', () => {
    const { s, file } = storeWithRuns('current');
    s.tx(() => s.patchTask('r1', 'a', { status: 'running', startedAt: AT, jobId: '7' }));
    s.tx(() => syncUsageLedger(s.db));
    const before = s.db.prepare('SELECT total_changes()').pluck().get() as number;
    // The same start time and job id again (as a running task's observation repeats them): nothing is written.
    s.tx(() => s.patchTask('r1', 'a', { status: 'running', startedAt: AT, jobId: '7' }, s.getTask('r1', 'a')));
    expect(s.db.prepare('SELECT total_changes()').pluck().get()).toBe(before);
    expect(dirty(s.db)).toEqual([]);
    // The finish of a task known to have started is marked without asking the database.
    s.tx(() => s.patchTask('r1', 'a', { status: 'completed', startedAt: AT, finishedAt: '2026-11-30T12:20:00.000Z' }, s.getTask('r1', 'a')));
    expect(dirty(s.db)).toEqual(['r1/a']);
    expect(s.getTask('r1', 'a')).toMatchObject({ status: 'completed', started_at: AT, finished_at: '2026-11-30T12:20:00.000Z', job_id: '7' });
    s.tx(() => syncUsageLedger(s.db));
    s.close();
    const db = new Database(file, { readonly: true });
    const mine = { ledger: ledger(db), quarters: quarters(db) };
    db.close();
    expect(mine).toEqual(rebuilt(file));
  });
});
