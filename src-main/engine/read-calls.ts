// The polled read calls (runs.list, runs.get) as functions of a database connection alone, so the engine's own
// connection and the read worker's (read-replica.ts) serve them with one implementation and the same views.
import { ApiError, type CallOutput } from '../../src-shared/api/contract';
import type { Handlers } from './dispatch';
import type { Db } from '../store/db';
import type { RunRow } from '../store/rows';
import { pageRuns } from '../store/queries/runs-page';
import { prepared } from '../store/queries/statements';
import { statusCountsOf, type StatusCounts } from '../store/queries/status-counts';
import { pageTasks } from '../store/queries/task-page';
import { runWarningsOf } from '../store/queries/run-warnings';
import { toRunSummary, toTaskView } from './views';

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
  const page = pageRuns(db, input);
  // Runs still executing are counted in memory when the caller has them (exact and current); SQL counts otherwise.
  return { runs: page.runs.map((r) => toRunSummary(r.run, live(r.run.id) ?? r.counts)), total: page.total, next_cursor: page.nextCursor, limit: page.limit };
}

export function runsGet(db: Db, { id, ...query }: Parameters<Handlers['runs.get']>[0], live: LiveCounts): CallOutput<'runs.get'> {
  const run = requireRunRow(db, id);
  // The in-memory counts of a run being executed, so readers do not re-count it after every change.
  const counts = live(id) ?? statusCountsOf(db, id);
  const page = pageTasks(db, id, query, counts);
  const summary = toRunSummary(run, counts);
  return { ...summary, items: page.rows.map(toTaskView), log_dir: run.log_dir, total_items: summary.task_count, matched_items: page.matched, item_offset: page.offset, item_limit: page.limit, warnings: runWarningsOf(db, id) };
}
