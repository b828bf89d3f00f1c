// The runs list's re-read when the event stream opens: merged by id, unchanged runs keep their objects.
import { describe, expect, it } from 'vitest';
import type { RunSummary } from '../../src-shared/api/schemas';
import { mergeFirstPage, sameRun } from '../../src-renderer/lib/runs';

function run(id: string, minute: number, patch: Partial<RunSummary> = {}): RunSummary {
  return {
    id, workflow_name: 'wf', title: null, backend_name: 'local', created_at: new Date(Date.UTC(2024, 0, 1, 0, minute)).toISOString(), finished_at: null,
    status: 'running', attempt: 1, task_count: 3, completed_count: 0, submitted_count: 0, status_counts: { running: 3 }, max_concurrent: null, halted_reason: null,
    ...patch,
  };
}
const copy = (r: RunSummary): RunSummary => JSON.parse(JSON.stringify(r)) as RunSummary;

describe('mergeFirstPage', () => {
  it('keeps the list itself, and every row object, when the re-read brings nothing new', () => {
    const list = [run('c', 3), run('b', 2), run('a', 1)];
    const again = list.map(copy);
    expect(mergeFirstPage(list, again, true)).toBe(list);
  });

  it('replaces only the runs that changed; the others keep their objects', () => {
    const list = [run('c', 3), run('b', 2), run('a', 1)];
    const page = [copy(list[0]!), { ...copy(list[1]!), status: 'completed' as const, status_counts: { completed: 3 } }, copy(list[2]!)];
    const merged = mergeFirstPage(list, page, true);
    expect(merged).not.toBe(list);
    expect(merged[0]).toBe(list[0]);
    expect(merged[1]).toBe(page[1]);
    expect(merged[1]!.status).toBe('completed');
    expect(merged[2]).toBe(list[2]);
  });

  it('a run whose counts changed is a change (nested objects compared by value)', () => {
    const a = run('a', 1);
    expect(sameRun(a, copy(a))).toBe(true);
    expect(sameRun(a, { ...copy(a), status_counts: { running: 2, completed: 1 } })).toBe(false);
    expect(sameRun(a, { ...copy(a), source: null })).toBe(false);
  });

  it('with only the first page loaded, the list becomes the page: new runs in, deleted runs out', () => {
    const list = [run('c', 3), run('b', 2), run('a', 1)];
    const page = [run('d', 4), copy(list[0]!), copy(list[2]!)];
    const merged = mergeFirstPage(list, page, true);
    expect(merged.map((r) => r.id)).toEqual(['d', 'c', 'a']);
    expect(merged[1]).toBe(list[0]);
    expect(merged[2]).toBe(list[2]);
  });

  it('with older pages loaded, keeps them (and their objects) below the re-read first page', () => {
    // First page (limit 2) was c, b; an older page brought a. In the gap: d created, b deleted.
    const list = [run('c', 3), run('b', 2), run('a', 1), run('z', 0)];
    const page = [run('d', 4), copy(list[0]!)];
    const merged = mergeFirstPage(list, page, false);
    // b is older than the page's oldest (c) too, so the page does not cover it: it stays until its own event.
    expect(merged.map((r) => r.id)).toEqual(['d', 'c', 'b', 'a', 'z']);
    expect(merged[1]).toBe(list[0]);
    expect(merged[3]).toBe(list[2]);
  });

  it('with older pages loaded, drops a run the re-read page covers but no longer has (deleted in the gap)', () => {
    const list = [run('d', 4), run('c', 3), run('b', 2), run('a', 1)];
    const page = [copy(list[0]!), copy(list[2]!)];
    const merged = mergeFirstPage(list, page, false);
    expect(merged.map((r) => r.id)).toEqual(['d', 'b', 'a']);
    expect(merged.every((r, i) => r === list.find((x) => x.id === merged[i]!.id))).toBe(true);
  });
});
