// Task views built from kept definitions and kept JSON (task-views-kept.ts) against the same page built from the
// rows as read: byte for byte equal, and never stale — a task whose state moved, a task redefined, tasks added to
// the run, and a run deleted and made again under the same id with the same task ids on the same rowids, each
// show in the next answer. Real SQLite file.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Store } from '../../src-main/store/store';
import { statusCountsOf } from '../../src-main/store/queries/status-counts';
import { pageTasks } from '../../src-main/store/queries/task-page';
import { runWarningsOf } from '../../src-main/store/queries/run-warnings';
import { runsGet, runsGetJson, runsList } from '../../src-main/engine/read-calls';
import { toRunSummary, toTaskView } from '../../src-main/engine/views';
import { KEPT_CHARS_MAX, KEPT_TASKS_MAX, keptTaskCount } from '../../src-main/engine/task-views-kept';
import type { RunRow } from '../../src-main/store/rows';

let dir: string;
let store: Store;
const noLive = () => null;

function addRun(id: string, n: number, def: (i: number) => Record<string, unknown>): void {
  store.tx(() => {
    store.insertRun({ id, workflow_name: 'wf', title: 'a "quoted" title', backend_name: 'local', created_at: new Date().toISOString(), finished_at: null, status: 'running', attempt: 1, max_concurrent: null, doc_json: '{}', halted_reason: null, cancel_requested: 0, log_dir: null });
    store.insertTasks(id, Array.from({ length: n }, (_, i) => ({ task_id: `t${i}`, def_json: JSON.stringify({ id: `t${i}`, ...def(i) }), retries_left: 0, generated_by: null })));
  });
}

/** The answer as runs.get built it before anything was kept: every row read and its definition parsed. */
function uncached(input: { id: string; limit?: number; offset?: number; status?: string }): string {
  const { id, ...query } = input;
  const run = store.db.prepare('SELECT * FROM runs WHERE id = ?').get(id) as RunRow;
  const counts = statusCountsOf(store.db, id);
  const page = pageTasks(store.db, id, query, counts);
  const summary = toRunSummary(run, counts);
  return JSON.stringify({ ...summary, items: page.rows.map(toTaskView), log_dir: run.log_dir, total_items: summary.task_count, matched_items: page.matched, item_offset: page.offset, item_limit: page.limit, warnings: runWarningsOf(store.db, id) });
}

function expectFresh(input: { id: string; limit?: number; offset?: number; status?: string }): void {
  const want = uncached(input);
  expect(runsGetJson(store.db, input, noLive)).toBe(want);
  expect(JSON.stringify(runsGet(store.db, input, noLive))).toBe(want);
}

const rowids = (id: string) => store.db.prepare('SELECT rowid FROM tasks WHERE run_id = ? ORDER BY seq').pluck().all(id) as number[];
const names = (id: string, limit = 10) => (JSON.parse(runsGetJson(store.db, { id, limit }, noLive)) as { items: Array<{ name: string; command: string }> }).items.map((t) => t.name);

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sh-task-views-kept-'));
  store = new Store(path.join(dir, 'scripthut.db'));
});
afterEach(() => {
  store.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('task views kept between reads', () => {
  it('equal the page built from the rows as read, first and repeated reads, with odd values', () => {
    addRun('r1', 30, (i) => ({ name: i % 4 ? `Task "${i}"\n\u2603` : undefined, command: `echo ${i} \\ done`, cpus: i % 3 ? 2 : undefined, deps: i ? [`t${i - 1}`] : [] }));
    store.patchTask('r1', 't3', { status: 'failed', exitCode: 2, error: 'it said "no"\u0000', startedAt: '2026-01-01T00:00:00.000Z', finishedAt: '2026-01-01T00:00:01.500Z' });
    for (let k = 0; k < 2; k++) {
      expectFresh({ id: 'r1', limit: 10 });
      expectFresh({ id: 'r1', limit: 7, offset: 5 });
      expectFresh({ id: 'r1', limit: 50, status: 'failed,pending' });
      expectFresh({ id: 'r1', limit: 5, offset: 100 });
    }
  });

  it('show a task whose state moved since the last read', () => {
    addRun('r1', 10, (i) => ({ name: `n${i}`, command: 'true' }));
    expectFresh({ id: 'r1', limit: 10 });
    store.patchTask('r1', 't4', { status: 'running', jobId: '123', submittedAt: '2026-01-01T00:00:00.000Z', startedAt: '2026-01-01T00:00:01.000Z' });
    expectFresh({ id: 'r1', limit: 10 });
    store.patchTask('r1', 't4', { status: 'completed', exitCode: 0, finishedAt: '2026-01-01T00:00:02.000Z' });
    expectFresh({ id: 'r1', limit: 10 });
    expect((JSON.parse(runsGetJson(store.db, { id: 'r1', limit: 10 }, noLive)) as { items: Array<{ status: string }> }).items[4]?.status).toBe('completed');
  });

  it('show a task redefined in place, and tasks added to the run', () => {
    addRun('r1', 5, (i) => ({ name: `old ${i}`, command: 'true' }));
    expect(names('r1')).toEqual(['old 0', 'old 1', 'old 2', 'old 3', 'old 4']);
    store.db.prepare("UPDATE tasks SET def_json = ? WHERE run_id = 'r1' AND task_id = 't2'").run(JSON.stringify({ id: 't2', name: 'redefined', command: 'false' }));
    expect(names('r1')).toEqual(['old 0', 'old 1', 'redefined', 'old 3', 'old 4']);
    store.insertTasks('r1', [{ task_id: 'g1', def_json: JSON.stringify({ id: 'g1', name: 'generated' }), retries_left: 0, generated_by: 't0' }]);
    expect(names('r1')).toEqual(['old 0', 'old 1', 'redefined', 'old 3', 'old 4', 'generated']);
    expectFresh({ id: 'r1', limit: 10 });
  });

  it("never serve a deleted run's definitions to a run made again with its id, task ids and rowids", () => {
    addRun('same', 6, (i) => ({ name: `first ${i}`, command: 'echo first' }));
    const before = rowids('same');
    expect(names('same')[0]).toBe('first 0');
    store.deleteRun('same');
    addRun('same', 6, (i) => ({ name: `second ${i}`, command: 'echo second' }));
    // The case that matters: SQLite gave the new rows the old rowids, so only the token tells them apart.
    expect(rowids('same')).toEqual(before);
    expect(names('same')).toEqual(Array.from({ length: 6 }, (_, i) => `second ${i}`));
    expectFresh({ id: 'same', limit: 10 });
  });

  it('keep a bounded number of tasks however many pages are read, and still answer right', () => {
    const n = KEPT_TASKS_MAX + 2_500;
    addRun('big', n, (i) => ({ name: `n${i}`, command: 'true' }));
    for (let offset = 0; offset < n; offset += 2_000) {
      runsGetJson(store.db, { id: 'big', limit: 2_000, offset }, noLive);
      expect(keptTaskCount(store.db).tasks).toBeLessThanOrEqual(KEPT_TASKS_MAX);
    }
    expect(keptTaskCount(store.db).tasks).toBeGreaterThan(0);
    expectFresh({ id: 'big', limit: 200, offset: n - 150 });
    expectFresh({ id: 'big', limit: 200, offset: 0 });
  });

  it('keep tasks with long commands within the size bound', () => {
    const long = 'x'.repeat(20_000);
    addRun('long', 600, (i) => ({ name: `n${i}`, command: `${long} ${i}` }));
    for (let offset = 0; offset < 600; offset += 200) {
      runsGetJson(store.db, { id: 'long', limit: 200, offset }, noLive);
      expect(keptTaskCount(store.db).chars).toBeLessThanOrEqual(KEPT_CHARS_MAX);
    }
    expect(keptTaskCount(store.db).tasks).toBeLessThan(600);
    expectFresh({ id: 'long', limit: 200, offset: 400 });
  });
});

describe('runs.list with counts the engine holds', () => {
  it('uses the held counts for those runs and counts the others in SQL', () => {
    addRun('held', 4, (i) => ({ name: `n${i}` }));
    addRun('other', 3, (i) => ({ name: `n${i}` }));
    store.patchTask('other', 't0', { status: 'failed', exitCode: 1 });
    // Held counts that differ from the table's: the answer must show them, proving no SQL count replaced them.
    const live = (id: string) => (id === 'held' ? { running: 3, completed: 1 } : null);
    const page = runsList(store.db, { limit: 20 }, live);
    const byId = new Map(page.runs.map((r) => [r.id, r]));
    expect(byId.get('held')?.status_counts).toEqual({ running: 3, completed: 1 });
    expect(byId.get('other')?.status_counts).toEqual({ failed: 1, pending: 2 });
    expect(byId.get('other')?.task_count).toBe(3);
  });
});
