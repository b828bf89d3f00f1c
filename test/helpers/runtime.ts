// Builders for the pure scheduler's inputs, so table-driven tests state only the fields that matter.
import type { TaskRuntime } from '../../src-main/model/task-runtime';
import type { Verdict } from '../../src-main/model/verdict';

export const T0 = '2024-01-01T00:00:00.000Z';

/** ISO time `seconds` after T0. */
export function at(seconds: number): string {
  return new Date(Date.parse(T0) + seconds * 1000).toISOString();
}

export function rt(id: string, fields: Partial<TaskRuntime> = {}): TaskRuntime {
  return {
    id,
    deps: [],
    status: 'pending',
    jobId: null,
    attempt: 1,
    retriesLeft: 0,
    submittedAt: null,
    startedAt: null,
    finishedAt: null,
    settlingSince: null,
    exitCode: null,
    error: null,
    pendingReason: null,
    schedulerState: null,
    ...fields,
  };
}

/** A task with a job on the backend, submitted at T0. */
export function withJob(id: string, fields: Partial<TaskRuntime> = {}): TaskRuntime {
  return rt(id, { status: 'submitted', jobId: `job-${id}`, submittedAt: T0, ...fields });
}

export function verdict(outcome: Verdict['outcome'], exitCode: number | null, extra: Partial<Verdict> = {}): Verdict {
  const state = outcome === 'completed' ? 'COMPLETED' : outcome === 'cancelled' ? 'CANCELLED' : 'FAILED';
  return { outcome, exitCode, reason: outcome === 'completed' ? null : extra.reason ?? null, schedulerState: state, ...extra };
}
