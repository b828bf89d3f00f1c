// The usage ledger (migration 10) in a real SQLite file: backfilled when a database written before it is opened,
// kept current by the unit of work's commits, emptied of a deleted run; its quarter sums always equal a rebuild
// from scratch, and reports read from it give what the attempts themselves give.
import Database from 'better-sqlite3';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { MIGRATIONS } from '../../src-main/store/migrations';
import { Store } from '../../src-main/store/store';
import { quarterShares, syncUsageLedger } from '../../src-main/store/usage-ledger';
import { usageReport } from '../../src-main/usage/usage-query';
import { ActiveExecution } from '../../src-main/engine/active-execution';
import { EventBus } from '../../src-main/engine/events';
import { UnitOfWork } from '../../src-main/engine/unit-of-work';
import type { CostSettings } from '../../src-main/pricing/settings';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'scripthut-ledger-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
const cost: CostSettings = { backends: { hpc: { currency: 'SU', per_cpu_hour: 2, partitions: {} } }, pricing: null, snapshot: null, snapshotError: null };
const NOW = '2026-11-30T12:00:00.000Z';
const quarters = (db: Database.Database) => db.prepare('SELECT q, backend_name, partition, workflow_name, source_name, cpu_ms, n FROM usage_quarters JOIN usage_keys k ON k.id = key_id ORDER BY 1, 2, 3, 4, 5').all();

/** Drop the ledger and fold every task in again: what the incremental ledger must equal. */
function rebuilt(file: string): unknown[] {
  const copy = `${file}.copy`;
  fs.copyFileSync(file, copy);
  for (const ext of ['-wal', '-shm']) if (fs.existsSync(file + ext)) fs.copyFileSync(file + ext, copy + ext);
  const db = new Database(copy);
  db.exec('DELETE FROM usage_quarters; DELETE FROM usage_attempts; INSERT OR IGNORE INTO usage_dirty SELECT run_id, task_id FROM tasks');
  db.transaction(() => syncUsageLedger(db))();
  const q = quarters(db);
  db.close();
  return q;
}

describe('quarterShares', () => {
  it('cuts at UTC quarter hours; n on the start quarter; nothing for a quarter only touched at its first instant', () => {
    expect(quarterShares(900_000 + 60_000, 2 * 900_000 + 30_000, 2)).toEqual([{ q: 1, cpu_ms: 2 * 840_000, n: 1 }, { q: 2, cpu_ms: 2 * 30_000, n: 0 }]);
    expect(quarterShares(0, 900_000, 1)).toEqual([{ q: 0, cpu_ms: 900_000, n: 1 }]);
    expect(quarterShares(5, 5, 4)).toEqual([{ q: 0, cpu_ms: 0, n: 1 }]);
    expect(quarterShares(10, 5, 4)).toEqual([]);
  });
});

describe('backfill of a database written before migration 10', () => {
  const file = path.join(dir, 'old.db');
  const old = new Database(file);
  for (const m of MIGRATIONS) if (m.version < 10) old.exec(m.sql);
  old.pragma('user_version = 9');
  old.prepare(`INSERT INTO runs (id, workflow_name, backend_name, created_at, status, doc_json, source_name) VALUES ('r', 'align', 'hpc', '2026-11-01T00:00:00Z', 'running', '{}', 'repo')`).run();
  const task = old.prepare(`INSERT INTO tasks (run_id, task_id, seq, def_json, status, attempt, started_at, finished_at) VALUES ('r', ?, ?, ?, ?, ?, ?, ?)`);
  task.run('a', 0, '{"cpus":4}', 'completed', 2, '2026-11-28T22:00:00Z', '2026-11-29T02:00:00Z');
  task.run('b', 1, '{"cpus":1,"partition":"gpu"}', 'running', 1, '2026-11-30T10:00:00Z', null);
  old.prepare(`INSERT INTO attempts (run_id, task_id, attempt, backend_name, tag, status, started_at, finished_at) VALUES ('r', 'a', 1, 'hpc', 't1', 'failed', '2026-11-28T20:00:00Z', '2026-11-28T21:00:00Z')`).run();
  old.close();

  const s = new Store(file);
  afterAll(() => s.close());
  it('opening it fills the ledger: one row per started attempt, the finished ones folded', () => {
    expect(s.db.pragma('user_version', { simple: true })).toBe(Math.max(...MIGRATIONS.map((m) => m.version)));
    expect(s.db.prepare('SELECT task_id, attempt, cpus, partition, source_name, finished_ms FROM usage_attempts ORDER BY 1, 2').all()).toEqual([
      { task_id: 'a', attempt: 1, cpus: 4, partition: '', source_name: 'repo', finished_ms: Date.parse('2026-11-28T21:00:00Z') },
      { task_id: 'a', attempt: 2, cpus: 4, partition: '', source_name: 'repo', finished_ms: Date.parse('2026-11-29T02:00:00Z') },
      { task_id: 'b', attempt: 1, cpus: 1, partition: 'gpu', source_name: 'repo', finished_ms: null },
    ]);
    expect(s.db.prepare('SELECT SUM(cpu_ms) / 3600000.0 AS h, SUM(n) AS n FROM usage_quarters').get()).toEqual({ h: 20, n: 2 });
    expect(s.db.prepare('SELECT COUNT(*) AS c FROM usage_dirty').get()).toEqual({ c: 0 });
  });
  it('reports from it: earlier attempt, running task to now', () => {
    const u = usageReport(s.db, cost, { since: '2026-11-01', by: 'day', timeZone: 'UTC', now: NOW });
    expect(u.rows.map((r) => [r.key, r.cpu_hours, r.tasks])).toEqual([['2026-11-28', 12, 2], ['2026-11-29', 8, 0], ['2026-11-30', 2, 1]]);
    expect(u.total_cpu_hours).toBe(22);
  });
});

describe('kept current by the unit of work, and by run deletion', () => {
  const file = path.join(dir, 'live.db');
  const s = new Store(file);
  afterAll(() => s.close());
  // Every commit folds here, so the ledger's rows can be checked after each one (the engine folds at most every
  // LEDGER_FOLD_INTERVAL_MS; see the block below).
  const uow = new UnitOfWork(s, new ActiveExecution((id) => s.listTasks(id), () => []), new EventBus(), { ledgerFoldIntervalMs: 0 });
  const addRun = (id: string, workflow: string) => {
    s.insertRun({ id, workflow_name: workflow, title: null, backend_name: 'hpc', created_at: '2026-11-01T00:00:00.000Z', finished_at: null, status: 'running', attempt: 1, max_concurrent: null, doc_json: '{}', halted_reason: null, cancel_requested: 0, log_dir: null });
    s.insertTasks(id, ['x', 'y'].map((t) => ({ task_id: t, def_json: JSON.stringify({ id: t, cpus: 2 }), retries_left: 1, generated_by: null })));
  };
  uow.commit(() => {
    addRun('r1', 'align');
    addRun('r2', 'qc');
  });

  it('start, finish, retry and finish again: the ledger follows each commit', () => {
    uow.commit(() => s.patchTask('r1', 'x', { status: 'running', startedAt: '2026-11-29T10:07:00.000Z' }));
    expect(s.db.prepare('SELECT COUNT(*) AS c FROM usage_dirty').get()).toEqual({ c: 0 });
    expect(s.db.prepare('SELECT finished_ms FROM usage_attempts').all()).toEqual([{ finished_ms: null }]);
    uow.commit(() => s.patchTask('r1', 'x', { status: 'failed', finishedAt: '2026-11-29T11:07:00.000Z' }));
    uow.commit(() => s.insertAttempt({ run_id: 'r1', task_id: 'x', attempt: 1, backend_name: 'hpc', tag: 'r1x1', job_id: '1', status: 'failed', script: null, env_json: null, submit_output: null, log_output: null, log_error: null, exit_code: 1, error: null, submitted_at: null, started_at: null, finished_at: null }));
    uow.commit(() => s.patchTask('r1', 'x', { status: 'running', attempt: 2, startedAt: '2026-11-29T12:00:00.000Z', finishedAt: null }));
    uow.commit(() => s.patchTask('r1', 'x', { status: 'completed', finishedAt: '2026-11-29T12:30:00.000Z' }));
    uow.commit(() => {
      s.patchTask('r2', 'y', { status: 'completed', startedAt: '2026-11-29T23:50:00.000Z', finishedAt: '2026-11-30T00:20:00.000Z' });
      s.setRunSource('r2', { name: 'repo-b', repo: null, branch: null, commit: null });
    });
    expect(s.db.prepare('SELECT run_id, task_id, attempt, source_name FROM usage_attempts ORDER BY 1, 2, 3').all()).toEqual([
      { run_id: 'r1', task_id: 'x', attempt: 1, source_name: '' },
      { run_id: 'r1', task_id: 'x', attempt: 2, source_name: '' },
      { run_id: 'r2', task_id: 'y', attempt: 1, source_name: 'repo-b' },
    ]);
    expect(quarters(s.db)).toEqual(rebuilt(file));
    const u = usageReport(s.db, cost, { since: '2026-11-29T10:30:00Z', by: 'workflow', timeZone: 'UTC', now: NOW });
    // align: 2 cpus x (37 min after `since` + 30 min); qc: 2 cpus x 30 min.
    expect(u.rows.map((r) => [r.key, r.cpu_hours, r.tasks, r.cost.SU])).toEqual([['align', Number(((2 * 67) / 60).toFixed(4)), 2, Number(((4 * 67) / 60).toFixed(4))], ['qc', 1, 1, 2]]);
  });
  it('deleting a run removes its ledger rows and its share of the quarter sums', () => {
    uow.commit(() => s.deleteRun('r1'));
    expect(s.db.prepare('SELECT DISTINCT run_id FROM usage_attempts').all()).toEqual([{ run_id: 'r2' }]);
    expect(s.db.prepare('SELECT DISTINCT workflow_name FROM usage_quarters JOIN usage_keys k ON k.id = key_id').all()).toEqual([{ workflow_name: 'qc' }]);
    expect(quarters(s.db)).toEqual(rebuilt(file));
    expect(usageReport(s.db, cost, { since: '2026-11-01', by: 'backend', timeZone: 'UTC', now: NOW }).total_cpu_hours).toBe(1);
  });
});

describe('folded at intervals by the engine', () => {
  const file = path.join(dir, 'interval.db');
  const s = new Store(file);
  afterAll(() => s.close());
  // An hour between folds: only the first commit folds, whatever the machine's load.
  const uow = new UnitOfWork(s, new ActiveExecution((id) => s.listTasks(id), () => []), new EventBus(), { ledgerFoldIntervalMs: 3_600_000 });
  s.insertRun({ id: 'r', workflow_name: 'w', title: null, backend_name: 'hpc', created_at: '2026-11-01T00:00:00.000Z', finished_at: null, status: 'running', attempt: 1, max_concurrent: null, doc_json: '{}', halted_reason: null, cancel_requested: 0, log_dir: null });
  s.insertTasks('r', ['a', 'b'].map((t) => ({ task_id: t, def_json: JSON.stringify({ id: t, cpus: 2 }), retries_left: 0, generated_by: null })));
  it('commits between folds leave marks; a report folds them first and is exact; folding again changes nothing', () => {
    uow.commit(() => s.patchTask('r', 'a', { status: 'running', startedAt: '2026-11-29T10:00:00.000Z' })); // folds (first)
    uow.commit(() => s.patchTask('r', 'a', { status: 'completed', finishedAt: '2026-11-29T11:00:00.000Z' }));
    uow.commit(() => s.patchTask('r', 'b', { status: 'completed', startedAt: '2026-11-29T10:00:00.000Z', finishedAt: '2026-11-29T10:30:00.000Z' }));
    expect((s.db.prepare('SELECT COUNT(*) AS c FROM usage_dirty').get() as { c: number }).c).toBe(2);
    const u = usageReport(s.db, cost, { since: '2026-11-01', by: 'workflow', timeZone: 'UTC', now: NOW });
    expect(u.rows.map((r) => [r.key, r.cpu_hours, r.tasks])).toEqual([['w', 3, 2]]);
    expect(s.db.prepare('SELECT COUNT(*) AS c FROM usage_dirty').get()).toEqual({ c: 0 });
    expect(quarters(s.db)).toEqual(rebuilt(file));
    uow.foldUsageLedger();
    expect(quarters(s.db)).toEqual(rebuilt(file));
  });
});

describe('folded quarters across a DST change', () => {
  const s = new Store(path.join(dir, 'dst.db'));
  afterAll(() => s.close());
  s.insertRun({ id: 'd', workflow_name: 'w', title: null, backend_name: 'hpc', created_at: '2026-03-28T00:00:00.000Z', finished_at: null, status: 'running', attempt: 1, max_concurrent: null, doc_json: '{}', halted_reason: null, cancel_requested: 0, log_dir: null });
  s.insertTasks('d', [{ task_id: 't', def_json: '{"cpus":1}', retries_left: 0, generated_by: null }]);
  // Zurich, 2026-03-29: 00:00-03:00 UTC is 01-02 CET, then 03-05 CEST (02:00 local does not exist); St John's
  // (NDT since 8 March, UTC-2:30) sees 21:30-00:30.
  s.patchTask('d', 't', { status: 'completed', startedAt: '2026-03-29T00:00:00.000Z', finishedAt: '2026-03-29T03:00:00.000Z' });
  it('hours and days in Zurich come from the offset in force in each quarter', () => {
    const q = { since: '2026-03-01', timeZone: 'Europe/Zurich', now: '2026-04-01T00:00:00.000Z' };
    expect(usageReport(s.db, cost, { ...q, by: 'hour' }).rows.map((r) => [r.key, r.cpu_hours, r.tasks])).toEqual([['01', 1, 1], ['03', 1, 0], ['04', 1, 0]]);
    expect(usageReport(s.db, cost, { ...q, by: 'day' }).rows.map((r) => [r.key, r.cpu_hours])).toEqual([['2026-03-29', 3]]);
    expect(usageReport(s.db, cost, { ...q, by: 'hour', timeZone: 'America/St_Johns' }).rows.map((r) => [r.key, r.cpu_hours])).toEqual([['00', 0.5], ['21', 0.5], ['22', 1], ['23', 1]]);
  });
});
