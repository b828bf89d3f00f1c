// The grouped Timeline's pure part: when it groups, a group's bar (first submission → first start waiting, first
// start → last finish running, or now while tasks run), and the flat row list an open group expands into.
import { describe, expect, it } from 'vitest';
import { GROUPED_TIMELINE_ABOVE, groupBarState, groupKey, groupLabel, groupSpan, timelineGrouped, timelineRows, type TimelineGroup } from '../../src-renderer/lib/timeline-groups';
import { barOf, timeAxis } from '../../src-renderer/lib/timeline';

const T = (s: number): string => new Date(Date.UTC(2026, 0, 1, 0, 0, s)).toISOString();
const group = (name: string | null, over: Partial<TimelineGroup> = {}): TimelineGroup => ({
  group: name, count: 3, status_counts: { completed: 3 }, submitted_at: T(10), started_at: T(20), finished_at: T(60), active: 0, mean_wait_ms: 5000, mean_run_ms: 20000, ...over,
});

describe('grouped timeline', () => {
  it('groups only above the threshold', () => {
    expect(timelineGrouped(GROUPED_TIMELINE_ABOVE)).toBe(false);
    expect(timelineGrouped(GROUPED_TIMELINE_ABOVE + 1)).toBe(true);
    expect(timelineGrouped(100_000)).toBe(true);
  });

  it("a group's bar waits from its first submission to its first start and runs to its last finish, or now", () => {
    const axis = timeAxis(T(0), T(100), false, Date.parse(T(100)));
    const done = barOf(groupSpan(group('g')), axis, Date.parse(T(100)));
    expect(done).toMatchObject({ wait: { left: 10, width: 10 }, run: { left: 20, width: 40 }, waitMs: 10_000, runMs: 40_000 });
    // Tasks still running: the server gives no last finish, the bar reaches now.
    const going = barOf(groupSpan(group('g', { finished_at: null, active: 2 })), axis, Date.parse(T(80)));
    expect(going.run).toEqual({ left: 20, width: 60 });
    // Nothing submitted yet: no bars.
    expect(barOf(groupSpan(group('g', { submitted_at: null, started_at: null, finished_at: null })), axis, Date.parse(T(80)))).toMatchObject({ wait: null, run: null });
    expect(groupBarState(group('g', { status_counts: { completed: 2, failed: 1 } }))).toBe('failed');
    expect(groupKey(null)).toBe('');
    expect(groupLabel(null)).toBe('(ungrouped tasks)');
  });

  it('an open group is followed by its loaded tasks and a "show more" row while tasks remain', () => {
    const groups = [group(null, { count: 1 }), group('a', { count: 1200 }), group('b')];
    expect(timelineRows(groups, {}).map((r) => [r.kind, r.key])).toEqual([
      ['group', ''],
      ['group', 'a'],
      ['group', 'b'],
    ]);
    const tasks = Array.from({ length: 2 }, (_, i) => ({ id: `a.${i}`, status: 'completed' as const, submitted_at: null, started_at: null, finished_at: null }));
    const rows = timelineRows(groups, { a: { tasks, total: 1200, loading: false }, b: { tasks: [], total: 3, loading: true } });
    expect(rows.map((r) => (r.kind === 'task' ? r.task.id : `${r.kind}:${r.key}`))).toEqual(['group:', 'group:a', 'a.0', 'a.1', 'more:a', 'group:b', 'more:b']);
    expect(rows[1]).toMatchObject({ open: true });
    expect(rows[4]).toMatchObject({ loaded: 2, total: 1200, loading: false });
    expect(rows[6]).toMatchObject({ loaded: 0, loading: true });
    // Every task loaded: no "show more".
    expect(timelineRows([group('b')], { b: { tasks: tasks.concat(tasks[0]!), total: 3, loading: false } }).map((r) => r.kind)).toEqual(['group', 'task', 'task', 'task']);
  });
});
