// Collapsible groups over server pages: display rows ↔ server indices, and the run-view state kept per run.
import { describe, expect, it } from 'vitest';
import { groupSegments } from '../../src-shared/model/run-graph';
import { GroupedRows } from '../../src-renderer/lib/group-rows';
import { DEFAULT_RUN_VIEW, RUNS_KEPT, loadRunView, parseRunViews, saveRunView } from '../../src-renderer/lib/run-view-state';

describe('group segments', () => {
  it('splits id-ordered tasks into runs of one group, ungrouped neighbours together', () => {
    const ids = ['a', 'b', 'g1.x', 'g1.y', 'g1.z', 'g2.x', 'h', 'z.q'].sort();
    expect(groupSegments(ids)).toEqual([
      { group: null, count: 2 },
      { group: 'g1', count: 3 },
      { group: 'g2', count: 1 },
      { group: null, count: 1 },
      { group: 'z', count: 1 },
    ]);
    expect(groupSegments([])).toEqual([]);
  });
});

describe('grouped rows', () => {
  const segs = groupSegments(['blocker', 'g1.a', 'g1.b', 'g1.c', 'g2.a', 'g2.b', 'solo']);
  const show = (rows: GroupedRows): string[] =>
    Array.from({ length: rows.count }, (_, i) => {
      const r = rows.at(i)!;
      return r.kind === 'header' ? `[${r.group} ${r.count}${r.collapsed ? ' +' : ''}]` : String(r.server);
    });

  it('puts a header over each group and maps task rows to server indices', () => {
    const rows = new GroupedRows(segs, new Set());
    expect(show(rows)).toEqual(['0', '[g1 3]', '1', '2', '3', '[g2 2]', '4', '5', '6']);
    expect(rows.at(-1)).toBeUndefined();
    expect(rows.at(rows.count)).toBeUndefined();
  });

  it('a collapsed group keeps its header and skips its tasks without shifting the others', () => {
    const rows = new GroupedRows(segs, new Set(['g1']));
    expect(show(rows)).toEqual(['0', '[g1 3 +]', '[g2 2]', '4', '5', '6']);
    expect(rows.serverIndices(0, rows.count)).toEqual([0, 4, 5, 6]);
    expect(show(new GroupedRows(segs, new Set(['g1', 'g2'])))).toEqual(['0', '[g1 3 +]', '[g2 2 +]', '6']);
  });

  it('maps a window deep inside 100,000 tasks to the few server rows it shows', () => {
    const ids = Array.from({ length: 100_000 }, (_, i) => `g${String(i % 10).padStart(2, '0')}.t${String(i).padStart(6, '0')}`).sort();
    const rows = new GroupedRows(groupSegments(ids), new Set(['g00', 'g01', 'g02', 'g03', 'g04']));
    expect(rows.count).toBe(10 + 50_000);
    // The first open group's header follows five collapsed headers; its first task is server row 50,000.
    expect(rows.at(5)).toEqual({ kind: 'header', group: 'g05', count: 10_000, collapsed: false });
    expect(rows.at(6)).toEqual({ kind: 'task', server: 50_000 });
    expect(rows.serverIndices(0, 40)).toEqual(Array.from({ length: 34 }, (_, i) => 50_000 + i));
  });
});

describe('run view state', () => {
  const memory = () => {
    const m = new Map<string, string>();
    return { getItem: (k: string) => m.get(k) ?? null, setItem: (k: string, v: string) => void m.set(k, v), m };
  };

  it('keeps view, grouping and collapsed groups per run, defaults otherwise', () => {
    const s = memory();
    expect(loadRunView('r1', s)).toEqual(DEFAULT_RUN_VIEW);
    saveRunView('r1', { view: 'graph', grouped: true, collapsed: ['g1'] }, s);
    saveRunView('r2', { view: 'timeline', grouped: false, collapsed: [] }, s);
    expect(loadRunView('r1', s)).toEqual({ view: 'graph', grouped: true, collapsed: ['g1'] });
    expect(loadRunView('r2', s).view).toBe('timeline');
  });

  it('forgets the oldest runs past the limit and reads bad stored values as defaults', () => {
    const s = memory();
    for (let i = 0; i <= RUNS_KEPT; i++) saveRunView(`r${i}`, { view: 'graph', grouped: false, collapsed: [] }, s);
    expect(loadRunView('r0', s).view).toBe('table');
    expect(loadRunView(`r${RUNS_KEPT}`, s).view).toBe('graph');
    expect(parseRunViews('{not json').size).toBe(0);
    expect(parseRunViews(JSON.stringify([['x', { view: 'pie', grouped: 'yes', collapsed: ['a', 3] }], ['bad']])).get('x')).toEqual({ view: 'table', grouped: false, collapsed: ['a'] });
  });
});
