// runs.timeline on a real SQLite file: a big run's Timeline by task group (first submit, first start, last finish,
// mean wait and run, counts) and a group's tasks a page at a time.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { calls } from '../../src-shared/api/contract';
import { timelineGroupPage, timelineGroups } from '../../src-main/store/queries/run-timeline';
import { Store } from '../../src-main/store/store';
import type { TaskPatch } from '../../src-main/model/task-runtime';

const roots: string[] = [];
afterAll(() => roots.forEach((r) => fs.rmSync(r, { recursive: true, force: true })));

const T = (s: number): string => new Date(Date.UTC(2026, 0, 1, 0, 0, s)).toISOString();

function storeWith(tasks: Array<[string, TaskPatch?]>): Store {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'scripthut-timeline-'));
  roots.push(root);
  const store = new Store(path.join(root, 'scripthut.db'));
  store.insertRun({
    id: 'run00001', workflow_name: 'wf', title: null, backend_name: 'local', created_at: T(0), finished_at: null, status: 'running',
    attempt: 1, max_concurrent: null, doc_json: '{}', halted_reason: null, cancel_requested: 0, log_dir: null,
  });
  store.insertTasks('run00001', tasks.map(([id]) => ({ task_id: id, def_json: JSON.stringify({ id, name: id, command: 'true', deps: [] }), retries_left: 0, generated_by: null })));
  for (const [id, patch] of tasks) if (patch) store.patchTask('run00001', id, patch);
  return store;
}

describe('Timeline by group', () => {
  const store = storeWith([
    ['prep', { status: 'completed', submittedAt: T(0), startedAt: T(2), finishedAt: T(10) }],
    ['align.b', { status: 'completed', submittedAt: T(10), startedAt: T(14), finishedAt: T(30) }],
    ['align.a', { status: 'failed', submittedAt: T(11), startedAt: T(12), finishedAt: T(20), exitCode: 1 }],
    ['align.c', { status: 'running', submittedAt: T(12), startedAt: T(20) }],
    ['call.a', { status: 'queued', submittedAt: T(31) }],
    ['call.b'],
    // Seen started before its submission was recorded: it did not wait.
    ['call.c', { status: 'completed', submittedAt: T(40), startedAt: T(39), finishedAt: T(45) }],
  ]);

  it('one entry per group in id order (ungrouped first): spans, counts, mean wait and run', () => {
    const groups = timelineGroups(store.db, 'run00001');
    expect(groups.map((g) => [g.group, g.count])).toEqual([
      [null, 1],
      ['align', 3],
      ['call', 3],
    ]);
    const [solo, align, call] = groups;
    expect(solo).toMatchObject({ submitted_at: T(0), started_at: T(2), finished_at: T(10), active: 0, mean_wait_ms: 2000, mean_run_ms: 8000, status_counts: { completed: 1 } });
    // align.c still runs: the group has no last finish yet, and its run bar reaches now.
    expect(align).toMatchObject({ submitted_at: T(10), started_at: T(12), finished_at: null, active: 1, status_counts: { running: 1, completed: 1, failed: 1 } });
    expect(align!.mean_wait_ms).toBe(Math.round((4000 + 1000 + 8000) / 3));
    expect(align!.mean_run_ms).toBe((16000 + 8000) / 2);
    expect(call).toMatchObject({ submitted_at: T(31), started_at: T(39), finished_at: null, active: 1, mean_wait_ms: 0, mean_run_ms: 6000, status_counts: { pending: 1, queued: 1, completed: 1 } });
    expect(calls['runs.timeline'].output.parse({ run_id: 'run00001', task_count: 7, groups })).toEqual({ run_id: 'run00001', task_count: 7, groups });
  });

  it("a group's tasks come a page at a time in id order; '' is the ungrouped tasks", () => {
    expect(timelineGroupPage(store.db, 'run00001', 'align', 0, 2)).toEqual({
      total: 3,
      tasks: [
        { id: 'align.a', status: 'failed', submitted_at: T(11), started_at: T(12), finished_at: T(20) },
        { id: 'align.b', status: 'completed', submitted_at: T(10), started_at: T(14), finished_at: T(30) },
      ],
    });
    expect(timelineGroupPage(store.db, 'run00001', 'align', 2, 2).tasks.map((t) => t.id)).toEqual(['align.c']);
    expect(timelineGroupPage(store.db, 'run00001', null).tasks.map((t) => t.id)).toEqual(['prep']);
    expect(timelineGroupPage(store.db, 'run00001', 'nope')).toEqual({ total: 0, tasks: [] });
    expect(calls['runs.timeline'].input.parse({ id: 'r', group: '', offset: '500', limit: '500' })).toEqual({ id: 'r', group: '', offset: 500, limit: 500 });
    expect(calls['runs.timeline'].input.safeParse({ id: 'r', limit: 5000 }).success).toBe(false);
  });

  it('groups through the index of migration 15', () => {
    const plan = (store.db.prepare(`EXPLAIN QUERY PLAN SELECT CASE WHEN instr(task_id, '.') > 1 THEN substr(task_id, 1, instr(task_id, '.') - 1) END AS g, status, count(*) FROM tasks WHERE run_id = ? GROUP BY 1, 2`).all('run00001') as Array<{ detail: string }>).map((r) => r.detail).join('; ');
    expect(plan).toContain('tasks_run_group');
    expect(plan).not.toContain('TEMP B-TREE');
  });
});
