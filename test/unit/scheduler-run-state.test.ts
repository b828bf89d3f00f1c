// Run-level rules: cascade, readiness, run status and which tasks a rerun resets.
import { describe, expect, it } from 'vitest';
import { cascadeDepFailures, deriveRunStatus, readyTasks, rerunSelection } from '../../src-main/scheduler/run-state';
import type { TaskRuntime } from '../../src-main/model/task-runtime';
import type { TaskStatus } from '../../src-shared/model/status';
import { at, rt } from '../helpers/runtime';

/** a → (b, c) → d, plus an unrelated e. */
function diamond(status: Partial<Record<'a' | 'b' | 'c' | 'd' | 'e', TaskStatus>>, extra: Partial<Record<string, Partial<TaskRuntime>>> = {}): TaskRuntime[] {
  const deps: Record<string, string[]> = { a: [], b: ['a'], c: ['a'], d: ['b', 'c'], e: [] };
  return (['a', 'b', 'c', 'd', 'e'] as const).map((id) => rt(id, { deps: deps[id], status: status[id] ?? 'pending', ...extra[id] }));
}

describe('cascadeDepFailures', () => {
  it('marks everything downstream of a failure dep_failed, naming the cause', () => {
    const out = cascadeDepFailures(diamond({ a: 'failed' }), at(1));
    expect(out.map((t) => t.taskId).sort()).toEqual(['b', 'c', 'd']);
    expect(out.every((t) => t.to === 'dep_failed')).toBe(true);
    expect(out.find((t) => t.taskId === 'b')?.patch.error).toBe("Dependency 'a' failed");
  });

  it('only pending tasks are touched: running siblings finish, unrelated tasks run', () => {
    const out = cascadeDepFailures(diamond({ a: 'completed', b: 'failed', c: 'running' }), at(1));
    expect(out.map((t) => t.taskId)).toEqual(['d']);
  });

  it('a cancelled dependency says so', () => {
    const out = cascadeDepFailures(diamond({ a: 'completed', b: 'cancelled', c: 'completed' }), at(1));
    expect(out).toHaveLength(1);
    expect(out[0]?.patch.error).toBe("Dependency 'b' was cancelled");
  });

  it('nothing to do when nothing failed', () => {
    expect(cascadeDepFailures(diamond({ a: 'completed', b: 'running' }), at(1))).toEqual([]);
  });

  it('each task is marked once even with two failed parents', () => {
    const out = cascadeDepFailures(diamond({ a: 'completed', b: 'failed', c: 'failed' }), at(1));
    expect(out.map((t) => t.taskId)).toEqual(['d']);
  });
});

describe('readyTasks', () => {
  it.each([
    { name: 'roots are ready at the start', s: {}, want: ['a', 'e'] },
    { name: 'children of a completed task', s: { a: 'completed' as const }, want: ['b', 'c', 'e'] },
    { name: 'join waits for every parent', s: { a: 'completed' as const, b: 'completed' as const, c: 'running' as const, e: 'running' as const }, want: [] },
    { name: 'join is ready once all parents completed', s: { a: 'completed' as const, b: 'completed' as const, c: 'completed' as const, e: 'completed' as const }, want: ['d'] },
    { name: 'a failed parent never makes a child ready', s: { a: 'failed' as const, e: 'completed' as const }, want: [] },
  ])('$name', ({ s, want }) => {
    expect(readyTasks(diamond(s))).toEqual(want);
  });
});

describe('deriveRunStatus', () => {
  const all = (s: TaskStatus): Partial<Record<'a' | 'b' | 'c' | 'd' | 'e', TaskStatus>> => ({ a: s, b: s, c: s, d: s, e: s });
  it.each([
    { name: 'nothing started → pending', s: {}, cancel: false, want: 'pending' },
    { name: 'something in flight → running', s: { a: 'settling' as const }, cancel: false, want: 'running' },
    { name: 'every task completed → completed', s: all('completed'), cancel: false, want: 'completed' },
    { name: 'a failure, nothing left to run → failed', s: { a: 'failed' as const, b: 'dep_failed' as const, c: 'dep_failed' as const, d: 'dep_failed' as const, e: 'completed' as const }, cancel: false, want: 'failed' },
    { name: 'a failure while others still run → running', s: { a: 'completed' as const, b: 'failed' as const, c: 'running' as const, d: 'dep_failed' as const }, cancel: false, want: 'running' },
    { name: 'some done, the rest pending → running', s: { a: 'completed' as const }, cancel: false, want: 'running' },
    { name: 'cancelled by the user → cancelled (not failed)', s: { a: 'completed' as const, b: 'cancelled' as const, c: 'cancelled' as const, d: 'cancelled' as const, e: 'cancelled' as const }, cancel: true, want: 'cancelled' },
    { name: 'cancel requested but a job is still stopping → running', s: { a: 'running' as const, e: 'cancelled' as const }, cancel: true, want: 'running' },
    { name: 'cancel requested after everything completed → completed', s: all('completed'), cancel: true, want: 'completed' },
    { name: 'completed and cancelled tasks, no cancel request (after a rerun of the failures) → cancelled', s: { a: 'completed' as const, b: 'cancelled' as const, c: 'completed' as const, d: 'cancelled' as const, e: 'completed' as const }, cancel: false, want: 'cancelled' },
    { name: 'a failed task beside cancelled ones, no cancel request → failed', s: { a: 'completed' as const, b: 'cancelled' as const, c: 'failed' as const, d: 'cancelled' as const, e: 'completed' as const }, cancel: false, want: 'failed' },
    { name: 'one task cancelled without a run cancel → failed', s: { a: 'completed' as const, b: 'cancelled' as const, c: 'completed' as const, d: 'dep_failed' as const, e: 'completed' as const }, cancel: false, want: 'failed' },
  ])('$name', ({ s, cancel, want }) => {
    expect(deriveRunStatus(diamond(s), cancel)).toBe(want);
  });

  it('a pending task retried after a failure keeps the run running', () => {
    expect(deriveRunStatus([rt('a', { status: 'pending', attempt: 2 })], false)).toBe('running');
  });
});

describe('rerunSelection', () => {
  it('failed only: the failed task and everything downstream; completed siblings are kept', () => {
    const tasks = diamond({ a: 'completed', b: 'failed', c: 'completed', d: 'dep_failed', e: 'completed' });
    expect([...rerunSelection(tasks, true)].sort()).toEqual(['b', 'd']);
  });
  it('failed only: a completed task downstream of a failed one is rerun too', () => {
    const tasks = diamond({ a: 'failed', b: 'completed', c: 'completed', d: 'completed', e: 'completed' });
    expect([...rerunSelection(tasks, true)].sort()).toEqual(['a', 'b', 'c', 'd']);
  });
  it('failed only: cancelled tasks are not failures and stay as they are (so do the dependents only they block)', () => {
    const tasks = diamond({ a: 'completed', b: 'cancelled', c: 'failed', d: 'dep_failed', e: 'cancelled' });
    expect([...rerunSelection(tasks, true)].sort()).toEqual(['c', 'd']);
    expect(rerunSelection(diamond({ a: 'completed', b: 'cancelled', c: 'completed', d: 'dep_failed', e: 'cancelled' }), true).size).toBe(0);
  });
  it('failed only on a fully completed run selects nothing', () => {
    expect(rerunSelection(diamond({ a: 'completed', b: 'completed', c: 'completed', d: 'completed', e: 'completed' }), true).size).toBe(0);
  });
  it('everything otherwise', () => {
    expect([...rerunSelection(diamond({ a: 'completed', b: 'failed' }), false)].sort()).toEqual(['a', 'b', 'c', 'd', 'e']);
  });
});
