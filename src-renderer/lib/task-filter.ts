// Which tasks of a run to show and in what order: status chips, text search and column sort. Pure, so a
// 100,000-task run is filtered once per change, not per row.
import type { TaskView } from '../../src-shared/api/schemas';
import { TASK_STATUSES } from '../../src-shared/model/status';

export type TaskSortKey = 'order' | 'name' | 'status' | 'submitted_at' | 'started_at' | 'finished_at' | 'duration' | 'exit_code';
export interface TaskSort {
  key: TaskSortKey;
  order: 'asc' | 'desc';
}

export function filterTasks(items: TaskView[], statuses: readonly string[], query: string): TaskView[] {
  const want = statuses.length ? new Set(statuses) : null;
  const q = query.trim().toLowerCase();
  if (!want && !q) return items;
  return items.filter((t) => (!want || want.has(t.status)) && (!q || t.id.toLowerCase().includes(q) || t.name.toLowerCase().includes(q) || (t.job_id ?? '').toLowerCase().includes(q)));
}

const STATUS_RANK = new Map<string, number>(TASK_STATUSES.map((s, i) => [s, i]));

function duration(t: TaskView, now: number): number | null {
  if (!t.started_at) return null;
  return (t.finished_at ? Date.parse(t.finished_at) : now) - Date.parse(t.started_at);
}

/** Stable sort; missing values go last whatever the order. */
export function sortTasks(items: TaskView[], sort: TaskSort, now: number = Date.now()): TaskView[] {
  if (sort.key === 'order') return sort.order === 'asc' ? items : items.slice().reverse();
  const value = (t: TaskView): string | number | null => {
    switch (sort.key) {
      case 'name':
        return t.name.toLowerCase();
      case 'status':
        return STATUS_RANK.get(t.status) ?? 99;
      case 'duration':
        return duration(t, now);
      case 'exit_code':
        return t.exit_code;
      case 'submitted_at':
      case 'started_at':
      case 'finished_at':
        return t[sort.key];
      default:
        return null;
    }
  };
  const dir = sort.order === 'asc' ? 1 : -1;
  return items
    .map((t, i) => ({ t, i, v: value(t) }))
    .sort((a, b) => {
      if (a.v === null || b.v === null) return a.v === b.v ? a.i - b.i : a.v === null ? 1 : -1;
      if (a.v < b.v) return -dir;
      if (a.v > b.v) return dir;
      return a.i - b.i;
    })
    .map((x) => x.t);
}

/** Clicking a column: first ascending, then descending, then back to workflow order. */
export function nextSort(current: TaskSort, key: TaskSortKey): TaskSort {
  if (current.key !== key) return { key, order: 'asc' };
  if (current.order === 'asc') return { key, order: 'desc' };
  return { key: 'order', order: 'asc' };
}
