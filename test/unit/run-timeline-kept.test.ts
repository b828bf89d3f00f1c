// The grouped Timeline is kept between reads only while it cannot have changed: a running run's until the database
// changes at all (this connection's writes, another connection's commits), a finished run's until it is reopened,
// refinished or its task set changes. Each case transitions a task and reads again on a real SQLite file.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { timelineGroups } from '../../src-main/store/queries/run-timeline';
import { Store } from '../../src-main/store/store';
import type { RunStatus } from '../../src-shared/model/status';

const roots: string[] = [];
afterAll(() => roots.forEach((r) => fs.rmSync(r, { recursive: true, force: true })));

const T = (s: number): string => new Date(Date.UTC(2026, 0, 1, 0, 0, s)).toISOString();

function storeWith(runs: Array<{ id: string; status: RunStatus }>): { store: Store; file: string } {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'scripthut-timeline-kept-'));
  roots.push(root);
  const file = path.join(root, 'scripthut.db');
  const store = new Store(file);
  for (const r of runs) {
    store.insertRun({
      id: r.id, workflow_name: 'wf', title: null, backend_name: 'local', created_at: T(0), finished_at: null, status: 'running',
      attempt: 1, max_concurrent: null, doc_json: '{}', halted_reason: null, cancel_requested: 0, log_dir: null,
    });
    store.insertTasks(r.id, ['a.1', 'a.2', 'b.1'].map((id) => ({ task_id: id, def_json: JSON.stringify({ id, name: id, command: 'true', deps: [] }), retries_left: 0, generated_by: null })));
    store.patchTask(r.id, 'a.1', { status: 'completed', submittedAt: T(1), startedAt: T(2), finishedAt: T(10) });
    store.patchTask(r.id, 'a.2', { status: 'running', submittedAt: T(1), startedAt: T(3) });
    if (r.status !== 'running') {
      store.patchTask(r.id, 'a.2', { status: 'completed', finishedAt: T(20) });
      store.patchTask(r.id, 'b.1', { status: 'cancelled', finishedAt: T(20) });
      store.updateRun(r.id, { status: r.status, finished_at: T(20) });
    }
  }
  return { store, file };
}

const groupA = (store: Store, run: string) => timelineGroups(store.db, run).find((g) => g.group === 'a');

describe('kept grouped Timeline', () => {
  it("a running run's timeline shows a transition written through the same connection", () => {
    const { store } = storeWith([{ id: 'r1', status: 'running' }]);
    expect(groupA(store, 'r1')).toMatchObject({ active: 1, finished_at: null, status_counts: { completed: 1, running: 1 } });
    expect(groupA(store, 'r1')).toMatchObject({ active: 1 });
    store.patchTask('r1', 'a.2', { status: 'completed', finishedAt: T(30) });
    expect(groupA(store, 'r1')).toMatchObject({ active: 0, finished_at: T(30), status_counts: { completed: 2 } });
    store.close();
  });

  it("a running run's timeline shows a transition committed by another connection", () => {
    const { store, file } = storeWith([{ id: 'r1', status: 'running' }]);
    expect(groupA(store, 'r1')).toMatchObject({ active: 1 });
    const other = new Database(file);
    other.prepare(`UPDATE tasks SET status = 'completed', finished_at = ? WHERE run_id = 'r1' AND task_id = 'a.2'`).run(T(31));
    other.close();
    expect(groupA(store, 'r1')).toMatchObject({ active: 0, finished_at: T(31) });
    store.close();
  });

  it('a read inside a transaction that is rolled back leaves nothing behind', () => {
    const { store } = storeWith([{ id: 'r1', status: 'running' }]);
    expect(groupA(store, 'r1')).toMatchObject({ active: 1 });
    expect(() =>
      store.tx(() => {
        store.patchTask('r1', 'a.2', { status: 'failed', finishedAt: T(40) });
        expect(groupA(store, 'r1')).toMatchObject({ active: 0, status_counts: { completed: 1, failed: 1 } });
        throw new Error('rolled back');
      }),
    ).toThrow('rolled back');
    expect(groupA(store, 'r1')).toMatchObject({ active: 1, finished_at: null, status_counts: { completed: 1, running: 1 } });
    store.close();
  });

  it("a finished run's timeline is kept across writes to other runs and renewed when it is reopened or its tasks change", () => {
    const { store } = storeWith([
      { id: 'done', status: 'completed' },
      { id: 'busy', status: 'running' },
    ]);
    const first = timelineGroups(store.db, 'done');
    expect(first.find((g) => g.group === 'a')).toMatchObject({ active: 0, finished_at: T(20) });
    // Callers get copies: changing one answer does not change the next.
    first[0]!.count = -1;
    (first[0]!.status_counts as Record<string, number>).completed = -1;
    store.patchTask('busy', 'a.2', { status: 'completed', finishedAt: T(25) });
    expect(timelineGroups(store.db, 'done')[0]!.count).toBe(2);
    expect(timelineGroups(store.db, 'done')[0]!.status_counts).toEqual({ completed: 2 });
    // Rerun and finished again with no read between: the kept timeline is not the one shown.
    store.updateRun('done', { status: 'running', finished_at: null, attempt: 2 });
    store.patchTask('done', 'b.1', { status: 'failed', submittedAt: T(40), startedAt: T(41), finishedAt: T(45) });
    store.updateRun('done', { status: 'failed', finished_at: T(45) });
    expect(timelineGroups(store.db, 'done').find((g) => g.group === 'b')).toMatchObject({ active: 0, finished_at: T(45), status_counts: { failed: 1 } });
    // A rerun reopens the run: its tasks move again and the timeline follows.
    store.updateRun('done', { status: 'running', finished_at: null, attempt: 3 });
    store.patchTask('done', 'b.1', { status: 'running', submittedAt: T(50), startedAt: T(51), finishedAt: null });
    expect(timelineGroups(store.db, 'done').find((g) => g.group === 'b')).toMatchObject({ active: 1, started_at: T(51), status_counts: { running: 1 } });
    store.patchTask('done', 'b.1', { status: 'completed', finishedAt: T(60) });
    store.updateRun('done', { status: 'completed', finished_at: T(60) });
    expect(timelineGroups(store.db, 'done').find((g) => g.group === 'b')).toMatchObject({ active: 0, finished_at: T(60), status_counts: { completed: 1 } });
    // Its task set changes (a task removed): the kept timeline goes.
    store.deleteTasks('done', ['b.1']);
    expect(timelineGroups(store.db, 'done').map((g) => g.group)).toEqual(['a']);
    store.close();
  });
});
