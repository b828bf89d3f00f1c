// Pure helpers of the New run flow and the progress bar.
import { describe, expect, it } from 'vitest';
import { adhocTaskId, adhocWorkflow, chooseBackend, createInput, parseMaxConcurrent } from '../../src-renderer/lib/new-run';
import { STATUS_STYLE } from '../../src-shared/model/status';
import type { TaskView } from '../../src-shared/api/schemas';
import { filterTasks, nextSort, sortTasks } from '../../src-renderer/lib/task-filter';
import { progressParts, progressSegments, progressSummary } from '../../src-renderer/lib/progress';

describe('new run helpers', () => {
  it('picks the remembered backend only while it is configured', () => {
    const bs = [{ name: 'laptop' }, { name: 'workstation' }];
    expect(chooseBackend(bs, 'workstation')).toBe('workstation');
    expect(chooseBackend(bs, 'gone')).toBe('laptop');
    expect(chooseBackend([], 'laptop')).toBeNull();
  });

  it('reads max concurrent as empty or a positive whole number', () => {
    expect(parseMaxConcurrent('')).toEqual({ ok: true, value: undefined });
    expect(parseMaxConcurrent(' 4 ')).toEqual({ ok: true, value: 4 });
    expect(parseMaxConcurrent('0').ok).toBe(false);
    expect(parseMaxConcurrent('two').ok).toBe(false);
    expect(parseMaxConcurrent('1.5').ok).toBe(false);
  });

  it('builds a one-task workflow from a command line with a valid id', () => {
    expect(adhocTaskId('/usr/bin/python3 train.py')).toBe('python3');
    expect(adhocTaskId('  ./run me.sh')).toBe('run');
    expect(adhocTaskId('$$$')).toBe('command');
    const wf = adhocWorkflow('echo hi', { cpus: 2 });
    expect(wf.tasks).toEqual([{ id: 'echo', name: 'echo hi', command: 'echo hi', cpus: 2 }]);
    expect(() => adhocWorkflow('   ')).toThrow(/command/);
  });

  it('sends the backend and limit only when chosen', () => {
    expect(createInput({ kind: 'demo' }, null, undefined)).toEqual({ demo: true });
    expect(createInput({ kind: 'text', text: '[]', name: 'x' }, 'laptop', 3)).toEqual({ backend: 'laptop', max_concurrent: 3, text: '[]', workflow_name: 'x' });
  });
});

describe('progress', () => {
  it('does not count failed and cancelled tasks as completed', () => {
    const p = progressParts({ task_count: 9, completed_count: 9, status_counts: { completed: 5, failed: 3, cancelled: 1 } });
    expect(p).toMatchObject({ total: 9, completed: 5, failed: 3, cancelled: 1, running: 0 });
    expect(progressSummary(p)).toBe('5 of 9 completed · 3 failed · 1 cancelled');
    expect(progressSegments(p).map((s) => [s.kind, Math.round(s.pct)])).toEqual([
      ['completed', 56],
      ['failed', 33],
      ['cancelled', 11],
    ]);
  });

  it('counts dependency failures as failed and in-flight tasks as active', () => {
    const p = progressParts({ task_count: 4, completed_count: 1, status_counts: { completed: 1, dep_failed: 1, running: 1, pending: 1 } });
    expect(progressSummary(p)).toBe('1 of 4 completed · 1 failed · 1 active');
    expect(p.waiting).toBe(1);
  });
});

/** WCAG 2 relative luminance contrast of two #rrggbb colours. */
function contrast(a: string, b: string): number {
  const lum = (hex: string): number => {
    const [r, g, bl] = [1, 3, 5].map((i) => {
      const v = parseInt(hex.slice(i, i + 2), 16) / 255;
      return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
    }) as [number, number, number];
    return 0.2126 * r + 0.7152 * g + 0.0722 * bl;
  };
  const [hi, lo] = [lum(a), lum(b)].sort((x, y) => y - x) as [number, number];
  return (hi + 0.05) / (lo + 0.05);
}

describe('status palette', () => {
  it('gives every status badge WCAG AA contrast (4.5:1)', () => {
    for (const [status, s] of Object.entries(STATUS_STYLE)) expect([status, contrast(s.text, s.background) >= 4.5]).toEqual([status, true]);
  });
});

describe('task filter and sort', () => {
  const t = (id: string, status: string, started: string | null, finished: string | null) =>
    ({ id, name: id.toUpperCase(), status, job_id: `j-${id}`, started_at: started, finished_at: finished, submitted_at: started, exit_code: null }) as unknown as TaskView;
  const items = [t('b', 'failed', '2026-01-01T00:00:00Z', '2026-01-01T00:00:30Z'), t('a', 'completed', '2026-01-01T00:00:00Z', '2026-01-01T00:01:00Z'), t('c', 'pending', null, null)];

  it('filters by statuses and by text in id, name or job id', () => {
    expect(filterTasks(items, ['failed', 'pending'], '').map((x) => x.id)).toEqual(['b', 'c']);
    expect(filterTasks(items, [], 'J-A').map((x) => x.id)).toEqual(['a']);
    expect(filterTasks(items, [], '')).toBe(items);
  });

  it('sorts with missing values last and cycles asc → desc → workflow order', () => {
    expect(sortTasks(items, { key: 'duration', order: 'asc' }).map((x) => x.id)).toEqual(['b', 'a', 'c']);
    expect(sortTasks(items, { key: 'duration', order: 'desc' }).map((x) => x.id)).toEqual(['a', 'b', 'c']);
    expect(sortTasks(items, { key: 'status', order: 'asc' }).map((x) => x.id)).toEqual(['c', 'a', 'b']);
    let s = nextSort({ key: 'order', order: 'asc' }, 'name');
    expect(s).toEqual({ key: 'name', order: 'asc' });
    s = nextSort(s, 'name');
    expect(s.order).toBe('desc');
    expect(nextSort(s, 'name').key).toBe('order');
  });
});
