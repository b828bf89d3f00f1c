// Migrations 11 (in-flight-only status index) and 12 (counts kept on a finished run): a database written at
// schema 9 upgrades and reads back the same pages, counts and in-flight tasks; the kept counts follow a run
// through finish, rerun and finish again. Real SQLite files throughout.
import Database from 'better-sqlite3';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { MIGRATIONS } from '../../src-main/store/migrations';
import { Store } from '../../src-main/store/store';
import { pageRuns } from '../../src-main/store/queries/runs-page';
import { statusCountsOf } from '../../src-main/store/queries/status-counts';
import { pageTasks } from '../../src-main/store/queries/task-page';
import type { RunRow } from '../../src-main/store/rows';
import type { TaskStatus } from '../../src-shared/model/status';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});
function dbFile(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'sh-upgrade-'));
  dirs.push(d);
  return path.join(d, 'scripthut.db');
}

const MIX: TaskStatus[] = ['pending', 'submitted', 'queued', 'running', 'settling', 'completed', 'failed', 'dep_failed', 'cancelled'];

function run(id: string, backend: string, minute: number): RunRow {
  return { id, workflow_name: 'wf', title: `run ${id}`, backend_name: backend, created_at: new Date(Date.UTC(2026, 0, 1, 0, minute)).toISOString(), finished_at: null, status: 'running', attempt: 1, max_concurrent: null, doc_json: '{}', halted_reason: null, cancel_requested: 0, log_dir: null };
}

/** Runs with tasks in every status, written through the Store's own functions at whatever schema `db` has. */
function fill(s: Store): void {
  s.tx(() => {
    for (let r = 0; r < 6; r++) {
      const id = `r${r}`;
      s.insertRun(run(id, r % 2 ? 'hpc' : 'local', r));
      s.insertTasks(id, Array.from({ length: 30 }, (_, i) => ({ task_id: `t${i}`, def_json: JSON.stringify({ id: `t${i}`, name: `Task ${i}` }), retries_left: 0, generated_by: null })));
      for (let i = 0; i < 30; i++) {
        // Finished runs (r0, r2, r4) hold terminal tasks only; the others hold every status.
        const status = r % 2 === 0 ? ((['completed', 'failed', 'cancelled', 'dep_failed'] as const)[(i + r) % 4] as TaskStatus) : (MIX[(i + r) % MIX.length] as TaskStatus);
        if (status !== 'pending') s.patchTask(id, `t${i}`, { status, jobId: String(1000 * r + i), submittedAt: '2026-01-01T00:00:00.000Z', startedAt: '2026-01-01T00:00:01.000Z', finishedAt: (['completed', 'failed', 'cancelled', 'dep_failed'] as string[]).includes(status) ? `2026-01-01T00:0${i % 10}:00.000Z` : null });
      }
      if (r % 2 === 0) s.updateRun(id, { status: r === 0 ? 'completed' : 'failed', finished_at: '2026-01-01T01:00:00.000Z' });
    }
  });
}

/** Everything the upgrade must keep: pages of runs and tasks, counts, in-flight tasks per backend. */
function readAll(s: Store): unknown {
  const page = pageRuns(s.db, { limit: 500 });
  return {
    runs: page.runs,
    total: page.total,
    failed: pageRuns(s.db, { status: 'failed' }).runs.map((r) => r.run.id),
    counts: ['r0', 'r1', 'r2', 'r3'].map((id) => statusCountsOf(s.db, id)),
    tasks: pageTasks(s.db, 'r1', { sort: 'finished_at', order: 'desc' }, statusCountsOf(s.db, 'r1')).rows,
    inFlight: ['local', 'hpc'].map((b) => s.inFlightTasks(b).map((t) => `${t.run_id}/${t.task_id}/${t.status}`)),
  };
}

describe('upgrading a schema-9 database to 12', () => {
  it('reads back the same runs, counts, task pages and in-flight tasks', () => {
    // Schema 9 as the previous version left it: its migrations only, with the old tasks_status index.
    const oldFile = dbFile();
    const o = new Database(oldFile);
    for (const m of MIGRATIONS.filter((x) => x.version <= 9)) o.exec(m.sql);
    o.pragma('user_version = 9');
    o.close();
    // Written at schema 9 by the Store's own statements, on a connection that skips the migration step.
    const legacy = Object.create(Store.prototype) as Store;
    Object.assign(legacy, { db: new Database(oldFile), commandLogRetention: 10, commandInserts: new Map(), stmts: new Map(), patchStmts: new Map(), runRows: new Map(), runsWrittenInTx: new Set(), txDepth: 0, usageMarks: new Map() });
    fill(legacy);
    // What the previous version read: counts by GROUP BY, in-flight tasks through tasks_status.
    const legacyCounts = ['r0', 'r1', 'r2', 'r3'].map((id) => Object.fromEntries((legacy.db.prepare('SELECT status, COUNT(*) AS n FROM tasks WHERE run_id = ? GROUP BY status').all(id) as Array<{ status: string; n: number }>).map((c) => [c.status, c.n])));
    const legacyInFlight = ['local', 'hpc'].map((b) => legacy.inFlightTasks(b).map((t) => `${t.run_id}/${t.task_id}/${t.status}`));
    expect((legacy.db.prepare(`SELECT name FROM sqlite_master WHERE name = 'tasks_status'`).pluck().get() as string) ?? null).toBe('tasks_status');
    legacy.db.close();

    const upgraded = new Store(oldFile);
    try {
      expect(upgraded.db.pragma('user_version', { simple: true })).toBe(Math.max(...MIGRATIONS.map((m) => m.version)));
      const after = readAll(upgraded) as { counts: unknown; inFlight: unknown };
      expect(after.counts).toEqual(legacyCounts);
      expect(after.inFlight).toEqual(legacyInFlight);
      expect(legacyInFlight.flat().length).toBeGreaterThan(0);
      // The same history written at the new schema reads the same in every respect.
      const fresh = new Store(dbFile());
      fill(fresh);
      expect(after).toEqual(readAll(fresh));
      fresh.close();
      // The finished runs got their counts at upgrade; the running ones have none.
      const kept = upgraded.db.prepare('SELECT id, task_counts FROM runs ORDER BY id').all() as Array<{ id: string; task_counts: string | null }>;
      expect(kept.filter((k) => k.task_counts !== null).map((k) => k.id)).toEqual(['r0', 'r2', 'r4']);
      // The in-flight lookup goes through the partial index (its WHERE as migration 14 writes it).
      const plan = upgraded.db.prepare(`EXPLAIN QUERY PLAN SELECT t.* FROM tasks t CROSS JOIN runs r ON r.id = t.run_id
      WHERE (t.status = 'submitted' OR t.status = 'queued' OR t.status = 'running' OR t.status = 'settling') AND r.backend_name = ? ORDER BY r.created_at, t.seq`).all('hpc') as Array<{ detail: string }>;
      expect(plan.map((p) => p.detail).join('\n')).toContain('tasks_in_flight');
    } finally {
      upgraded.close();
    }
  });

  it('keeps counts when a run finishes, drops them on a rerun, and takes them again at the next finish', () => {
    const s = new Store(dbFile());
    try {
      fill(s);
      const keptOf = (id: string) => s.db.prepare('SELECT task_counts FROM runs WHERE id = ?').pluck().get(id) as string | null;
      expect(JSON.parse(keptOf('r0') as string)).toEqual(statusCountsOf(s.db, 'r0'));
      expect(keptOf('r1')).toBeNull();
      // A rerun makes the run pending and its tasks pending again.
      s.tx(() => {
        s.updateRun('r0', { status: 'pending', finished_at: null, attempt: 2 });
        for (let i = 0; i < 10; i++) s.patchTask('r0', `t${i}`, { status: 'pending', attempt: 2, finishedAt: null });
      });
      expect(keptOf('r0')).toBeNull();
      expect(statusCountsOf(s.db, 'r0').pending).toBe(10);
      expect(pageRuns(s.db, {}).runs.find((r) => r.run.id === 'r0')?.counts.pending).toBe(10);
      s.tx(() => {
        for (let i = 0; i < 10; i++) s.patchTask('r0', `t${i}`, { status: 'completed', finishedAt: '2026-01-02T00:00:00.000Z' });
        s.updateRun('r0', { status: 'completed', finished_at: '2026-01-02T00:00:00.000Z' });
      });
      const counted = s.db.prepare(`SELECT status, COUNT(*) AS n FROM tasks WHERE run_id = 'r0' GROUP BY status`).all() as Array<{ status: string; n: number }>;
      expect(JSON.parse(keptOf('r0') as string)).toEqual(Object.fromEntries(counted.map((c) => [c.status, c.n])));
      expect(pageRuns(s.db, {}).runs.find((r) => r.run.id === 'r0')?.counts).toEqual(Object.fromEntries(counted.map((c) => [c.status, c.n])));
    } finally {
      s.close();
    }
  });
});
