// The polled read calls (runs.list, runs.get) as functions of a database connection alone, so the engine's own
// connection and the read worker's (read-replica.ts) serve them with one implementation and the same views.
import { ApiError, type CallOutput } from '../../src-shared/api/contract';
import type { Handlers } from './dispatch';
import type { Db } from '../store/db';
import type { RunRow } from '../store/rows';
import { pageRuns } from '../store/queries/runs-page';
import { prepared } from '../store/queries/statements';
import { statusCountsOf, type StatusCounts } from '../store/queries/status-counts';
import { pageTaskKeys, rowsInOrder } from '../store/queries/task-page';
import { runWarningsOf } from '../store/queries/run-warnings';
import { toRunSummary, toTaskView } from './views';
import { keptTaskViews, keptTaskViewsJson } from './task-views-kept';

/** Counts kept in memory for a run being executed (the engine's active execution); null = count in SQL. */
export type LiveCounts = (runId: string) => StatusCounts | null;

export const READ_CALLS = ['runs.list', 'runs.get'] as const;
export type ReadCallName = (typeof READ_CALLS)[number];

export function isReadCall(name: string): name is ReadCallName {
  return (READ_CALLS as readonly string[]).includes(name);
}

function requireRunRow(db: Db, id: string): RunRow {
  const run = prepared(db, 'SELECT * FROM runs WHERE id = ?').get(id) as RunRow | undefined;
  if (!run) throw new ApiError('not_found', `No run with id '${id}'.`);
  return run;
}

export function runsList(db: Db, input: Parameters<Handlers['runs.list']>[0], live: LiveCounts): CallOutput<'runs.list'> {
  // Runs still executing are counted in memory when the caller has them (exact and current); SQL counts otherwise.
  const page = pageRuns(db, input, live);
  return { runs: page.runs.map((r) => toRunSummary(r.run, r.counts)), total: page.total, next_cursor: page.nextCursor, limit: page.limit };
}

export function runsGet(db: Db, input: Parameters<Handlers['runs.get']>[0], live: LiveCounts): CallOutput<'runs.get'> {
  const { detail, id, keys } = runDetailOf(db, input, live);
  return { ...detail, items: keptTaskViews(db, id, keys) ?? rowsInOrder(db, keys).map((r) => toTaskView(r)) };
}

/**
 * The same answer as runsGet, as JSON text: the page's tasks are written from the text kept for each
 * (task-views-kept.ts), so a page whose tasks did not move since the last read is not serialised again.
 */
export function runsGetJson(db: Db, input: Parameters<Handlers['runs.get']>[0], live: LiveCounts): string {
  const { detail, id, keys } = runDetailOf(db, input, live);
  const items = keptTaskViewsJson(db, id, keys);
  if (items === null) return JSON.stringify({ ...detail, items: rowsInOrder(db, keys).map((r) => toTaskView(r)) });
  const text = JSON.stringify({ ...detail, items: [] });
  // The first `"items":[]` is the key: the summary's fields come before it, and a quote inside a string value is
  // written escaped, so no value can hold that text.
  const at = text.indexOf(ITEMS_KEY);
  if (at < 0) throw new Error('runs.get: the answer has no items key to write the tasks into.');
  return `${text.slice(0, at + ITEMS_KEY.length - 2)}${items}${text.slice(at + ITEMS_KEY.length)}`;
}
const ITEMS_KEY = '"items":[]';

function runDetailOf(db: Db, { id, ...query }: Parameters<Handlers['runs.get']>[0], live: LiveCounts): { detail: Omit<CallOutput<'runs.get'>, 'items'> & { items: [] }; id: string; keys: number[] } {
  const run = requireRunRow(db, id);
  // The in-memory counts of a run being executed, so readers do not re-count it after every change.
  const counts = live(id) ?? statusCountsOf(db, id);
  const page = pageTaskKeys(db, id, query, counts);
  const summary = toRunSummary(run, counts);
  // `items` stays in its place (after the summary): the caller fills it.
  const detail = { ...summary, items: [] as [], log_dir: run.log_dir, total_items: summary.task_count, matched_items: page.matched, item_offset: page.offset, item_limit: page.limit, warnings: runWarningsOf(db, id) };
  return { detail, id, keys: page.keys };
}
