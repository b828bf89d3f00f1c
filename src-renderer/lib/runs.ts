// Small pure helpers over run/task views, shared by the list and the detail page.
import type { RunSummary, TaskView } from '../../src-shared/api/schemas';
import { isTerminalRun } from '../../src-shared/model/status';

export function runTitle(r: Pick<RunSummary, 'title' | 'workflow_name'>): string {
  return r.title?.trim() || r.workflow_name;
}

export function failedCount(r: Pick<RunSummary, 'status_counts'>): number {
  const c = r.status_counts;
  return (c.failed ?? 0) + (c.dep_failed ?? 0) + (c.cancelled ?? 0);
}

export interface RunActionSet {
  cancel: boolean;
  rerun: boolean;
  rerunFailed: boolean;
  delete: boolean;
}

export function runActions(r: Pick<RunSummary, 'status' | 'status_counts'>): RunActionSet {
  const done = isTerminalRun(r.status);
  // "Rerun failed" reruns failed tasks and their dependents; cancelled ones (and what only they blocked) need a full rerun.
  return { cancel: !done, rerun: done, rerunFailed: done && (r.status_counts.failed ?? 0) > 0, delete: done };
}

/** Insert or replace a run in a newest-first list. */
export function upsertRun(list: RunSummary[], run: RunSummary): RunSummary[] {
  const i = list.findIndex((r) => r.id === run.id);
  if (i >= 0) {
    const copy = list.slice();
    copy[i] = run;
    return copy;
  }
  return [run, ...list].sort((a, b) => (a.created_at < b.created_at ? 1 : a.created_at > b.created_at ? -1 : 0));
}

export function upsertTask(list: TaskView[], task: TaskView): TaskView[] {
  const i = list.findIndex((t) => t.id === task.id);
  if (i < 0) return [...list, task];
  const copy = list.slice();
  copy[i] = task;
  return copy;
}

/** File name without directory and last extension: "my-flow.json" → "my-flow". */
export function fileStem(name: string): string {
  const base = name.split(/[\\/]/).pop() ?? name;
  const dot = base.lastIndexOf('.');
  return dot > 0 ? base.slice(0, dot) : base;
}

/** Error messages from the engine carry one problem per line. */
export function errorLines(message: string): string[] {
  return message
    .split(/\r?\n/)
    .map((l) => l.trimEnd())
    .filter((l) => l.trim().length > 0);
}
