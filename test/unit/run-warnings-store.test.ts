// Migration 19 and the run_warnings rows: what a run's workflow warnings read back as (order, source, no repeats),
// what health counts, that they go with their run, and that stores on either side of the migration open.
// Real SQLite files throughout.
import Database from 'better-sqlite3';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { MIGRATIONS } from '../../src-main/store/migrations';
import { Store } from '../../src-main/store/store';
import { activeRunsWithWarnings, runWarningsOf } from '../../src-main/store/queries/run-warnings';
import { runsGet } from '../../src-main/engine/read-calls';
import type { RunRow } from '../../src-main/store/rows';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});
function dbFile(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'sh-warnings-'));
  dirs.push(d);
  return path.join(d, 'scripthut.db');
}
const LATEST = Math.max(...MIGRATIONS.map((m) => m.version));
const AT = '2026-01-01T00:00:00.000Z';

function run(id: string, status: RunRow['status'] = 'running'): RunRow {
  return { id, workflow_name: 'wf', title: null, backend_name: 'local', created_at: AT, finished_at: null, status, attempt: 1, max_concurrent: null, doc_json: '{}', halted_reason: null, cancel_requested: 0, log_dir: null };
}

describe('run warnings in the store', () => {
  it('read back in the order found, located by generator, without repeats', () => {
    const s = new Store(dbFile());
    try {
      s.tx(() => {
        s.insertRun(run('r1'));
        s.insertTasks('r1', [{ task_id: 'gen', def_json: '{"id":"gen"}', retries_left: 0, generated_by: null }]);
        s.addRunWarnings('r1', ["tasks[0] ('a'): unknown field 'colour' was ignored", "top level: unknown key 'titel' was ignored; did you mean 'title'?"], null, AT);
      });
      s.tx(() => s.addRunWarnings('r1', ["/w/more.json: tasks[0] ('b'): unknown field 'x' was ignored"], 'gen', '2026-01-01T00:01:00.000Z'));
      // The generator runs again (a rerun): the same warning is not added twice, a new one is.
      s.tx(() => s.addRunWarnings('r1', ["/w/more.json: tasks[0] ('b'): unknown field 'x' was ignored", "/w/more.json: tasks[1] ('c'): unknown field 'y' was ignored"], 'gen', '2026-01-01T00:02:00.000Z'));
      expect(s.runWarnings('r1')).toEqual([
        { message: "tasks[0] ('a'): unknown field 'colour' was ignored", generated_by: null, created_at: AT },
        { message: "top level: unknown key 'titel' was ignored; did you mean 'title'?", generated_by: null, created_at: AT },
        { message: "/w/more.json: tasks[0] ('b'): unknown field 'x' was ignored", generated_by: 'gen', created_at: '2026-01-01T00:01:00.000Z' },
        { message: "/w/more.json: tasks[1] ('c'): unknown field 'y' was ignored", generated_by: 'gen', created_at: '2026-01-01T00:02:00.000Z' },
      ]);
      // runs.get carries them (the read worker answers with the same function).
      const detail = runsGet(s.db, { id: 'r1' }, () => null);
      expect(detail.warnings?.map((w) => w.message)).toEqual(s.runWarnings('r1').map((w) => w.message));
      expect(detail.items.map((t) => t.id)).toEqual(['gen']);
      s.tx(() => s.insertRun(run('r2')));
      expect(runsGet(s.db, { id: 'r2' }, () => null).warnings).toEqual([]);
    } finally {
      s.close();
    }
  });

  it('health counts the active runs that have warnings; a deleted run takes its warnings with it', () => {
    const s = new Store(dbFile());
    try {
      s.tx(() => {
        s.insertRun(run('active-warned', 'running'));
        s.insertRun(run('pending-warned', 'pending'));
        s.insertRun(run('done-warned', 'completed'));
        s.insertRun(run('active-clean', 'running'));
        for (const id of ['active-warned', 'pending-warned', 'done-warned']) s.addRunWarnings(id, ['w1', 'w2'], null, AT);
      });
      expect(activeRunsWithWarnings(s.db)).toBe(2);
      s.tx(() => s.updateRun('pending-warned', { status: 'failed', finished_at: AT }));
      expect(activeRunsWithWarnings(s.db)).toBe(1);
      s.tx(() => s.deleteRun('active-warned'));
      expect(activeRunsWithWarnings(s.db)).toBe(0);
      expect(s.db.prepare(`SELECT count(*) FROM run_warnings WHERE run_id = 'active-warned'`).pluck().get()).toBe(0);
      expect(s.runWarnings('done-warned')).toHaveLength(2);
    } finally {
      s.close();
    }
  });
});

describe('migration 19', () => {
  function oldStore(file: string, upTo: number): void {
    const o = new Database(file);
    for (const m of [...MIGRATIONS].sort((a, b) => a.version - b.version).filter((x) => x.version <= upTo && x.version !== 19)) o.exec(m.sql);
    o.pragma(`user_version = ${upTo}`);
    o.prepare(`INSERT INTO runs (id, workflow_name, backend_name, created_at, status, doc_json) VALUES ('old', 'wf', 'local', ?, 'running', '{}')`).run(AT);
    o.close();
  }

  it('upgrades a schema-16 store: its runs read with no warnings, new ones are kept', () => {
    const file = dbFile();
    oldStore(file, 16);
    // Read-only (CLI history without an engine) before the upgrade: no table, no warnings, no error.
    const ro = new Store(file, { readonly: true });
    expect(runWarningsOf(ro.db, 'old')).toEqual([]);
    expect(activeRunsWithWarnings(ro.db)).toBe(0);
    ro.close();
    const s = new Store(file);
    try {
      expect(s.db.pragma('user_version', { simple: true })).toBe(LATEST);
      expect(s.runWarnings('old')).toEqual([]);
      s.tx(() => s.addRunWarnings('old', ['late'], null, AT));
      expect(s.runWarnings('old').map((w) => w.message)).toEqual(['late']);
    } finally {
      s.close();
    }
  });

  it('is applied to a store already past 19 that lacks it (merged after a higher number)', () => {
    const file = dbFile();
    oldStore(file, LATEST);
    const s = new Store(file);
    try {
      expect(s.db.pragma('user_version', { simple: true })).toBe(LATEST);
      s.tx(() => s.addRunWarnings('old', ['kept'], null, AT));
      expect(s.runWarnings('old').map((w) => w.message)).toEqual(['kept']);
    } finally {
      s.close();
    }
    // Opening again does not apply it a second time (it is there now).
    const again = new Store(file);
    expect(again.runWarnings('old').map((w) => w.message)).toEqual(['kept']);
    again.close();
  });
});
