// runs.graph: the pure shaping (task level, group level, the state a group shows) and the store read behind it
// on a real SQLite file, then the contract call through the engine's handler.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { calls } from '../../src-shared/api/contract';
import { GRAPH_TASK_LIMIT, OTHER_TASKS, groupGraph, groupSegments, groupState, runGraph, taskGraph, type TaskEdgeInput } from '../../src-shared/model/run-graph';
import { filteredTaskIds, runTaskEdges } from '../../src-main/store/queries/run-graph';
import { Store } from '../../src-main/store/store';
import type { TaskStatus } from '../../src-shared/model/status';

const t = (id: string, state: TaskStatus, deps: string[] = []): TaskEdgeInput => ({ id, state, deps });

describe('graph shaping', () => {
  it('task level: one node per task with its group, an edge per known dependency', () => {
    const g = taskGraph('r1', [t('prep', 'completed'), t('align.a', 'running', ['prep']), t('align.b', 'failed', ['prep', 'ghost'])]);
    expect(g.level).toBe('task');
    expect(g.nodes.map((n) => [n.id, n.state, n.group, n.count])).toEqual([
      ['prep', 'completed', null, 1],
      ['align.a', 'running', 'align', 1],
      ['align.b', 'failed', 'align', 1],
    ]);
    expect(g.edges).toEqual([
      ['prep', 'align.a'],
      ['prep', 'align.b'],
    ]);
  });

  it.each<[Partial<Record<TaskStatus, number>>, TaskStatus]>([
    [{ completed: 5 }, 'completed'],
    [{ completed: 5, pending: 1 }, 'pending'],
    [{ completed: 5, running: 1, pending: 3 }, 'running'],
    [{ running: 2, failed: 1 }, 'failed'],
    [{ dep_failed: 1, running: 1 }, 'dep_failed'],
    [{ cancelled: 1, completed: 1 }, 'cancelled'],
    [{ queued: 1, submitted: 1 }, 'queued'],
    [{}, 'pending'],
  ])('a group of %o shows %s', (counts, want) => {
    expect(groupState(counts)).toBe(want);
  });

  it('group level: a node per group with counts, deduplicated edges between groups, none inside a group', () => {
    const tasks = [
      t('prep', 'completed'),
      t('align.a', 'completed', ['prep']),
      t('align.b', 'running', ['prep', 'align.a']),
      t('call.a', 'pending', ['align.a', 'align.b']),
      t('call.b', 'pending', ['align.b']),
      t('report', 'pending', ['call.a', 'call.b']),
    ];
    const g = groupGraph('r1', tasks, 100);
    expect(g.level).toBe('group');
    expect(g.task_count).toBe(6);
    expect(g.nodes).toEqual([
      { id: 'prep', state: 'completed', group: null, count: 1, status_counts: { completed: 1 } },
      { id: 'align', state: 'running', group: 'align', count: 2, status_counts: { running: 1, completed: 1 } },
      { id: 'call', state: 'pending', group: 'call', count: 2, status_counts: { pending: 2 } },
      { id: 'report', state: 'pending', group: null, count: 1, status_counts: { pending: 1 } },
    ]);
    expect(g.edges).toEqual([
      ['prep', 'align'],
      ['align', 'call'],
      ['call', 'report'],
    ]);
  });

  it('group level: ungrouped tasks share one node when they alone would exceed the limit', () => {
    const tasks = [t('g.a', 'completed'), ...Array.from({ length: 5 }, (_, i) => t(`solo${i}`, 'pending', ['g.a']))];
    const g = groupGraph('r1', tasks, 3);
    expect(g.nodes.map((n) => [n.id, n.count])).toEqual([
      ['g', 1],
      [OTHER_TASKS, 5],
    ]);
    expect(g.edges).toEqual([['g', OTHER_TASKS]]);
  });

  it('auto picks task level up to the limit and group level above it', () => {
    const small = Array.from({ length: 10 }, (_, i) => t(`g${i % 2}.t${i}`, 'pending'));
    expect(runGraph('r', small).level).toBe('task');
    expect(runGraph('r', small, 'group').level).toBe('group');
    expect(runGraph('r', small, 'auto', 5).nodes).toHaveLength(2);
    const big = Array.from({ length: GRAPH_TASK_LIMIT + 1 }, (_, i) => t(`g${i % 7}.t${i}`, 'pending'));
    const g = runGraph('r', big);
    expect(g.level).toBe('group');
    expect(g.nodes.reduce((n, x) => n + x.count, 0)).toBe(GRAPH_TASK_LIMIT + 1);
  });
});

describe('runs.graph store read (real SQLite file)', () => {
  const roots: string[] = [];
  afterAll(() => roots.forEach((r) => fs.rmSync(r, { recursive: true, force: true })));

  it('reads ids, states and deps in run order; the output passes the contract schema', () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'scripthut-graph-'));
    roots.push(root);
    const store = new Store(path.join(root, 'scripthut.db'));
    store.insertRun({
      id: 'run00001', workflow_name: 'wf', title: null, backend_name: 'local', created_at: '2026-01-01T00:00:00.000Z', finished_at: null, status: 'running',
      attempt: 1, max_concurrent: null, doc_json: '{}', halted_reason: null, cancel_requested: 0, log_dir: null,
    });
    const def = (id: string, deps: string[]) => ({ task_id: id, def_json: JSON.stringify({ id, name: id, command: 'true', deps, cpus: 1, memory: '1G', time_limit: '1:00:00', partition: null }), retries_left: 0, generated_by: null });
    store.insertTasks('run00001', [def('prep', []), def('align.a', ['prep']), def('align.b', ['prep']), def('report', ['align.a', 'align.b'])]);
    store.patchTask('run00001', 'prep', { status: 'completed' });
    store.patchTask('run00001', 'align.a', { status: 'running' });

    const edges = runTaskEdges(store.db, 'run00001');
    expect(edges).toEqual([
      { id: 'prep', state: 'completed', deps: [] },
      { id: 'align.a', state: 'running', deps: ['prep'] },
      { id: 'align.b', state: 'pending', deps: ['prep'] },
      { id: 'report', state: 'pending', deps: ['align.a', 'align.b'] },
    ]);
    expect(runTaskEdges(store.db, 'nope')).toEqual([]);
    const graph = runGraph('run00001', edges);
    expect(calls['runs.graph'].output.parse(graph)).toEqual(graph);
    expect(graph.edges).toHaveLength(4);
    const grouped = runGraph('run00001', edges, 'group');
    expect(grouped.edges).toEqual([
      ['prep', 'align'],
      ['align', 'report'],
    ]);
    // runs.groups: ids in id order under the table's filters, cut into group segments.
    expect(filteredTaskIds(store.db, 'run00001', {})).toEqual(['align.a', 'align.b', 'prep', 'report']);
    expect(filteredTaskIds(store.db, 'run00001', { status: 'pending' })).toEqual(['align.b', 'report']);
    expect(filteredTaskIds(store.db, 'run00001', { q: 'ali' })).toEqual(['align.a', 'align.b']);
    expect(groupSegments(filteredTaskIds(store.db, 'run00001', {}))).toEqual([
      { group: 'align', count: 2 },
      { group: null, count: 2 },
    ]);
    expect(() => filteredTaskIds(store.db, 'run00001', { status: 'runing' })).toThrow("Unknown task status 'runing'");
  });

  it('the call refuses a bad level with the allowed ones', () => {
    const r = calls['runs.graph'].input.safeParse({ id: 'r', level: 'tasks' });
    expect(r.success).toBe(false);
    expect(JSON.stringify(r.error?.issues)).toContain("Unknown graph level 'tasks'; allowed: auto, task, group.");
  });
});
