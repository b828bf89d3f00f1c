// The evidence-based task state machine (pure). A job that leaves the queue is *settling*, never completed:
// only a verdict (accounting, exit-code file) makes it completed/failed/cancelled. Timers cover missing evidence.
import type { TaskStatus } from '../../src-shared/model/status';
import type { QueueObservation } from '../model/queue-observation';
import type { TaskPatch, TaskRuntime } from '../model/task-runtime';
import type { Transition } from '../model/transition';
import type { Verdict } from '../model/verdict';

export interface Timers {
  /** A submitted job neither in the queue nor in accounting after this long failed ("no record"). */
  noRecordMs: number;
  /** A job that left the queue without any verdict after this long failed ("outcome unknown"). */
  settlingTimeoutMs: number;
}

export const DEFAULT_TIMERS: Timers = { noRecordMs: 300_000, settlingTimeoutMs: 600_000 };

function change(task: TaskRuntime, to: TaskStatus, reason: string, patch: TaskPatch): Transition {
  return { taskId: task.id, from: task.status, to, reason, patch: { ...patch, status: to } };
}

const WAITING: ReadonlySet<TaskStatus> = new Set(['submitted', 'queued']);

/** Apply one queue observation (or its absence) to a task that has a job on the backend. */
export function observe(task: TaskRuntime, obs: QueueObservation | undefined, now: string): Transition | null {
  if (task.jobId === null) return null;
  if (!obs) {
    // Left the queue: hold the slot and wait for evidence. A `submitted` job that was never seen stays as it is
    // (it may not be visible yet); the timers decide about it.
    if (task.status === 'queued' || task.status === 'running') {
      return change(task, 'settling', 'left the queue; waiting for accounting', {
        settlingSince: now,
        startedAt: task.startedAt ?? (task.status === 'running' ? now : null),
        pendingReason: null,
      });
    }
    return null;
  }
  switch (obs.state) {
    case 'pending':
      if (WAITING.has(task.status) || task.status === 'running') {
        const reason = obs.pendingReason ?? null;
        if (task.status === 'queued') return reason !== task.pendingReason ? { taskId: task.id, from: 'queued', to: 'queued', reason: 'pending reason changed', patch: { pendingReason: reason } } : null;
        return change(task, 'queued', task.status === 'running' ? 'requeued by the scheduler' : 'seen in the queue', { pendingReason: reason, schedulerState: obs.rawState });
      }
      return null;
    case 'running':
    case 'completing':
      if (task.status === 'running') return null;
      if (WAITING.has(task.status) || task.status === 'settling') {
        return change(task, 'running', 'running', { startedAt: task.startedAt ?? obs.startedAt ?? now, pendingReason: null, settlingSince: null, schedulerState: obs.rawState });
      }
      return null;
    case 'left':
      // The queue still lists it, in a final state (COMPLETED, FAILED, OUT_OF_MEMORY…): still only a hint.
      if (WAITING.has(task.status) || task.status === 'running') {
        return change(task, 'settling', `left the queue (${obs.rawState}); waiting for accounting`, {
          settlingSince: now,
          startedAt: task.startedAt ?? obs.startedAt ?? null,
          schedulerState: obs.rawState,
          pendingReason: null,
        });
      }
      return null;
    case 'suspended':
    case 'unknown':
      return null;
  }
}

function ageMs(since: string | null, now: string): number {
  return since ? Date.parse(now) - Date.parse(since) : 0;
}

/**
 * Does this task need a verdict from accounting in this cycle? A submitted job missing from the queue is asked
 * about at once: a fast job can finish between two polls, and accounting answers nothing without evidence.
 */
export function needsVerdict(task: TaskRuntime, inQueue: boolean): boolean {
  if (task.jobId === null) return false;
  return task.status === 'settling' || (task.status === 'submitted' && !inQueue);
}

/** Turn a verdict into the task's final state. Exit code null stays null (unknown ≠ 0). */
export function applyVerdict(task: TaskRuntime, v: Verdict, now: string): Transition {
  const common: TaskPatch = {
    exitCode: v.exitCode,
    schedulerState: v.schedulerState,
    startedAt: v.startedAt ?? task.startedAt ?? task.submittedAt,
    finishedAt: v.finishedAt ?? now,
    settlingSince: null,
    pendingReason: null,
    maxRss: v.maxRss ?? null,
    cpuEfficiency: v.cpuEfficiency ?? null,
  };
  if (v.outcome === 'completed') return change(task, 'completed', `verdict: ${v.schedulerState}`, { ...common, error: null });
  if (v.outcome === 'cancelled') return change(task, 'cancelled', v.reason ?? 'Cancelled', { ...common, error: v.reason ?? 'Cancelled' });
  const reason = v.reason ?? 'Failed';
  return change(task, 'failed', reason, { ...common, error: v.exitCode !== null && !/exit code/i.test(reason) ? `${reason} (exit code ${v.exitCode})` : reason });
}

/** After accounting had nothing to say: give up on jobs whose evidence never came. */
export function expireTimers(task: TaskRuntime, inQueue: boolean, now: string, timers: Timers): Transition | null {
  if (task.jobId === null || inQueue) return null;
  if (task.status === 'submitted' && ageMs(task.submittedAt, now) >= timers.noRecordMs) {
    const msg = `the scheduler accepted job ${task.jobId} but has no record of it after ${Math.round(timers.noRecordMs / 1000)} s`;
    return change(task, 'failed', msg, { error: msg, finishedAt: now });
  }
  if (task.status === 'settling' && ageMs(task.settlingSince, now) >= timers.settlingTimeoutMs) {
    const msg = `job ${task.jobId} left the queue but no accounting record arrived within ${Math.round(timers.settlingTimeoutMs / 1000)} s; outcome unknown`;
    return change(task, 'failed', msg, { error: msg, finishedAt: task.finishedAt ?? now, settlingSince: null });
  }
  return null;
}

/** A failed task with retries left goes back to pending as a new attempt. */
export function retry(task: TaskRuntime): Transition | null {
  if (task.status !== 'failed' || task.retriesLeft <= 0) return null;
  return {
    taskId: task.id,
    from: 'failed',
    to: 'pending',
    reason: `retry ${task.attempt + 1} (${task.retriesLeft - 1} left) after: ${task.error ?? 'failure'}`,
    patch: freshAttempt(task, { retriesLeft: task.retriesLeft - 1 }),
  };
}

/** Runtime fields of a brand-new attempt (everything the previous attempt left behind is cleared). */
export function freshAttempt(task: TaskRuntime, extra: TaskPatch = {}): TaskPatch {
  return {
    status: 'pending',
    attempt: task.attempt + 1,
    jobId: null,
    submittedAt: null,
    startedAt: null,
    finishedAt: null,
    settlingSince: null,
    exitCode: null,
    error: null,
    pendingReason: null,
    schedulerState: null,
    maxRss: null,
    cpuEfficiency: null,
    ...extra,
  };
}
