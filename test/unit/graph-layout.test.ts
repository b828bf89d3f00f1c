// The DAG view's layout (dagre, left to right): every node placed without overlap, dependencies to the left of
// what depends on them, one path per edge, group nodes labelled with their counts.
import { describe, expect, it } from 'vitest';
import { groupGraph, taskGraph, type TaskEdgeInput } from '../../src-shared/model/run-graph';
import { groupDetail, layoutGraph, shortLabel } from '../../src-renderer/lib/graph-layout';

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
