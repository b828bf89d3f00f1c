// The evidence-based task state machine: what a user sees for each thing the queue or accounting says.
import { describe, expect, it } from 'vitest';
import type { QueueObservation } from '../../src-main/model/queue-observation';
import { applyVerdict, expireTimers, freshAttempt, needsVerdict, observe, retry, type Timers } from '../../src-main/scheduler/task-state';
import { TASK_STATUSES, type TaskStatus } from '../../src-shared/model/status';
import { at, rt, T0, verdict, withJob } from '../helpers/runtime';

const NOW = at(10);
const running: QueueObservation = { state: 'running', rawState: 'RUNNING', startedAt: at(5) };
const pending: QueueObservation = { state: 'pending', rawState: 'PENDING', pendingReason: 'Resources' };
const left: QueueObservation = { state: 'left', rawState: 'COMPLETED' };

describe('observe: queue observations never complete a task', () => {
  const cases: Array<{ name: string; from: TaskStatus; obs: QueueObservation | undefined; to: TaskStatus | null }> = [
    { name: 'submitted, seen pending → queued', from: 'submitted', obs: pending, to: 'queued' },
    { name: 'submitted, seen running → running', from: 'submitted', obs: running, to: 'running' },
    { name: 'queued, seen running → running', from: 'queued', obs: running, to: 'running' },
    { name: 'running, seen pending → queued (requeued)', from: 'running', obs: pending, to: 'queued' },
    { name: 'running, vanished from the queue → settling', from: 'running', obs: undefined, to: 'settling' },
    { name: 'queued, vanished from the queue → settling', from: 'queued', obs: undefined, to: 'settling' },
    { name: 'running, listed in a final state → settling', from: 'running', obs: left, to: 'settling' },
    { name: 'submitted, never seen → unchanged (timers decide)', from: 'submitted', obs: undefined, to: null },
    { name: 'settling, still gone → unchanged', from: 'settling', obs: undefined, to: null },
    { name: 'settling, seen running again → running', from: 'settling', obs: running, to: 'running' },
    { name: 'running, still running → unchanged', from: 'running', obs: running, to: null },
    { name: 'running, suspended → unchanged', from: 'running', obs: { state: 'suspended', rawState: 'SUSPENDED' }, to: null },
  ];
  it.each(cases)('$name', ({ from, obs, to }) => {
    const t = observe(withJob('a', { status: from }), obs, NOW);
    if (to === null) expect(t).toBeNull();
    else expect(t?.to).toBe(to);
    expect(t?.to).not.toBe('completed');
    expect(t?.to).not.toBe('failed');
  });

  it('no observation of any kind makes a task completed or failed', () => {
    const observations: Array<QueueObservation | undefined> = [undefined, running, pending, left, { state: 'completing', rawState: 'COMPLETING' }, { state: 'unknown', rawState: '?' }];
    for (const status of TASK_STATUSES) {
      for (const obs of observations) {
        const t = observe(withJob('a', { status }), obs, NOW);
        expect(['completed', 'failed', 'cancelled', 'dep_failed']).not.toContain(t?.to);
      }
    }
  });

  it('a task without a job id is not observed', () => {
    expect(observe(rt('a', { status: 'submitted' }), undefined, NOW)).toBeNull();
  });

  it('settling records when the job left the queue and keeps the start time', () => {
    const t = observe(withJob('a', { status: 'running', startedAt: at(3) }), undefined, NOW);
    expect(t?.patch).toMatchObject({ status: 'settling', settlingSince: NOW, startedAt: at(3) });
  });

  it('a changed pending reason is recorded without a status change', () => {
    const t = observe(withJob('a', { status: 'queued', pendingReason: 'Priority' }), pending, NOW);
    expect(t).toMatchObject({ from: 'queued', to: 'queued', patch: { pendingReason: 'Resources' } });
    expect(observe(withJob('a', { status: 'queued', pendingReason: 'Resources' }), pending, NOW)).toBeNull();
  });
});

describe('needsVerdict', () => {
  it.each([
    { status: 'settling' as const, inQueue: false, want: true },
    { status: 'submitted' as const, inQueue: false, want: true },
    { status: 'submitted' as const, inQueue: true, want: false },
    { status: 'running' as const, inQueue: true, want: false },
    { status: 'queued' as const, inQueue: true, want: false },
  ])('$status (in queue: $inQueue) → $want', ({ status, inQueue, want }) => {
    expect(needsVerdict(withJob('a', { status }), inQueue)).toBe(want);
  });
  it('an intent without a job id needs none', () => {
    expect(needsVerdict(rt('a', { status: 'submitted' }), false)).toBe(false);
  });
});

describe('applyVerdict', () => {
  const settling = withJob('a', { status: 'settling', settlingSince: at(8), startedAt: at(2) });
  it.each([
    { name: 'completed, exit 0', v: verdict('completed', 0), to: 'completed', exit: 0 },
    { name: 'failed, exit 3', v: verdict('failed', 3, { reason: 'Non-zero exit code' }), to: 'failed', exit: 3 },
    { name: 'failed, exit unknown stays null (not 0)', v: verdict('failed', null, { reason: 'lost' }), to: 'failed', exit: null },
    { name: 'cancelled', v: verdict('cancelled', 143, { reason: 'Cancelled' }), to: 'cancelled', exit: 143 },
    { name: 'completed with unknown exit stays null', v: verdict('completed', null), to: 'completed', exit: null },
  ])('$name', ({ v, to, exit }) => {
    const t = applyVerdict(settling, v, NOW);
    expect(t.to).toBe(to);
    expect(t.patch.exitCode).toBe(exit);
    expect(t.patch.settlingSince).toBeNull();
    expect(t.patch.finishedAt).toBe(NOW);
  });

  it('the failure message names the exit code once', () => {
    expect(applyVerdict(settling, verdict('failed', 3, { reason: 'Out of memory' }), NOW).patch.error).toBe('Out of memory (exit code 3)');
    expect(applyVerdict(settling, verdict('failed', 3, { reason: 'Non-zero exit code' }), NOW).patch.error).toBe('Non-zero exit code');
    expect(applyVerdict(settling, verdict('failed', 3, { reason: 'Exit code 3' }), NOW).patch.error).toBe('Exit code 3');
    expect(applyVerdict(settling, verdict('failed', null, { reason: 'lost: no exit code' }), NOW).patch.error).toBe('lost: no exit code');
  });

  it('times from accounting win over the engine clock', () => {
    const t = applyVerdict(settling, verdict('completed', 0, { startedAt: at(1), finishedAt: at(7) }), NOW);
    expect(t.patch).toMatchObject({ startedAt: at(1), finishedAt: at(7) });
  });

  it('a completed verdict clears an earlier error', () => {
    expect(applyVerdict({ ...settling, error: 'old' }, verdict('completed', 0), NOW).patch.error).toBeNull();
  });
});

describe('expireTimers', () => {
  const timers: Timers = { noRecordMs: 60_000, settlingTimeoutMs: 120_000 };
  it.each([
    { name: 'submitted, no record past noRecord → failed', task: withJob('a'), now: at(61), inQueue: false, to: 'failed' as const },
    { name: 'submitted, no record before noRecord → unchanged', task: withJob('a'), now: at(59), inQueue: false, to: null },
    { name: 'submitted but in the queue → unchanged', task: withJob('a'), now: at(600), inQueue: true, to: null },
    { name: 'settling past the timeout → failed (outcome unknown)', task: withJob('a', { status: 'settling', settlingSince: T0 }), now: at(121), inQueue: false, to: 'failed' as const },
    { name: 'settling before the timeout → unchanged', task: withJob('a', { status: 'settling', settlingSince: T0 }), now: at(119), inQueue: false, to: null },
    { name: 'running is never expired', task: withJob('a', { status: 'running', startedAt: T0 }), now: at(10_000), inQueue: false, to: null },
  ])('$name', ({ task, now, inQueue, to }) => {
    const t = expireTimers(task, inQueue, now, timers);
    if (to === null) expect(t).toBeNull();
    else {
      expect(t?.to).toBe(to);
      expect(t?.patch.exitCode).toBeUndefined(); // no evidence of an exit code: it stays unknown
    }
  });

  it('messages say what is unknown and name the job', () => {
    expect(expireTimers(withJob('a'), false, at(61), timers)?.patch.error).toMatch(/job-a.*no record.*60 s/);
    expect(expireTimers(withJob('a', { status: 'settling', settlingSince: T0 }), false, at(121), timers)?.patch.error).toMatch(/job-a.*outcome unknown/);
  });
});

describe('retry', () => {
  it('a failed task with retries left becomes a fresh pending attempt', () => {
    const failed = withJob('a', { status: 'failed', retriesLeft: 2, exitCode: 1, error: 'boom', startedAt: at(1), finishedAt: at(2) });
    const t = retry(failed);
    expect(t).toMatchObject({ from: 'failed', to: 'pending' });
    expect(t?.patch).toMatchObject({ status: 'pending', attempt: 2, retriesLeft: 1, jobId: null, exitCode: null, error: null, startedAt: null, finishedAt: null });
    expect(t?.reason).toMatch(/boom/);
  });
  it.each([
    { name: 'no retries left', task: withJob('a', { status: 'failed', retriesLeft: 0 }) },
    { name: 'cancelled is not retried', task: withJob('a', { status: 'cancelled', retriesLeft: 2 }) },
    { name: 'completed is not retried', task: withJob('a', { status: 'completed', retriesLeft: 2 }) },
    { name: 'dep_failed is not retried', task: rt('a', { status: 'dep_failed', retriesLeft: 2 }) },
  ])('$name', ({ task }) => {
    expect(retry(task)).toBeNull();
  });
  it('freshAttempt clears everything the previous attempt left', () => {
    const p = freshAttempt(withJob('a', { status: 'failed', attempt: 3, settlingSince: T0, pendingReason: 'x', schedulerState: 'FAILED' }));
    expect(p).toMatchObject({ attempt: 4, status: 'pending', settlingSince: null, pendingReason: null, schedulerState: null, submittedAt: null });
  });
});
