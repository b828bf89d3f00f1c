// The DAG view's layout (dagre, left to right): every node placed without overlap, dependencies to the left of
// what depends on them, one path per edge, group nodes labelled with their counts.
import { describe, expect, it } from 'vitest';
import { groupGraph, taskGraph, type TaskEdgeInput } from '../../src-shared/model/run-graph';
import type { RunGraph } from '../../src-shared/model/run-graph';
import { DAGRE_MAX_NODES, LAYER_ROWS, LAYOUT_MAX_NODES, groupDetail, layoutGraph, shortLabel, usesDagre, type GraphLayout } from '../../src-renderer/lib/graph-layout';
import { drawnGraph, placeOf, rememberDrawn, rememberPlace, structureOf } from '../../src-renderer/lib/graph-view-cache';

const diamond: TaskEdgeInput[] = [
  { id: 'prep', state: 'completed', deps: [] },
  { id: 'align.a', state: 'running', deps: ['prep'] },
  { id: 'align.b', state: 'failed', deps: ['prep'] },
  { id: 'report', state: 'pending', deps: ['align.a', 'align.b'] },
];

describe('graph layout', () => {
  it('places each task once, no two overlapping, dependencies left of their dependants', () => {
    const l = layoutGraph(taskGraph('r', diamond));
    expect(l.nodes.map((n) => n.id)).toEqual(['prep', 'align.a', 'align.b', 'report']);
    const at = new Map(l.nodes.map((n) => [n.id, n]));
    for (const t of diamond) for (const d of t.deps) expect(at.get(d)!.x + at.get(d)!.width).toBeLessThan(at.get(t.id)!.x);
    for (const a of l.nodes)
      for (const b of l.nodes) {
        if (a === b) continue;
        const apart = a.x + a.width <= b.x || b.x + b.width <= a.x || a.y + a.height <= b.y || b.y + b.height <= a.y;
        expect(apart, `${a.id} overlaps ${b.id}`).toBe(true);
      }
    for (const n of l.nodes) {
      expect(n.x + n.width).toBeLessThanOrEqual(l.width);
      expect(n.y + n.height).toBeLessThanOrEqual(l.height);
    }
    expect(l.edges.map((e) => `${e.from}>${e.to}`).sort()).toEqual(['align.a>report', 'align.b>report', 'prep>align.a', 'prep>align.b']);
    for (const e of l.edges) expect(e.path).toMatch(/^M[\d.]+,[\d.]+( L[\d.]+,[\d.]+)+$/);
    expect(l.nodes.every((n) => n.detail === null)).toBe(true);
  });

  it('labels group nodes with how many tasks they hold and how many are in the state shown', () => {
    const l = layoutGraph(groupGraph('r', diamond));
    const align = l.nodes.find((n) => n.id === 'align')!;
    expect(align.state).toBe('failed');
    expect(align.detail).toBe('2 tasks · 1 failed');
    expect(l.nodes.find((n) => n.id === 'prep')!.detail).toBe('1 task');
    expect(groupDetail(1200, 'dep_failed', { dep_failed: 3, completed: 1197 })).toBe('1,200 tasks · 3 dep failed');
  });

  it('cuts long ids with an ellipsis and lays out an empty graph', () => {
    expect(shortLabel('a'.repeat(40))).toHaveLength(24);
    expect(shortLabel('a'.repeat(40)).endsWith('…')).toBe(true);
    expect(shortLabel('short')).toBe('short');
    const empty = layoutGraph(taskGraph('r', []));
    expect(empty.nodes).toEqual([]);
    expect(empty.edges).toEqual([]);
  });
});

/** Every graph node placed once, inside the drawing, no two overlapping, every kept edge left to right. */
function expectSound(graph: RunGraph, l: GraphLayout): void {
  const kept = graph.nodes.slice(0, l.nodes.length);
  expect(l.nodes.map((n) => n.id)).toEqual(kept.map((n) => n.id));
  const at = new Map(l.nodes.map((n) => [n.id, n]));
  for (const n of l.nodes) {
    expect(n.x).toBeGreaterThanOrEqual(0);
    expect(n.y).toBeGreaterThanOrEqual(0);
    expect(n.x + n.width).toBeLessThanOrEqual(l.width);
    expect(n.y + n.height).toBeLessThanOrEqual(l.height);
  }
  // Overlap check by sweeping columns: nodes sorted by x then y, each compared with those that share its x range.
  const sorted = [...l.nodes].sort((a, b) => a.x - b.x || a.y - b.y);
  for (let i = 0; i < sorted.length; i++)
    for (let j = i + 1; j < sorted.length && sorted[j]!.x < sorted[i]!.x + sorted[i]!.width; j++) {
      const a = sorted[i]!;
      const b = sorted[j]!;
      const apart = a.x + a.width <= b.x || b.x + b.width <= a.x || a.y + a.height <= b.y || b.y + b.height <= a.y;
      expect(apart, `${a.id} overlaps ${b.id}`).toBe(true);
    }
  const want = new Set(graph.edges.filter(([f, t]) => at.has(f) && at.has(t) && f !== t).map(([f, t]) => `${f}>${t}`));
  expect(new Set(l.edges.map((e) => `${e.from}>${e.to}`))).toEqual(want);
  for (const e of l.edges) {
    expect(at.get(e.from)!.x + at.get(e.from)!.width, `${e.from} > ${e.to} goes forward`).toBeLessThan(at.get(e.to)!.x);
    expect(e.path).toMatch(/^M[\d.-]+,[\d.-]+ C[\d.-]+,[\d.-]+ [\d.-]+,[\d.-]+ [\d.-]+,[\d.-]+$/);
  }
}

const node = (id: string, kind: 'task' | 'group' = 'task', count = 1): RunGraph['nodes'][number] => ({ id, state: 'pending', group: null, count, status_counts: { pending: count }, kind });

describe('column layout for big graphs (no dagre)', () => {
  it('an expanded group of 200 tasks among its neighbour groups: columns by depth, wrapped, forward edges', () => {
    const tasks = Array.from({ length: 200 }, (_, i) => `g03.task-${String(i).padStart(6, '0')}`);
    const graph: RunGraph = {
      run_id: 'r',
      level: 'group',
      task_count: 100_000,
      nodes: [node('blocker', 'group'), node('g02', 'group', 10_000), node('g04', 'group', 10_000), node('g05', 'group', 10_000), ...tasks.map((t) => node(t))],
      edges: [['blocker', 'g02'], ['blocker', 'g04'], ['g04', 'g05'], ...tasks.flatMap((t): Array<[string, string]> => [['blocker', t], ['g02', t], [t, 'g04']])],
      expanded: { group: 'g03', offset: 0, shown: 200, total: 10_000 },
    };
    expect(usesDagre(graph)).toBe(false);
    const l = layoutGraph(graph);
    expectSound(graph, l);
    expect(l.capped).toBeUndefined();
    const at = new Map(l.nodes.map((n) => [n.id, n]));
    // Depths: blocker 0, g02 1, the tasks 2 (wrapped into 200 / LAYER_ROWS columns), g04 3, g05 4.
    const columns = new Set(tasks.map((t) => at.get(t)!.x));
    expect(columns.size).toBe(Math.ceil(200 / LAYER_ROWS));
    expect(at.get('g02')!.x).toBeLessThan(Math.min(...columns));
    expect(at.get('g04')!.x).toBeGreaterThan(Math.max(...columns));
    expect(at.get('g05')!.x).toBeGreaterThan(at.get('g04')!.x);
    expect(l.height).toBeLessThan((LAYER_ROWS + 2) * 54);
    // Group nodes keep their counts as a second line; tasks have none.
    expect(at.get('g02')!.detail).toBe('10,000 tasks');
    expect(at.get(tasks[0]!)!.detail).toBeNull();
  });

  it('a random DAG of 2,000 tasks given in shuffled order is drawn whole and sound', () => {
    let seed = 7;
    const rand = (): number => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
    const ids = Array.from({ length: 2000 }, (_, i) => `t${i}`);
    const edges: Array<[string, string]> = [];
    for (let i = 1; i < ids.length; i++) for (let k = 0; k < 1 + Math.floor(rand() * 3); k++) edges.push([ids[Math.floor(rand() * i)]!, ids[i]!]);
    const shuffled = [...ids].sort(() => rand() - 0.5);
    const graph: RunGraph = { run_id: 'r', level: 'task', task_count: ids.length, nodes: shuffled.map((id) => node(id)), edges };
    const l = layoutGraph(graph);
    expectSound(graph, l);
  });

  it('draws at most LAYOUT_MAX_NODES and says how many it left out; a cycle still draws', () => {
    const ids = Array.from({ length: LAYOUT_MAX_NODES + 500 }, (_, i) => `c${i}`);
    const graph: RunGraph = { run_id: 'r', level: 'task', task_count: ids.length, nodes: ids.map((id) => node(id)), edges: ids.slice(1).map((id, i): [string, string] => [ids[i]!, id]) };
    const l = layoutGraph(graph);
    expect(l.capped).toEqual({ shown: LAYOUT_MAX_NODES, total: ids.length });
    expectSound(graph, l);

    const loop = Array.from({ length: DAGRE_MAX_NODES + 1 }, (_, i) => `x${i}`);
    const cyclic: RunGraph = { run_id: 'r', level: 'task', task_count: loop.length, nodes: loop.map((id) => node(id)), edges: [...loop.map((id, i): [string, string] => [id, loop[(i + 1) % loop.length]!])] };
    const c = layoutGraph(cyclic);
    expect(c.nodes).toHaveLength(loop.length);
    expect(new Set(c.nodes.map((n) => `${n.x},${n.y}`)).size).toBe(loop.length);
  });

  it('small graphs stay with dagre', () => {
    expect(usesDagre(taskGraph('r', diamond))).toBe(true);
    expect(layoutGraph(taskGraph('r', diamond)).edges[0]!.path).toMatch(/^M[\d.]+,[\d.]+( L[\d.]+,[\d.]+)+$/);
  });
});

describe('graph view cache', () => {
  const g = (state: 'pending' | 'running', edges: Array<[string, string]>): RunGraph => ({ run_id: 'r', level: 'task', task_count: 2, nodes: [{ ...node('a'), state }, node('b')], edges });

  it('the structure ignores states and follows nodes, edges and the expanded page', () => {
    expect(structureOf(g('pending', [['a', 'b']]))).toBe(structureOf(g('running', [['a', 'b']])));
    expect(structureOf(g('pending', [['a', 'b']]))).not.toBe(structureOf(g('pending', [['b', 'a']])));
    expect(structureOf(g('pending', []))).not.toBe(structureOf(g('pending', [['a', 'b']])));
    expect(structureOf({ ...g('pending', []), expanded: { group: 'x', offset: 0, shown: 2, total: 9 } })).not.toBe(structureOf({ ...g('pending', []), expanded: { group: 'x', offset: 200, shown: 2, total: 9 } }));
  });

  it('keeps the last drawn graphs per run and place, and where each run was left', () => {
    expect(placeOf('run-a')).toEqual({ expand: null, offset: 0 });
    rememberPlace('run-a', { expand: 'g03', offset: 200 });
    expect(placeOf('run-a')).toEqual({ expand: 'g03', offset: 200 });
    const graph = g('pending', [['a', 'b']]);
    const drawn = { graph, layout: layoutGraph(graph), structure: structureOf(graph) };
    rememberDrawn('run-a', { expand: 'g03', offset: 200 }, drawn);
    expect(drawnGraph('run-a', { expand: 'g03', offset: 200 })).toBe(drawn);
    expect(drawnGraph('run-a', { expand: 'g03', offset: 0 })).toBeUndefined();
    for (let i = 0; i < 8; i++) rememberDrawn(`run-${i}`, { expand: null, offset: 0 }, drawn);
    expect(drawnGraph('run-a', { expand: 'g03', offset: 200 })).toBeUndefined();
    expect(drawnGraph('run-7', { expand: null, offset: 0 })).toBe(drawn);
  });
});
