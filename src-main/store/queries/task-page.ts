// One page of a run's tasks: filter by status and text, sort, offset/limit. The page's rowids come from an index
// of migration 3 (each sort key has one, status carried last), then only those rows are read — so a deep offset
// or a sort over a 100,000-task run never reads the skipped tasks' definitions.
import { prepared } from './statements';
import { SORT_ORDERS, TASK_SORT_KEYS } from '../../../src-shared/api/contract';
import { TASK_STATUSES, type TaskStatus } from '../../../src-shared/model/status';
import type { Db } from '../db';
import type { TaskRow } from '../rows';
import { containsPattern, inList, pageSize, parseChoice, parseStatusList } from './filters';
import { stampOf, type StatusCounts } from './status-counts';
import { taskSetToken } from './task-set-token';

export const TASK_PAGE_DEFAULT = 1000;
export const TASK_PAGE_MAX = 5000;
export type TaskSort = (typeof TASK_SORT_KEYS)[number];

export interface TaskPageQuery {
  limit?: number;
  offset?: number;
  /** Comma list of task statuses. */
  status?: string;
  /** Text searched in the task id and name. */
  q?: string;
  sort?: string;
  order?: string;
}

export interface TaskPageKeys {
  /** Rowids of the page's tasks, in page order. */
  keys: number[];
  /** Tasks matching the filters (all pages). */
  matched: number;
  limit: number;
  offset: number;
}

export interface TaskPage extends Omit<TaskPageKeys, 'keys'> {
  rows: TaskRow[];
}

/** Same text as the tasks_run_duration index expression, so the planner reads it from the index. */
const DURATION = '(julianday(finished_at) - julianday(started_at))';
const NAME = `json_extract(def_json, '$.name')`;
/** Lifecycle order, so "sort by status" reads pending → … → cancelled rather than alphabetically. */
const STATUS_RANK = `CASE status ${TASK_STATUSES.map((s, i) => `WHEN '${s}' THEN ${i}`).join(' ')} END`;

// Ties keep the run's task order (reversed with desc). Missing times/durations are the smallest values: first
// ascending, last descending — the order the indexes hold, so no sort step is needed.
function orderBy(sort: TaskSort | undefined, dir: 'ASC' | 'DESC'): string {
  switch (sort) {
    case undefined:
      return `seq ${dir}`;
    case 'id':
      return `task_id ${dir}`;
    case 'status':
      return `${STATUS_RANK} ${dir}, seq ASC`;
    case 'duration':
      return `${DURATION} ${dir}, seq ${dir}`;
    default:
      return `${sort} ${dir}, seq ${dir}`;
  }
}

export function pageTasks(db: Db, runId: string, query: TaskPageQuery, runCounts: StatusCounts): TaskPage {
  const { keys, ...page } = pageTaskKeys(db, runId, query, runCounts);
  return { ...page, rows: rowsInOrder(db, keys) };
}

/** Which tasks make the page (their rowids), without reading their rows. */
export function pageTaskKeys(db: Db, runId: string, query: TaskPageQuery, runCounts: StatusCounts): TaskPageKeys {
  const limit = pageSize(query.limit, TASK_PAGE_DEFAULT, TASK_PAGE_MAX);
  const offset = query.offset ?? 0;
  const statuses = parseStatusList(query.status, TASK_STATUSES, 'task');
  const sort = parseChoice(query.sort, TASK_SORT_KEYS, 'sort');
  const dir = parseChoice(query.order, SORT_ORDERS, 'order') === 'desc' ? 'DESC' : 'ASC';

  const where = ['run_id = ?'];
  const params: unknown[] = [runId];
  if (statuses.length) {
    where.push(inList('status', statuses.length));
    params.push(...statuses);
  }
  let keys: number[];
  let matched: number;
  if (query.q) {
    // The matches come from one scan of the run's (name, id) index; their order from the sort's own index.
    const like = containsPattern(query.q);
    where.push(`(task_id LIKE ? ESCAPE '\\' OR ${NAME} LIKE ? ESCAPE '\\')`);
    params.push(like, like);
    const hits = searchHits(db, where, params, statuses.length ? null : taskSetToken(db, runId));
    matched = hits.keys.length;
    const runTotal = Object.values(runCounts).reduce((a, b) => a + (b ?? 0), 0);
    keys = orderedHits(db, runId, hits, sort, dir, limit, offset, !statuses.length && matched === runTotal);
  } else {
    // Without text search the whole-run counts already tell how many match.
    // In lifecycle order whatever order the filter listed them in: the status sort walks this list.
    const shown = TASK_STATUSES.filter((s) => (statuses.length ? statuses.includes(s) : runCounts[s]));
    matched = shown.reduce((n, s) => n + (runCounts[s] ?? 0), 0);
    keys =
      sort === 'status'
        ? statusOrderedKeys(db, runId, dir === 'DESC' ? [...shown].reverse() : shown, runCounts, limit, offset)
        : (prepared(db, `SELECT rowid FROM tasks ${statusFirst(statuses.length > 0, sort, matched, runCounts)} WHERE ${where.join(' AND ')} ORDER BY ${orderBy(sort, dir)} LIMIT ? OFFSET ?`).pluck().all(...params, limit, offset) as number[]);
  }
  return { keys, matched, limit, offset };
}

/**
 * With a status filter and a sort other than the run's order, the planner walks the sort's index and reads every
 * task's row to check its status (160 ms for the failed tasks of a 100,000-task run). When the statuses hold a
 * small part of the run, their own index range is read instead and only those rows are sorted.
 */
function statusFirst(filtered: boolean, sort: TaskSort | undefined, matched: number, runCounts: StatusCounts): string {
  if (!filtered || sort === undefined || sort === 'status') return '';
  const total = Object.values(runCounts).reduce((a, b) => a + b, 0);
  return matched * 4 <= total ? 'INDEXED BY tasks_run_status_seq' : '';
}

/** Above this many matches a page is found by walking the sort's index; below, the matches are sorted. */
const WALK_ABOVE = 2000;

interface Hits {
  /** Rowids of the matching tasks, in index order. */
  keys: number[];
  /** The same as a JSON array (what json_each reads). */
  json: string;
  /** Built on first use by a walk over many matches. */
  set?: Set<number>;
}

/**
 * Searches kept until the database changes: paging through a search's results scans the run once. A search
 * without a status filter depends only on the run's ids and names, so it is kept under the run's task-set token
 * instead, across the state writes of a running run.
 */
const SEARCHES_KEPT = 16;
const searches = new WeakMap<Db, { stamp: string; byQuery: Map<string, Hits> }>();
const textSearches = new WeakMap<Db, Map<string, Hits>>();

/**
 * Every task matching a text search, from one scan of the run's (name, id) index. The rowids come back as one
 * JSON array: returned row by row, 100,000 matches cost as much again as the scan.
 */
function searchHits(db: Db, where: string[], params: unknown[], token: string | null): Hits {
  const sql = `SELECT json_group_array(rowid) FROM tasks INDEXED BY tasks_run_name WHERE ${where.join(' AND ')}`;
  const id = JSON.stringify([sql, params]);
  let kept: Map<string, Hits>;
  let key = id;
  if (token !== null) {
    kept = textSearches.get(db) ?? new Map<string, Hits>();
    textSearches.set(db, kept);
    key = `${token}\u0000${id}`;
  } else {
    const stamp = stampOf(db);
    let entry = searches.get(db);
    if (!entry || entry.stamp !== stamp) searches.set(db, (entry = { stamp, byQuery: new Map() }));
    kept = entry.byQuery;
  }
  let hits = kept.get(key);
  if (!hits) {
    const json = prepared(db, sql).pluck().get(...params) as string;
    hits = { keys: JSON.parse(json) as number[], json };
    if (kept.size >= SEARCHES_KEPT) kept.clear();
    kept.set(key, hits);
  }
  return hits;
}

/**
 * One page of the matches in the page's order. Few matches are sorted as they are; many (a search that matches
 * most of a big run) are picked out while walking the run's index of the sort key, which stops at the page's
 * end instead of sorting every match.
 */
function orderedHits(db: Db, runId: string, hits: Hits, sort: TaskSort | undefined, dir: 'ASC' | 'DESC', limit: number, offset: number, everyTask: boolean): number[] {
  if (!hits.keys.length || offset >= hits.keys.length) return [];
  // A search that matches the whole run is the run's own page: no set of 100,000 rowids to build and test.
  if (everyTask && sort !== 'status') return prepared(db, `SELECT rowid FROM tasks WHERE run_id = ? ORDER BY ${orderBy(sort, dir)} LIMIT ? OFFSET ?`).pluck().all(runId, limit, offset) as number[];
  if (hits.keys.length <= WALK_ABOVE || sort === 'status') {
    return prepared(db, `SELECT rowid FROM tasks WHERE rowid IN (SELECT value FROM json_each(?)) ORDER BY ${orderBy(sort, dir)} LIMIT ? OFFSET ?`).pluck().all(hits.json, limit, offset) as number[];
  }
  const wanted = (hits.set ??= new Set(hits.keys));
  const keys: number[] = [];
  let skip = offset;
  for (const k of prepared(db, `SELECT rowid FROM tasks WHERE run_id = ? ORDER BY ${orderBy(sort, dir)}`).pluck().iterate(runId) as Iterable<number>) {
    if (!wanted.has(k)) continue;
    if (skip > 0) {
      skip--;
      continue;
    }
    keys.push(k);
    if (keys.length >= limit) break;
  }
  return keys;
}

/** Walk the statuses in order, taking from each only the slice of the page it covers (index range reads). */
function statusOrderedKeys(db: Db, runId: string, order: readonly TaskStatus[], counts: StatusCounts, limit: number, offset: number): number[] {
  const slice = prepared(db, 'SELECT rowid FROM tasks WHERE run_id = ? AND status = ? ORDER BY seq LIMIT ? OFFSET ?').pluck();
  const keys: number[] = [];
  let skip = offset;
  for (const status of order) {
    if (keys.length >= limit) break;
    const n = counts[status] ?? 0;
    if (skip >= n) {
      skip -= n;
      continue;
    }
    keys.push(...(slice.all(runId, status, limit - keys.length, skip) as number[]));
    skip = 0;
  }
  return keys;
}

/** Every column of TaskRow, in the order rowOf reads them (after the rowid). */
const ROW_COLUMNS = 'rowid, run_id, task_id, seq, def_json, status, attempt, retries_left, job_id, submit_tag, exit_code, error, submitted_at, started_at, finished_at, settling_since, pending_reason, scheduler_state, generated_by, max_rss, cpu_efficiency';

// One object literal per row: a page of 5,000 rows built key by key cost a fifth of reading them.
function rowOf(v: unknown[]): TaskRow {
  return {
    run_id: v[1], task_id: v[2], seq: v[3], def_json: v[4], status: v[5], attempt: v[6], retries_left: v[7], job_id: v[8], submit_tag: v[9], exit_code: v[10], error: v[11],
    submitted_at: v[12], started_at: v[13], finished_at: v[14], settling_since: v[15], pending_reason: v[16], scheduler_state: v[17], generated_by: v[18], max_rss: v[19], cpu_efficiency: v[20],
  } as TaskRow;
}

/** The rows of these rowids, in their order. */
export function rowsInOrder(db: Db, keys: readonly number[]): TaskRow[] {
  if (!keys.length) return [];
  // Raw arrays: better-sqlite3's row objects cost as much as reading the rows.
  const stmt = prepared(db, `SELECT ${ROW_COLUMNS} FROM tasks WHERE ${inList('rowid', keys.length)}`).raw();
  const byKey = new Map<number, TaskRow>();
  for (const values of stmt.all(...keys) as unknown[][]) byKey.set(values[0] as number, rowOf(values));
  return keys.map((k) => byKey.get(k) as TaskRow);
}
