// Run-level rules (pure): dependency cascade, readiness, run status, rerun selection.
import type { RunStatus, TaskStatus } from '../../src-shared/model/status';
import { isInFlight } from '../../src-shared/model/status';
import type { TaskRuntime } from '../model/task-runtime';
import type { Transition } from '../model/transition';

const BLOCKING: ReadonlySet<TaskStatus> = new Set(['failed', 'dep_failed', 'cancelled']);

function dependentsIndex(tasks: readonly TaskRuntime[]): Map<string, TaskRuntime[]> {
  const index = new Map<string, TaskRuntime[]>();
  for (const t of tasks) {
    for (const d of t.deps) {
      let list = index.get(d);
      if (!list) index.set(d, (list = []));
      list.push(t);
    }
  }
  return index;
}

/** What the cascade needs to know about a run's tasks; `markDepFailed` records its own changes as it goes. */
export interface CascadeGraph {
  dependents(taskId: string): readonly string[];
  status(taskId: string): TaskStatus | undefined;
  markDepFailed(taskId: string): void;
}

/**
 * Pending tasks downstream of the given failed/dep_failed/cancelled tasks become dep_failed, breadth first from
 * the roots: every task comes after the task it depends on (dependency order), so history reads cause → effect.
 * The one cascade of the app: decide() runs it on a loaded run, the engine on its in-memory execution state.
 */
export function cascadeFrom(roots: readonly string[], g: CascadeGraph, now: string): Transition[] {
  const out: Transition[] = [];
  const queue = [...roots];
  for (let i = 0; i < queue.length; i++) {
    const cause = queue[i] as string;
    const causeStatus = g.status(cause);
    if (!causeStatus || !BLOCKING.has(causeStatus)) continue;
    for (const id of g.dependents(cause)) {
      if (g.status(id) !== 'pending') continue;
      const reason = `Dependency '${cause}' ${causeStatus === 'cancelled' ? 'was cancelled' : 'failed'}`;
      g.markDepFailed(id);
      out.push({ taskId: id, from: 'pending', to: 'dep_failed', reason, patch: { status: 'dep_failed', error: reason, finishedAt: now } });
      queue.push(id);
    }
  }
  return out;
}

/** Pending tasks downstream of a failed/dep_failed/cancelled task become dep_failed (transitively). */
export function cascadeDepFailures(tasks: readonly TaskRuntime[], now: string): Transition[] {
  const dependents = dependentsIndex(tasks);
  const status = new Map(tasks.map((t) => [t.id, t.status] as const));
  const roots = tasks.filter((t) => BLOCKING.has(t.status)).map((t) => t.id);
  return cascadeFrom(roots, { dependents: (id) => (dependents.get(id) ?? []).map((t) => t.id), status: (id) => status.get(id), markDepFailed: (id) => status.set(id, 'dep_failed') }, now);
}

/** Pending tasks whose dependencies are all completed, in workflow order. */
export function readyTasks(tasks: readonly TaskRuntime[]): string[] {
  const status = new Map(tasks.map((t) => [t.id, t.status] as const));
  return tasks.filter((t) => t.status === 'pending' && t.deps.every((d) => status.get(d) === 'completed')).map((t) => t.id);
}

export function countStatuses(tasks: readonly TaskRuntime[]): Record<TaskStatus, number> {
  const counts = { pending: 0, submitted: 0, queued: 0, running: 0, settling: 0, completed: 0, failed: 0, dep_failed: 0, cancelled: 0 };
  for (const t of tasks) counts[t.status]++;
  return counts;
}

export function inFlightCount(tasks: readonly TaskRuntime[]): number {
  let n = 0;
  for (const t of tasks) if (isInFlight(t.status)) n++;
  return n;
}

/**
 * A run's status from its tasks. `cancelRequested`: the user cancelled the run; it reads `cancelled` (not failed,
 * as the original showed) once nothing is in flight.
 */
export function deriveRunStatus(tasks: readonly TaskRuntime[], cancelRequested: boolean): RunStatus {
  const c = countStatuses(tasks);
  const inFlight = c.submitted + c.queued + c.running + c.settling;
  if (inFlight > 0) return 'running';
  if (tasks.length === 0 || c.completed === tasks.length) return 'completed';
  if (cancelRequested) return 'cancelled';
  // Nothing failed and some were cancelled (say a rerun of a cancelled run's failures succeeded): the run
  // reads as its tasks do, cancelled.
  if (c.pending === 0) return c.failed === 0 && c.dep_failed === 0 && c.cancelled > 0 ? 'cancelled' : 'failed';
  const started = tasks.some((t) => t.status !== 'pending' || t.attempt > 1);
  return started ? 'running' : 'pending';
}

/**
 * Which tasks a rerun resets. `failedOnly`: failed tasks (non-zero exit, timeout, out of memory, lost, halted)
 * plus everything downstream of them (their dep_failed dependents); otherwise every task. Cancelled tasks are not
 * failures: the user stopped them, so only a full rerun runs them again.
 */
export function rerunSelection(tasks: readonly TaskRuntime[], failedOnly: boolean): Set<string> {
  if (!failedOnly) return new Set(tasks.map((t) => t.id));
  const dependents = dependentsIndex(tasks);
  const picked = new Set<string>();
  const queue = tasks.filter((t) => t.status === 'failed').map((t) => t.id);
  for (let i = 0; i < queue.length; i++) {
    const id = queue[i] as string;
    if (picked.has(id)) continue;
    picked.add(id);
    for (const d of dependents.get(id) ?? []) queue.push(d.id);
  }
  return picked;
}
