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

/** The list's default order: newest first. */
export const newestFirst = (a: RunSummary, b: RunSummary): number => (a.created_at < b.created_at ? 1 : a.created_at > b.created_at ? -1 : 0);

/**
 * A live run into a list kept in `order` (pages the host sorted). A changed run stays in its row while its sort key
 * still fits between its neighbours, and moves to where `order` puts it when the key changed (a run sorted by
 * status that finished); a new run goes where `order` puts it. `more`: pages after the list's end are not loaded
 * yet, so a run that now sorts after the last loaded one belongs to them and leaves the list, to come back with
 * its page (the host's cursor carries the last loaded run's sort key, so that page includes it).
 */
export function upsertRun(list: RunSummary[], run: RunSummary, order: (a: RunSummary, b: RunSummary) => number = newestFirst, more = false): RunSummary[] {
  const i = list.findIndex((r) => r.id === run.id);
  const rest = i < 0 ? list.slice() : [...list.slice(0, i), ...list.slice(i + 1)];
  if (i >= 0) {
    const before = rest[i - 1];
    const after = rest[i];
    if ((!before || order(before, run) <= 0) && (!after || order(run, after) <= 0)) {
      rest.splice(i, 0, run);
      return rest;
    }
  }
  const at = rest.findIndex((r) => order(run, r) < 0);
  if (at < 0) {
    if (!more) rest.push(run);
  } else {
    rest.splice(at, 0, run);
  }
  return rest;
}

/**
 * How many rows the list moved under the top of the window when `prev` became `next` (a run above it moved or
 * arrived): scrolling by that many rows keeps the rows in view in place. Taken from the first three rows at the top:
 * the one that moved is the odd one out, and the middle value of the three is the shift of the others.
 */
export function topRowShift(prev: readonly RunSummary[], next: readonly RunSummary[], top: number): number {
  if (prev === next) return 0;
  const where = new Map<string, number>();
  for (let k = 0; k < next.length; k++) where.set((next[k] as RunSummary).id, k);
  const shifts: number[] = [];
  for (let k = top; k < Math.min(prev.length, top + 3); k++) {
    const j = where.get((prev[k] as RunSummary).id);
    if (j !== undefined) shifts.push(j - k);
  }
  if (!shifts.length) return 0;
  shifts.sort((a, b) => a - b);
  return shifts[Math.floor((shifts.length - 1) / 2)] as number;
}

/** Same content, by value (a run summary is small and flat but for its counts and source). */
export function sameRun(a: RunSummary, b: RunSummary): boolean {
  if (a === b) return true;
  const ka = Object.keys(a) as Array<keyof RunSummary>;
  if (ka.length !== Object.keys(b).length) return false;
  for (const k of ka) {
    const x = a[k];
    const y = b[k];
    if (x === y) continue;
    if (x === null || y === null || typeof x !== 'object' || typeof y !== 'object' || JSON.stringify(x) !== JSON.stringify(y)) return false;
  }
  return true;
}

/**
 * A newest-first list after its first page was read again (the event stream reopened): the rows the page covers
 * take the page's content, everything older stays, and a run that did not change keeps its object, so the table
 * re-renders only the rows that changed (a whole new array of new objects re-rendered every row in the window,
 * and re-asked each row's cost). `complete`: the list held only the first page, so it becomes the page (runs
 * deleted in the gap go). Otherwise runs newer than the page's oldest that the page no longer has were deleted
 * in the gap and go too. Returns `list` itself when nothing changed.
 */
export function mergeFirstPage(list: RunSummary[], page: RunSummary[], complete: boolean, order: (a: RunSummary, b: RunSummary) => number = newestFirst): RunSummary[] {
  const old = new Map(list.map((r) => [r.id, r]));
  const keep = (r: RunSummary): RunSummary => {
    const o = old.get(r.id);
    return o && sameRun(o, r) ? o : r;
  };
  let next: RunSummary[];
  if (complete) {
    next = page.map(keep);
  } else {
    const inPage = new Set(page.map((r) => r.id));
    const last = page.length ? (page[page.length - 1] as RunSummary) : null;
    // Later pages below the first: keep them, minus what the first page now covers or no longer has.
    const rest = list.filter((r) => !inPage.has(r.id) && (last === null || order(r, last) >= 0));
    next = page.map(keep);
    if (rest.length) {
      next.push(...rest);
      next.sort(order);
    }
  }
  return next.length === list.length && next.every((r, i) => r === list[i]) ? list : next;
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
