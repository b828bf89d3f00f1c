// The runs list's sort on the client: the header clicks' cycle, and the comparison that places live-updated runs
// among the rows the host sorted (runs.list sorts in SQL; this must agree with src-main/store/queries/runs-page.ts).
import { RUN_SORT_KEYS, SORT_ORDERS } from '../../src-shared/api/sort-keys';
import type { RunSummary } from '../../src-shared/api/schemas';
import { RUN_STATUSES, type RunStatus } from '../../src-shared/model/status';
import { runTitle } from './runs';

export type RunSortKey = (typeof RUN_SORT_KEYS)[number];
export type SortOrder = (typeof SORT_ORDERS)[number];
export interface RunsSort {
  key: RunSortKey;
  order: SortOrder;
}

/** What the host lists without a sort: newest first. */
export const DEFAULT_RUNS_SORT: RunsSort = { key: 'created_at', order: 'desc' };

/** Times read newest first; names and the lifecycle from the top (the host's defaults too). */
export function defaultOrderOf(key: RunSortKey): SortOrder {
  return key === 'created_at' || key === 'finished_at' ? 'desc' : 'asc';
}

export function isRunSortKey(v: string): v is RunSortKey {
  return (RUN_SORT_KEYS as readonly string[]).includes(v);
}

export function isSortOrder(v: string): v is SortOrder {
  return (SORT_ORDERS as readonly string[]).includes(v);
}

export function isDefaultRunsSort(s: RunsSort): boolean {
  return s.key === DEFAULT_RUNS_SORT.key && s.order === DEFAULT_RUNS_SORT.order;
}

/** Clicking a header: its natural order first, then the other one, then back to newest first. */
export function nextRunsSort(current: RunsSort, key: RunSortKey): RunsSort {
  if (current.key !== key) return { key, order: defaultOrderOf(key) };
  if (current.order === defaultOrderOf(key)) return { key, order: current.order === 'asc' ? 'desc' : 'asc' };
  return key === DEFAULT_RUNS_SORT.key ? { key, order: defaultOrderOf(key) } : DEFAULT_RUNS_SORT;
}

// SQLite's NOCASE, which the host sorts names with, folds ASCII letters only.
const fold = (s: string) => s.replace(/[A-Z]/g, (c) => c.toLowerCase());

function keyOf(r: RunSummary, key: RunSortKey): string | number {
  switch (key) {
    case 'created_at':
      return r.created_at;
    case 'finished_at':
      return r.finished_at ?? '';
    case 'status': {
      const i = RUN_STATUSES.indexOf(r.status as RunStatus);
      return i < 0 ? RUN_STATUSES.length : i;
    }
    case 'workflow':
      return fold(runTitle(r));
    case 'backend':
      return fold(r.backend_name);
  }
}

/** A comparison in the list's order; ties go by creation (the host breaks them by insertion, the same order). */
export function compareRuns(sort: RunsSort): (a: RunSummary, b: RunSummary) => number {
  const sign = sort.order === 'asc' ? 1 : -1;
  return (a, b) => {
    const ka = keyOf(a, sort.key);
    const kb = keyOf(b, sort.key);
    if (ka !== kb) return sign * (ka < kb ? -1 : 1);
    if (a.created_at !== b.created_at) return sign * (a.created_at < b.created_at ? -1 : 1);
    return sign * (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
  };
}
