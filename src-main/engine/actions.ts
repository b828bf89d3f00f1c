// What a user asks of a run: create, cancel, rerun, delete. Actions change rows through the unit of work and
// return the backend whose loop should run next ("wake") instead of calling the loop themselves.
import path from 'node:path';
import { ApiError } from '../../src-shared/api/contract';
import type { RunSummary } from '../../src-shared/api/schemas';
import { isTerminalRun, isTerminalTask } from '../../src-shared/model/status';
import type { WorkflowDocument } from '../../src-shared/workflow/types';
import type { Backend } from '../backends/types';
import { decide, USER_CANCEL } from '../scheduler/decide';
import type { RunRow, TaskRow } from '../store/rows';
import type { EngineParts } from './parts';
import type { RunSource } from '../sources/handlers';
import { newRunId } from './run-factory';
import { loadRunSnapshot, partialRunSnapshot } from './snapshot';

export interface Acted<T> {
  result: T;
  /** The backend whose cycle should run now, if any. */
  wake: string | null;
}

export function requireRun(p: EngineParts, id: string): RunRow {
  const run = p.store.getRun(id);
  if (!run) throw new ApiError('not_found', `No run with id '${id}'.`);
  return run;
}

export function requireTask(p: EngineParts, runId: string, taskId: string): TaskRow {
  const row = p.store.getTask(runId, taskId);
  if (!row) throw new ApiError('not_found', `Run '${runId}' has no task '${taskId}'.`);
  return row;
}

/** `warnings`: the workflow's warnings from validation, kept with the run so every view of it shows them. */
export function createRun(p: EngineParts, doc: WorkflowDocument, b: Backend, workflowName: string, maxConcurrent: number | null, source?: RunSource, warnings: readonly string[] = []): Acted<RunSummary> {
  const now = p.now();
  const id = newRunId((x) => !!p.store.getRun(x));
  const logDir = path.dirname(b.defaultLogPaths(id, 'x', 1).output);
  p.uow.commit(() => {
    p.store.insertRun({
      id,
      workflow_name: workflowName,
      title: doc.title,
      backend_name: b.name,
      created_at: now,
      finished_at: null,
      status: 'pending',
      attempt: 1,
      max_concurrent: maxConcurrent,
      doc_json: JSON.stringify({ env: doc.env, env_groups: doc.env_groups, ...(doc.stacks ? { stacks: doc.stacks } : {}) }),
      halted_reason: null,
      cancel_requested: 0,
      log_dir: logDir,
    });
    if (source) p.store.setRunSource(id, source);
    if (warnings.length) p.store.addRunWarnings(id, warnings, null, now);
    p.store.insertTasks(id, doc.tasks.map((t) => ({ task_id: t.id, def_json: JSON.stringify(t), retries_left: t.retries, generated_by: null })));
    for (const t of doc.tasks) p.store.appendTransition({ run_id: id, task_id: t.id, attempt: 1, at: now, from_status: null, to_status: 'pending', reason: 'run created' });
    p.uow.runChanged(id);
    p.uow.notify({ kind: 'run_scheduled', level: 'info', title: `Run scheduled: ${workflowName}`, body: `${doc.tasks.length} task${doc.tasks.length === 1 ? '' : 's'} queued on ${b.name}`, run_id: id, task_id: null });
  });
  return { result: p.uow.summary(id) as RunSummary, wake: b.name };
}

/** Cancel one task: its job first (outside any transaction), then its row. */
export async function cancelTask(p: EngineParts, run: RunRow, taskId: string): Promise<boolean> {
  const row = p.store.getTask(run.id, taskId);
  if (!row || isTerminalTask(row.status)) return false;
  const b = p.backends.get(run.backend_name);
  if (row.status !== 'pending') {
    if (!row.job_id) {
      // A submission in flight: it is cancelled as soon as its job id is known.
      p.submissions.cancelWhenSubmitted(run.id, taskId);
      return true;
    }
    if (row.status === 'settling') return false; // already finished; the verdict decides
    if (!b) throw new ApiError('unavailable', `Backend '${run.backend_name}' is not available; cannot cancel job ${row.job_id}.`);
    p.userCancels.begin(run.id, taskId);
    try {
      await b.cancel(row.job_id);
      commitCancel(p, run, taskId);
    } finally {
      p.userCancels.end(run.id, taskId);
    }
    return true;
  }
  commitCancel(p, run, taskId);
  return true;
}

function commitCancel(p: EngineParts, run: RunRow, taskId: string): void {
  const now = p.now();
  p.uow.commit(() => {
    const cur = p.store.getTask(run.id, taskId);
    if (!cur || isTerminalTask(cur.status)) return;
    p.uow.applyTransition(cur, { taskId, from: cur.status, to: 'cancelled', reason: USER_CANCEL, patch: { status: 'cancelled', error: USER_CANCEL, finishedAt: now, startedAt: cur.started_at ?? (cur.status === 'running' ? cur.submitted_at : null) } }, now);
  });
}

export interface CancelOutcome {
  cancelled: boolean;
  /** Jobs the backend refused to cancel ("task: reason"); the rest were cancelled. */
  errors: string[];
}

export async function cancelRun(p: EngineParts, run: RunRow, taskId?: string): Promise<Acted<CancelOutcome>> {
  if (taskId) {
    requireTask(p, run.id, taskId);
    const done = await cancelTask(p, run, taskId);
    p.uow.commit(() => p.uow.settleRun(run.id, p.now()));
    return { result: { cancelled: done, errors: [] }, wake: run.backend_name || null };
  }
  // Pending first so nothing new is submitted while running jobs are being cancelled: all of them, with the
  // cancel request, in one transaction (one statement per task, never one transaction per task).
  p.uow.commit(() => {
    p.store.updateRun(run.id, { cancel_requested: 1 });
    p.uow.runChanged(run.id);
    const n = p.store.finishPendingTasks(run.id, 'cancelled', 'Cancelled by user', p.now());
    p.active.peek(run.id)?.finishPending('cancelled');
    // One event for the lot: views refetch their page instead of receiving 100,000 rows.
    p.uow.tasksChangedInBulk(run.id, n);
  });
  // Which jobs to stop, and in what order, is decide()'s: it sees only the run's tasks in flight here.
  const inflight = p.store.inFlightTasks(run.backend_name).filter((x) => x.run_id === run.id);
  const taskCount = p.active.get(run.id).size;
  const cur = p.store.getRun(run.id) ?? run;
  const plan = decide(partialRunSnapshot(cur, inflight, taskCount).snapshot, { kind: 'cancel' }, p.now());
  const errors: string[] = [];
  for (const id of plan.jobsToCancel) {
    try {
      await cancelTask(p, run, id);
    } catch (err) {
      errors.push(`${id}: ${(err as Error).message}`);
    }
  }
  p.uow.commit(() => p.uow.settleRun(run.id, p.now()));
  return { result: { cancelled: true, errors }, wake: run.backend_name };
}

export function rerun(p: EngineParts, run: RunRow, failedOnly: boolean): Acted<RunSummary> {
  if (!isTerminalRun(run.status)) throw new ApiError('conflict', `Run '${run.id}' is still ${run.status}; cancel it or wait for it to finish before rerunning.`);
  const now = p.now();
  p.uow.commit(() => {
    const loaded = loadRunSnapshot(p.store, run.id);
    if (!loaded) return;
    const d = decide(loaded.snapshot, { kind: 'rerun', failedOnly }, now);
    // Nothing failed (e.g. a cancelled run): a new attempt that runs nothing would only relabel the run.
    if (failedOnly && !d.transitions.length) throw new ApiError('conflict', `Run '${run.id}' has no failed task to rerun (cancelled tasks run again only with a full rerun, without --failed).`);
    p.uow.applyDecision(run.id, loaded.rows, d, now);
    // A new attempt gets a new tag when it is submitted.
    for (const t of d.transitions) if (t.to === 'pending') p.store.setSubmitTag(run.id, t.taskId, null);
  });
  return { result: p.uow.summary(run.id) as RunSummary, wake: run.backend_name };
}

export function deleteRun(p: EngineParts, id: string): { run_id: string; deleted: true } {
  const run = requireRun(p, id);
  if (!isTerminalRun(run.status)) throw new ApiError('conflict', `Run '${id}' is still ${run.status}; cancel it before deleting.`);
  const jobIds = p.store.runJobIds(id);
  p.uow.commit(() => p.store.deleteRun(id));
  p.active.forget(id);
  // Files go after the history, in the background: an unreachable cluster must not hold up the delete.
  const b = p.backends.get(run.backend_name);
  void b?.removeRunFiles?.(id, jobIds).catch((err: unknown) => p.stateLog.failed(`removing files of run '${id}' on '${b.name}'`, (err as Error).message));
  p.uow.emit('run.deleted', { id });
  return { run_id: id, deleted: true };
}
