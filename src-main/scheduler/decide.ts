// The engine's policy as one pure function: given what is known about a run (snapshot) and what just happened
// (input), say what changes. No I/O; the engine loads the snapshot and applies the decision in one transaction.
import type { Notification } from '../../src-shared/api/schemas';
import { isInFlight, isTerminalRun, isTerminalTask, type RunStatus, type TaskStatus } from '../../src-shared/model/status';
import type { EnvRule, TaskDefinition } from '../../src-shared/workflow/types';
import { cascadeDepFailures, countStatuses, deriveRunStatus, readyTasks, rerunSelection } from './run-state';
import { freshAttempt, retry } from './task-state';
import type { TaskRuntime } from '../model/task-runtime';
import type { Transition } from '../model/transition';

export interface TaskSnapshot extends TaskRuntime {
  /** Generator that produced this task, if any. */
  generatedBy: string | null;
  /** Retries of the task's definition (a rerun starts from them again). */
  retries: number;
}

export interface RunSnapshot {
  id: string;
  workflowName: string;
  status: RunStatus;
  attempt: number;
  cancelRequested: boolean;
  haltedReason: string | null;
  /** The run's workflow-doc env layer. */
  env: { env: EnvRule[]; env_groups: Record<string, EnvRule[]> };
}

export interface Snapshot {
  run: RunSnapshot;
  /** The run's tasks the engine loaded: all of them, or only those the input is about (then the run is not settled). */
  tasks: TaskSnapshot[];
  /** How many tasks the run has now (for the task limit). */
  taskCount: number;
}

export type GeneratedOutcome =
  | { ok: true; tasks: TaskDefinition[]; env: EnvRule[]; envGroups: Record<string, EnvRule[]>; warnings?: string[] }
  | { ok: false; error: string };

export type DecideInput =
  /** A job's verdict (or an expired timer) for one task; `generated` when it was a generator that completed. */
  | { kind: 'verdict'; transition: Transition; generated?: GeneratedOutcome; maxTasks: number; tooMany: (count: number) => string;
      /** The user is cancelling this task: a job seen dead of that cancel reads "Cancelled by user". */
      cancelledByUser?: boolean }
  /** The backend refused a submission outright: the run stops submitting. */
  | { kind: 'submission_refused'; taskId: string; message: string }
  /** The user cancels the whole run. */
  | { kind: 'cancel' }
  /** The user reruns a finished run. */
  | { kind: 'rerun'; failedOnly: boolean }
  /** Recompute the run after other changes: cascade, status, run-finished notification. */
  | { kind: 'settle' };

export interface DecidedTransition extends Transition {
  /** Announce this failure? (a failure that will be retried is not). */
  notify: boolean;
}

export interface Decision {
  /** In order; a task may appear twice (failed, then its retry as a new attempt). */
  transitions: DecidedTransition[];
  runPatch: { status?: RunStatus; finishedAt?: string | null; haltedReason?: string | null; cancelRequested?: boolean; attempt?: number; env?: RunSnapshot['env'] };
  notifications: Notification[];
  /** Pending tasks whose dependencies are complete once the decision is applied (none while the run is stopped). */
  submissions: string[];
  /** Generated tasks to insert, with the generator that produced them. */
  newTasks: Array<{ def: TaskDefinition; generatedBy: string }>;
  /** Tasks to delete before anything else (a rerun's generated tasks). */
  droppedTasks: string[];
  /** In-flight jobs to cancel at the backend, after the pending tasks are cancelled. */
  jobsToCancel: string[];
  /** Workflow warnings to keep with the run, located by the generator that produced them. */
  warnings: Array<{ generatedBy: string; messages: string[] }>;
}

function empty(): Decision {
  return { transitions: [], runPatch: {}, notifications: [], submissions: [], newTasks: [], droppedTasks: [], jobsToCancel: [], warnings: [] };
}

/** What a task the user cancelled says, whichever of the cancel and the poll recorded it. */
export const USER_CANCEL = 'Cancelled by user';

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

export function decide(snapshot: Snapshot, input: DecideInput, now: string): Decision {
  const d = empty();
  const tasks = new Map(snapshot.tasks.map((t) => [t.id, { ...t }] as const));
  const run = { ...snapshot.run };
  const push = (t: Transition, notify = true) => {
    const cur = tasks.get(t.taskId);
    if (!cur) return;
    const from = cur.status;
    d.transitions.push({ ...t, from, notify });
    Object.assign(cur, t.patch);
    if (notify && t.to === 'failed' && from !== 'failed') {
      d.notifications.push({ kind: 'task_failed', level: 'error', title: `Task failed: ${t.taskId}`, body: `${run.workflowName}: ${t.patch.error ?? t.reason}`, run_id: run.id, task_id: t.taskId });
    }
  };
  const failPending = (reason: string) => {
    for (const t of tasks.values()) {
      if (t.status === 'pending') push({ taskId: t.id, from: 'pending', to: 'failed', reason, patch: { status: 'failed', error: reason, finishedAt: now } });
    }
  };

  switch (input.kind) {
    case 'verdict': {
      const row = tasks.get(input.transition.taskId);
      if (!row) return d;
      let t = input.transition;
      let gen = input.generated;
      if (gen?.ok && gen.tasks.length && snapshot.taskCount + gen.tasks.length > input.maxTasks) {
        // Generated tasks count against the same limit as the ones the run was created with.
        gen = { ok: false, error: `Generated tasks rejected: ${input.tooMany(snapshot.taskCount + gen.tasks.length)}` };
      }
      if (gen && !gen.ok) t = { ...t, to: 'failed', reason: gen.error, patch: { ...t.patch, status: 'failed', error: gen.error } };
      if (isTerminalTask(row.status)) return d; // a cancel got there first: terminal is final within the attempt
      // The poll saw the killed job before the cancel committed: the cancel is still what happened (exit code kept).
      if (t.to === 'cancelled' && (input.cancelledByUser || run.cancelRequested)) {
        t = { ...t, reason: USER_CANCEL, patch: { ...t.patch, error: USER_CANCEL } };
      }
      const willRetry = t.to === 'failed' && row.retriesLeft > 0;
      push(t, !willRetry);
      if (gen?.ok && (gen.env.length || Object.keys(gen.envGroups).length)) {
        // A generated document's env applies to the run's workflow-doc layer, like the original.
        d.runPatch.env = { env: [...run.env.env, ...gen.env], env_groups: { ...run.env.env_groups, ...gen.envGroups } };
      }
      if (gen?.ok) for (const def of gen.tasks) d.newTasks.push({ def, generatedBy: row.id });
      if (gen?.ok && gen.warnings?.length) {
        // What createFromWorkflow answers its caller with; a generator has no caller, so the user is told here,
        // and the run keeps them (the notification is a toast that a reload loses).
        const n = gen.warnings.length;
        d.warnings.push({ generatedBy: row.id, messages: gen.warnings });
        d.notifications.push({ kind: 'workflow_warning', level: 'info', title: `Workflow ${n === 1 ? 'warning' : `warnings (${n})`}: ${row.id}`, body: `${run.workflowName}: ${gen.warnings.join('\n')}`, run_id: run.id, task_id: row.id });
      }
      if (t.to === 'failed') {
        // The retry is a new attempt of the same task, not a second announcement.
        const r = retry(tasks.get(row.id) as TaskRuntime);
        if (r) push(r);
      }
      break;
    }
    case 'submission_refused': {
      const msg = input.message;
      const cur = tasks.get(input.taskId);
      if (cur) push({ taskId: cur.id, from: cur.status, to: 'failed', reason: `Submission failed: ${msg}`, patch: { status: 'failed', error: `Submission failed: ${msg}`, finishedAt: now } });
      d.runPatch.haltedReason = msg;
      run.haltedReason = msg;
      failPending(`Submission halted: ${msg}`);
      break;
    }
    case 'cancel': {
      // Pending first, so nothing new is submitted while the jobs in flight are being cancelled.
      d.runPatch.cancelRequested = true;
      run.cancelRequested = true;
      for (const t of tasks.values()) {
        // No finish time for a task that never ran (as Store.finishPendingTasks writes it): the transition has it.
        if (t.status === 'pending') push({ taskId: t.id, from: 'pending', to: 'cancelled', reason: 'Cancelled by user', patch: { status: 'cancelled', error: 'Cancelled by user' } });
      }
      for (const t of tasks.values()) if (isInFlight(t.status) && t.status !== 'settling') d.jobsToCancel.push(t.id);
      break;
    }
    case 'rerun': {
      if (!isTerminalRun(run.status)) return d;
      const selected = rerunSelection([...tasks.values()], input.failedOnly);
      // Tasks generated by a generator that runs again are dropped; the generator will produce them anew.
      for (const t of [...tasks.values()]) {
        if (t.generatedBy && selected.has(t.generatedBy)) {
          d.droppedTasks.push(t.id);
          tasks.delete(t.id);
          selected.delete(t.id);
        }
      }
      for (const t of tasks.values()) {
        if (selected.has(t.id)) push({ taskId: t.id, from: t.status, to: 'pending', reason: `rerun (run attempt ${run.attempt + 1})`, patch: freshAttempt(t, { retriesLeft: t.retries }) });
      }
      Object.assign(d.runPatch, { status: 'pending', finishedAt: null, attempt: run.attempt + 1, cancelRequested: false, haltedReason: null });
      Object.assign(run, { status: 'pending', attempt: run.attempt + 1, cancelRequested: false, haltedReason: null });
      d.notifications.push({ kind: 'run_scheduled', level: 'info', title: `Run scheduled: ${run.workflowName}`, body: `${plural(selected.size, 'task')} queued again`, run_id: run.id, task_id: null });
      break;
    }
    case 'settle':
      break;
  }

  // Settle: a snapshot of some tasks (a verdict's one task, a cancel's jobs in flight) says nothing about the
  // others, so only a full snapshot is settled here; the caller settles the rest.
  if (snapshot.tasks.length < snapshot.taskCount) return d;
  settle(d, run, tasks, now, push);
  if (!run.cancelRequested && !run.haltedReason && !isTerminalRun(d.runPatch.status ?? run.status)) d.submissions = readyTasks([...tasks.values()]);
  return d;
}

/** Cascade dependency failures, then the run's status; the run-finished notification comes last. */
function settle(d: Decision, run: RunSnapshot, tasks: Map<string, TaskSnapshot>, now: string, push: (t: Transition, notify?: boolean) => void): void {
  if (d.newTasks.length) return; // the run grows: its status is settled once the new tasks exist
  for (const t of cascadeDepFailures([...tasks.values()], now)) push(t, false);
  const list = [...tasks.values()];
  const change = runStatusChange(run, deriveRunStatus(list, run.cancelRequested), countStatuses(list), now);
  Object.assign(d.runPatch, change.runPatch);
  d.notifications.push(...change.notifications);
}

/**
 * The run's new status and, when it has just finished, its announcement (nothing when the status stays). The
 * one rule for both settles: decide() on a loaded run, the engine's unit of work on its in-memory counts.
 */
export function runStatusChange(run: Pick<RunSnapshot, 'id' | 'workflowName' | 'status'>, status: RunStatus, counts: Partial<Record<TaskStatus, number>>, now: string): Pick<Decision, 'runPatch' | 'notifications'> {
  const out: Pick<Decision, 'runPatch' | 'notifications'> = { runPatch: {}, notifications: [] };
  if (status === run.status) return out;
  const finished = isTerminalRun(status);
  out.runPatch = { status, finishedAt: finished ? now : null };
  if (!finished || isTerminalRun(run.status)) return out;
  const done = counts.completed ?? 0;
  const failed = (counts.failed ?? 0) + (counts.dep_failed ?? 0);
  const note = (level: Notification['level'], title: string, body: string): Notification => ({ kind: 'run_done', level, title: `${title}: ${run.workflowName}`, body, run_id: run.id, task_id: null });
  if (status === 'completed') out.notifications.push(note('success', 'Run completed', `${plural(done, 'task')} done`));
  else if (status === 'cancelled') out.notifications.push(note('info', 'Run cancelled', `${done} done · ${failed} failed`));
  else out.notifications.push(note('error', 'Run finished with failures', `${done} done · ${failed} failed`));
  return out;
}
