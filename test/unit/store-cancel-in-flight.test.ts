// Migration 14 and the bulk cancel's writes, on real SQLite files. The in-flight index tests status with plain
// comparisons (an IN list made a 100,000-task cancel pay for an index none of its tasks is in) and still answers
// the in-flight lookup; a store already at a higher schema when 14 was merged gets it too. Tasks cancelled before
// they ever ran keep no finish time: their transition holds when they were cancelled.
import Database from 'better-sqlite3';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { MIGRATIONS } from '../../src-main/store/migrations';
import { Store } from '../../src-main/store/store';
import type { RunRow } from '../../src-main/store/rows';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sh-cancel-inflight-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
const AT = '2026-11-30T12:00:00.000Z';
const LATEST = Math.max(...MIGRATIONS.map((m) => m.version));
const inFlightIndex = (db: Database.Database) => db.prepare(`SELECT sql FROM sqlite_master WHERE name = 'tasks_in_flight'`).pluck().get() as string;
const NEW_WHERE = "WHERE status = 'submitted' OR status = 'queued' OR status = 'running' OR status = 'settling'";
const keys = (s: Store, backend: string) => s.inFlightTasks(backend).map((t) => `${t.run_id}/${t.task_id}/${t.status}`);

function run(id: string, backend: string, minute: number, status: RunRow['status'] = 'running'): RunRow {
  return { id, workflow_name: 'wf', title: null, backend_name: backend, created_at: new Date(Date.UTC(2026, 0, 1, 0, minute)).toISOString(), finished_at: status === 'running' ? null : AT, status, attempt: 1, max_concurrent: null, doc_json: '{}', halted_reason: null, cancel_requested: 0, log_dir: null };
}
const defs = (ids: string[]) => ids.map((id) => ({ task_id: id, def_json: JSON.stringify({ id, name: id }), retries_left: 0, generated_by: null }));

describe('a store at a higher schema that never had migration 14', () => {
  const file = path.join(dir, 'v15.db');
  const old = new Database(file);
  old.pragma('journal_mode = WAL');
  // Schema 15 as it shipped without 14 (later migrations come on open, after 14 is found missing).
  for (const m of MIGRATIONS.filter((x) => x.version !== 14 && x.version <= 15).sort((a, b) => a.version - b.version)) old.exec(m.sql);
  old.pragma('user_version = 15');
  old.close();
  // Rows written by that version: through the Store's statements, on a connection that skips migrate().
  const legacy = Object.create(Store.prototype) as Store;
  Object.assign(legacy, { db: new Database(file), commandLogRetention: 10, commandInserts: new Map(), stmts: new Map(), patchStmts: new Map(), runRows: new Map(), runsWrittenInTx: new Set(), txDepth: 0, usageMarks: new Map() });
  legacy.tx(() => {
    legacy.insertRun(run('b-late', 'hpc', 5));
    legacy.insertRun(run('a-early', 'hpc', 1));
    legacy.insertRun(run('stale', 'hpc', 3, 'completed'));
    legacy.insertRun(run('other', 'local', 2));
    legacy.insertRun(run('done', 'hpc', 4, 'failed'));
    for (const id of ['b-late', 'a-early', 'stale', 'other', 'done']) legacy.insertTasks(id, defs(['x', 'y', 'z']));
    legacy.patchTask('b-late', 'y', { status: 'queued', jobId: '11' });
    legacy.patchTask('b-late', 'x', { status: 'settling', jobId: '10' });
    legacy.patchTask('a-early', 'z', { status: 'running', jobId: '3' });
    legacy.patchTask('a-early', 'x', { status: 'submitted' });
    legacy.patchTask('a-early', 'y', { status: 'completed' });
    // A run stored as finished while a job of it was still running (possible before that rule held).
    legacy.patchTask('stale', 'x', { status: 'running', jobId: '7' });
    legacy.patchTask('other', 'x', { status: 'running', jobId: '8' });
    for (const t of ['x', 'y', 'z']) legacy.patchTask('done', t, { status: 'failed', finishedAt: AT });
  });
  expect(inFlightIndex(legacy.db)).toContain("WHERE status IN ('submitted','queued','running','settling')");
  const before = { hpc: keys(legacy, 'hpc'), local: keys(legacy, 'local') };
  legacy.db.close();

  const s = new Store(file);
  afterAll(() => {
    if (s.db.open) s.close();
  });

  it('rewrites the index with comparisons and keeps the schema version', () => {
    expect(inFlightIndex(s.db)).toContain(NEW_WHERE);
    expect(s.db.pragma('user_version', { simple: true })).toBe(LATEST);
  });

  it('lists the same in-flight tasks per backend, in run creation order then task order, through the index', () => {
    expect(before.hpc).toEqual(['a-early/x/submitted', 'a-early/z/running', 'stale/x/running', 'b-late/x/settling', 'b-late/y/queued']);
    expect({ hpc: keys(s, 'hpc'), local: keys(s, 'local') }).toEqual(before);
    expect(keys(s, 'nowhere')).toEqual([]);
    const plan = s.db.prepare(`EXPLAIN QUERY PLAN SELECT t.* FROM tasks t CROSS JOIN runs r ON r.id = t.run_id
      WHERE (t.status = 'submitted' OR t.status = 'queued' OR t.status = 'running' OR t.status = 'settling') AND r.backend_name = ? ORDER BY r.created_at, t.seq`).all('hpc') as Array<{ detail: string }>;
    expect(plan.map((p) => p.detail).join('\n')).toMatch(/(SEARCH|SCAN) t USING INDEX tasks_in_flight/);
  });

  it('opens again without change', () => {
    s.close();
    const again = new Store(file);
    try {
      expect(inFlightIndex(again.db)).toContain(NEW_WHERE);
      expect(again.db.prepare(`SELECT count(*) FROM sqlite_master WHERE name = 'tasks_in_flight'`).pluck().get()).toBe(1);
      expect({ hpc: keys(again, 'hpc'), local: keys(again, 'local') }).toEqual(before);
    } finally {
      again.close();
    }
  });
});

describe('cancelling the pending tasks of a run', () => {
  it('cancels only pending tasks, with no finish time, the time kept in their transitions', () => {
    const s = new Store(path.join(dir, 'fresh.db'));
    try {
      expect(inFlightIndex(s.db)).toContain(NEW_WHERE);
      s.tx(() => {
        s.insertRun(run('r', 'local', 0));
        s.insertTasks('r', defs(['p1', 'p2', 'live', 'ok']));
        s.patchTask('r', 'live', { status: 'running', startedAt: '2026-11-30T11:00:00.000Z' });
        s.patchTask('r', 'ok', { status: 'completed', startedAt: '2026-11-30T10:00:00.000Z', finishedAt: '2026-11-30T10:30:00.000Z' });
      });
      expect(s.tx(() => s.finishPendingTasks('r', 'cancelled', 'Cancelled by user', AT))).toBe(2);
      const rows = s.db.prepare('SELECT task_id, status, error, started_at, finished_at FROM tasks ORDER BY seq').all();
      expect(rows).toEqual([
        { task_id: 'p1', status: 'cancelled', error: 'Cancelled by user', started_at: null, finished_at: null },
        { task_id: 'p2', status: 'cancelled', error: 'Cancelled by user', started_at: null, finished_at: null },
        { task_id: 'live', status: 'running', error: null, started_at: '2026-11-30T11:00:00.000Z', finished_at: null },
        { task_id: 'ok', status: 'completed', error: null, started_at: '2026-11-30T10:00:00.000Z', finished_at: '2026-11-30T10:30:00.000Z' },
      ]);
      expect(s.listTransitions('r').filter((t) => t.to_status === 'cancelled')).toEqual([
        { task_id: 'p1', attempt: 1, at: AT, from_status: 'pending', to_status: 'cancelled', reason: 'Cancelled by user' },
        { task_id: 'p2', attempt: 1, at: AT, from_status: 'pending', to_status: 'cancelled', reason: 'Cancelled by user' },
      ]);
      // The running job is still found, for the cancel to stop it.
      expect(keys(s, 'local')).toEqual(['r/live/running']);
    } finally {
      s.close();
    }
  });
});

describe('the in-flight index (migration 16: keyed on the run)', () => {
  it('finds a task through every in-flight status and loses it when it finishes or goes back to pending', () => {
    const s = new Store(path.join(dir, 'walk.db'));
    try {
      expect(inFlightIndex(s.db)).toMatch(/ON tasks\s*\(\s*run_id\s*\)/);
      s.tx(() => {
        s.insertRun(run('w', 'hpc', 0));
        s.insertTasks('w', defs(['a', 'b']));
      });
      const seen: string[][] = [];
      for (const status of ['submitted', 'queued', 'running', 'settling', 'completed'] as const) {
        s.tx(() => s.patchTask('w', 'a', { status }));
        seen.push(keys(s, 'hpc'));
      }
      expect(seen).toEqual([['w/a/submitted'], ['w/a/queued'], ['w/a/running'], ['w/a/settling'], []]);
      // A retry sends it back to pending (out), then into flight again (in).
      s.tx(() => s.patchTask('w', 'b', { status: 'running' }));
      s.tx(() => s.patchTask('w', 'b', { status: 'pending' }));
      expect(keys(s, 'hpc')).toEqual([]);
      s.tx(() => s.patchTask('w', 'b', { status: 'submitted' }));
      expect(keys(s, 'hpc')).toEqual(['w/b/submitted']);
      expect(s.db.pragma('integrity_check', { simple: true })).toBe('ok');
    } finally {
      s.close();
    }
  });
});
