// runs.graph at group level, counted in SQL on a real SQLite file: per-state counts per group, group → group
// dependency counts, the same nodes and edges as the pure groupGraph, and one group expanded to a page of tasks.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { calls } from '../../src-shared/api/contract';
import { OTHER_TASKS, groupGraph } from '../../src-shared/model/run-graph';
import { groupGraphFromStore, runTaskEdges } from '../../src-main/store/queries/run-graph';
import { Store } from '../../src-main/store/store';
import Database from 'better-sqlite3';
import { migrate } from '../../src-main/store/db';
import { MIGRATIONS } from '../../src-main/store/migrations';
import type { TaskStatus } from '../../src-shared/model/status';

const roots: string[] = [];
afterAll(() => roots.forEach((r) => fs.rmSync(r, { recursive: true, force: true })));

function storeWith(tasks: Array<[string, string[], TaskStatus?]>): Store {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'scripthut-graph-sql-'));
  roots.push(root);
  const store = new Store(path.join(root, 'scripthut.db'));
  store.insertRun({
    id: 'run00001', workflow_name: 'wf', title: null, backend_name: 'local', created_at: '2026-01-01T00:00:00.000Z', finished_at: null, status: 'running',
    attempt: 1, max_concurrent: null, doc_json: '{}', halted_reason: null, cancel_requested: 0, log_dir: null,
  });
  store.insertTasks('run00001', tasks.map(([id, deps]) => ({ task_id: id, def_json: JSON.stringify({ id, name: id, command: 'true', deps, cpus: 1, memory: '1G', time_limit: '1:00:00', partition: null }), retries_left: 0, generated_by: null })));
  for (const [id, , status] of tasks) if (status) store.patchTask('run00001', id, { status });
  return store;
}

describe('group-level graph counted in SQL', () => {
  const tasks: Array<[string, string[], TaskStatus?]> = [
    ['prep', [], 'completed'],
    ['align.a', ['prep'], 'completed'],
    ['align.b', ['prep', 'align.a'], 'running'],
    ['align.c', ['prep'], 'failed'],
    ['call.a', ['align.a', 'align.b']],
    ['call.b', ['align.b', 'ghost.x']],
    ['report', ['call.a', 'call.b', 'prep']],
  ];

  it('nodes carry per-state counts, edges carry how many task dependencies they stand for', () => {
    const store = storeWith(tasks);
    const g = groupGraphFromStore(store.db, 'run00001', { maxNodes: 100 });
    expect(g.level).toBe('group');
    expect(g.task_count).toBe(7);
    expect(g.nodes).toEqual([
      { id: 'prep', state: 'completed', group: null, count: 1, status_counts: { completed: 1 }, kind: 'group' },
      { id: 'align', state: 'failed', group: 'align', count: 3, status_counts: { running: 1, completed: 1, failed: 1 }, kind: 'group' },
      { id: 'call', state: 'pending', group: 'call', count: 2, status_counts: { pending: 2 }, kind: 'group' },
      { id: 'report', state: 'pending', group: null, count: 1, status_counts: { pending: 1 }, kind: 'group' },
    ]);
    const weighted = Object.fromEntries(g.edges.map(([f, t], i) => [`${f}>${t}`, g.edge_counts?.[i]]));
    // align.a → align.b is inside a group; ghost.x is not a task of the run.
    expect(weighted).toEqual({ 'prep>align': 3, 'align>call': 3, 'call>report': 2, 'prep>report': 1 });
    // The same nodes and edges as the pure shaping over every task's dependencies.
    const pure = groupGraph('run00001', runTaskEdges(store.db, 'run00001'), 100);
    expect(g.nodes.map(({ kind: _k, ...n }) => n)).toEqual(pure.nodes);
    expect([...g.edges].sort()).toEqual([...pure.edges].sort());
    expect(calls['runs.graph'].output.parse(g)).toEqual(g);
  });

  it('the counts follow state changes (the dependency counts are reused, the states are not)', () => {
    const store = storeWith(tasks);
    groupGraphFromStore(store.db, 'run00001', { maxNodes: 100 });
    store.patchTask('run00001', 'call.a', { status: 'running' });
    const g = groupGraphFromStore(store.db, 'run00001', { maxNodes: 100 });
    expect(g.nodes.find((n) => n.id === 'call')).toMatchObject({ state: 'running', status_counts: { pending: 1, running: 1 } });
  });

  it('ungrouped tasks share one node when they would exceed the limit', () => {
    const store = storeWith([['g.a', []], ...Array.from({ length: 5 }, (_, i): [string, string[]] => [`solo${i}`, ['g.a']])]);
    const g = groupGraphFromStore(store.db, 'run00001', { maxNodes: 3 });
    expect(g.nodes.map((n) => [n.id, n.count])).toEqual([
      ['g', 1],
      [OTHER_TASKS, 5],
    ]);
    expect(g.edges).toEqual([['g', OTHER_TASKS]]);
    expect(g.edge_counts).toEqual([5]);
  });

  it('an expanded group is a page of its tasks in id order, tied to the other groups by their own dependencies', () => {
    const store = storeWith(tasks);
    const g = groupGraphFromStore(store.db, 'run00001', { maxNodes: 100, expand: 'align', limit: 2 });
    expect(g.expanded).toEqual({ group: 'align', offset: 0, shown: 2, total: 3 });
    expect(g.nodes.map((n) => [n.id, n.kind, n.state])).toEqual([
      ['prep', 'group', 'completed'],
      ['call', 'group', 'pending'],
      ['report', 'group', 'pending'],
      ['align.a', 'task', 'completed'],
      ['align.b', 'task', 'running'],
    ]);
    const weighted = Object.fromEntries(g.edges.map(([f, t], i) => [`${f}>${t}`, g.edge_counts?.[i]]));
    expect(weighted).toEqual({ 'prep>align.a': 1, 'prep>align.b': 1, 'align.a>align.b': 1, 'align.a>call': 1, 'align.b>call': 2, 'call>report': 2, 'prep>report': 1 });
    const next = groupGraphFromStore(store.db, 'run00001', { maxNodes: 100, expand: 'align', offset: 2, limit: 2 });
    expect(next.expanded).toEqual({ group: 'align', offset: 2, shown: 1, total: 3 });
    expect(next.nodes.filter((n) => n.kind === 'task').map((n) => [n.id, n.state])).toEqual([['align.c', 'failed']]);
    // An unknown group expands nothing.
    expect(groupGraphFromStore(store.db, 'run00001', { maxNodes: 100, expand: 'nope' }).expanded).toBeUndefined();
  });

  it('an expanded group follows changes of the tasks that depend on it (kept under the task-set token)', () => {
    const store = storeWith(tasks);
    const edgesOf = (): Record<string, number | undefined> => {
      const g = groupGraphFromStore(store.db, 'run00001', { maxNodes: 100, expand: 'align', limit: 3 });
      return Object.fromEntries(g.edges.map(([f, t], i) => [`${f}>${t}`, g.edge_counts?.[i]]));
    };
    expect(edgesOf()).toMatchObject({ 'align.a>call': 1, 'align.b>call': 2 });
    // A state change keeps the same dependencies.
    store.patchTask('run00001', 'call.a', { status: 'running' });
    expect(edgesOf()).toMatchObject({ 'align.a>call': 1, 'align.b>call': 2 });
    // A new dependant, a removed one and a rewritten dependency list all show in the next read.
    store.insertTasks('run00001', [{ task_id: 'call.c', def_json: JSON.stringify({ id: 'call.c', name: 'call.c', command: 'true', deps: ['align.c'] }), retries_left: 0, generated_by: null }]);
    expect(edgesOf()).toMatchObject({ 'align.a>call': 1, 'align.b>call': 2, 'align.c>call': 1 });
    store.deleteTasks('run00001', ['call.b']);
    expect(edgesOf()).toMatchObject({ 'align.a>call': 1, 'align.b>call': 1, 'align.c>call': 1 });
    store.db.prepare(`UPDATE tasks SET def_json = json_set(def_json, '$.deps', json('["align.c"]')) WHERE run_id = 'run00001' AND task_id = 'call.a'`).run();
    const after = edgesOf();
    expect(after).toMatchObject({ 'align.c>call': 2 });
    expect(after['align.a>call']).toBeUndefined();
    expect(after['align.b>call']).toBeUndefined();
  });

  it('the call takes expand, offset and limit, and refuses a limit above 2,000', () => {
    expect(calls['runs.graph'].input.parse({ id: 'r', expand: 'g01', offset: '200', limit: '200' })).toEqual({ id: 'r', expand: 'g01', offset: 200, limit: 200 });
    expect(calls['runs.graph'].input.safeParse({ id: 'r', limit: 5000 }).success).toBe(false);
  });

  // Migration 15's table run_graph_edges is what the group-level edges are read from: it must follow every write.
  const summaryOf = (store: Store): Record<string, number> =>
    Object.fromEntries((store.db.prepare(`SELECT from_node, to_node, n FROM run_graph_edges WHERE run_id = 'run00001'`).raw().all() as Array<[string, string, number]>).map(([f, t, n]) => [`${f}>${t}`, n]));

  it('the dependency counts follow added, deleted and rewritten tasks, and equal a count over every dependency', () => {
    const store = storeWith(tasks);
    const fresh = (): Record<string, number> =>
      Object.fromEntries(
        (store.db
          .prepare(`SELECT coalesce(CASE WHEN instr(d.value, '.') > 1 THEN substr(d.value, 1, instr(d.value, '.') - 1) END, d.value) AS f, coalesce(CASE WHEN instr(task_id, '.') > 1 THEN substr(task_id, 1, instr(task_id, '.') - 1) END, task_id) AS t, count(*) FROM tasks, json_each(def_json, '$.deps') d WHERE run_id = 'run00001' GROUP BY 1, 2`)
          .raw()
          .all() as Array<[string, string, number]>).map(([f, t, n]) => [`${f}>${t}`, n]),
      );
    expect(summaryOf(store)).toEqual({ 'prep>align': 3, 'align>align': 1, 'align>call': 3, 'ghost>call': 1, 'call>report': 2, 'prep>report': 1 });
    store.insertTasks('run00001', [{ task_id: 'late.x', def_json: JSON.stringify({ id: 'late.x', deps: ['report', 'call.a'] }), retries_left: 0, generated_by: null }]);
    expect(summaryOf(store)).toMatchObject({ 'report>late': 1, 'call>late': 1 });
    store.deleteTasks('run00001', ['call.b', 'late.x']);
    expect(summaryOf(store)).toEqual(fresh());
    expect(summaryOf(store)['ghost>call']).toBeUndefined();
    expect(summaryOf(store)['align>call']).toBe(2);
    store.db.prepare(`UPDATE tasks SET def_json = ? WHERE run_id = 'run00001' AND task_id = 'report'`).run(JSON.stringify({ id: 'report', deps: ['align.c'] }));
    expect(summaryOf(store)).toEqual(fresh());
    expect(summaryOf(store)['align>report']).toBe(1);
    expect(summaryOf(store)['call>report']).toBeUndefined();
    const g = groupGraphFromStore(store.db, 'run00001', { maxNodes: 100 });
    expect(g.edges).toContainEqual(['align', 'report']);
    store.deleteRun('run00001');
    expect(summaryOf(store)).toEqual({});
  });

  it('upgrading a store written before migration 15 counts the dependencies of its runs', () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'scripthut-graph-upgrade-'));
    roots.push(root);
    const file = path.join(root, 'scripthut.db');
    const old = new Database(file);
    old.pragma('foreign_keys = ON');
    for (const m of [...MIGRATIONS].sort((a, b) => a.version - b.version).filter((m) => m.version < 15)) {
      old.exec(m.sql);
      old.pragma(`user_version = ${m.version}`);
    }
    old.prepare(`INSERT INTO runs (id, workflow_name, backend_name, created_at, status, doc_json) VALUES ('run00001', 'wf', 'local', '2026-01-01T00:00:00.000Z', 'running', '{}')`).run();
    const ins = old.prepare(`INSERT INTO tasks (run_id, task_id, seq, def_json, status) VALUES ('run00001', ?, ?, ?, 'pending')`);
    tasks.forEach(([id, deps], i) => ins.run(id, i, JSON.stringify({ id, deps })));
    migrate(old);
    old.close();
    const store = new Store(file);
    expect(summaryOf(store)).toEqual({ 'prep>align': 3, 'align>align': 1, 'align>call': 3, 'ghost>call': 1, 'call>report': 2, 'prep>report': 1 });
    expect(store.db.pragma('user_version', { simple: true })).toBeGreaterThanOrEqual(15);
    store.close();
  });
});
