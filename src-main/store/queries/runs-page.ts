// One page of the runs list, newest first unless another sort is asked, with a keyset cursor: the cursor names the
// sort, its order and the last run shown (its sort value and rowid), so runs created after the first page never
// shift or repeat the later pages, and ties on the sort value are broken by rowid in the same direction.
import { prepared } from './statements';
import { ApiError, RUN_SORT_KEYS, SORT_ORDERS } from '../../../src-shared/api/contract';
import { RUN_STATUSES } from '../../../src-shared/model/status';
import type { Db } from '../db';
import type { RunRow } from '../rows';
import { containsPattern, inList, pageSize, parseChoice, parseStatusList } from './filters';
import { statusCountsOfRuns, type StatusCounts } from './status-counts';

export const RUNS_PAGE_DEFAULT = 50;
export const RUNS_PAGE_MAX = 500;

export type RunSort = (typeof RUN_SORT_KEYS)[number];
export type SortOrder = (typeof SORT_ORDERS)[number];

export interface RunsPageQuery {
  limit?: number;
  cursor?: string;
  /** Comma list of run statuses. */
  status?: string;
  backend?: string;
  workflow?: string;
  /** Text searched in id, workflow_name, title and backend_name (case-insensitive for ASCII). */
  q?: string;
  /** One of RUN_SORT_KEYS; default created_at. */
  sort?: string;
  /** asc or desc; default desc for the times, asc otherwise. */
  order?: string;
}

export interface RunsPage {
  runs: Array<{ run: RunRow; counts: StatusCounts }>;
  total: number;
  nextCursor: string | null;
  /** The page size applied: the asked limit after the default and the cap, so a capped request is visible. */
  limit: number;
}

type SortValue = string | number;

interface Position {
  sort: RunSort;
  order: SortOrder;
  value: SortValue;
  rowid: number;
}

// Each key is a non-null SQL expression, so the row-value comparison of the keyset never meets a NULL: a run not
// finished yet sorts as the smallest finish time (last when newest first). The name is the one the table shows.
const SORT_EXPR: Record<RunSort, string> = {
  created_at: 'created_at',
  finished_at: "COALESCE(finished_at, '')",
  status: `CASE status ${RUN_STATUSES.map((s, i) => `WHEN '${s}' THEN ${i}`).join(' ')} ELSE ${RUN_STATUSES.length} END`,
  workflow: "COALESCE(NULLIF(TRIM(title), ''), workflow_name) COLLATE NOCASE",
  backend: 'backend_name COLLATE NOCASE',
};

/** Times read newest first; names and the lifecycle read from the top. */
export function defaultRunsOrder(sort: RunSort): SortOrder {
  return sort === 'created_at' || sort === 'finished_at' ? 'desc' : 'asc';
}

export function encodeRunsCursor(p: Position): string {
  return Buffer.from(JSON.stringify([p.sort, p.order, p.value, p.rowid])).toString('base64url');
}

export function decodeRunsCursor(cursor: string): Position {
  try {
    const v = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    // Cursors made before sorting existed: [created_at, rowid], newest first.
    if (Array.isArray(v) && v.length === 2 && typeof v[0] === 'string' && Number.isInteger(v[1])) return { sort: 'created_at', order: 'desc', value: v[0], rowid: v[1] as number };
    if (
      Array.isArray(v) && v.length === 4 && (RUN_SORT_KEYS as readonly unknown[]).includes(v[0]) && (SORT_ORDERS as readonly unknown[]).includes(v[1]) &&
      (typeof v[2] === 'string' || typeof v[2] === 'number') && Number.isInteger(v[3])
    ) {
      return { sort: v[0] as RunSort, order: v[1] as SortOrder, value: v[2], rowid: v[3] as number };
    }
  } catch {
    /* reported below */
  }
  throw new ApiError('bad_input', `Invalid cursor '${cursor}': pass the next_cursor of a previous runs.list answer unchanged.`);
}

/**
 * `known`: counts the caller already holds (the engine's in-memory counts of the runs it executes); those runs are
 * not counted again in SQL, which for a running run means reading its whole status index on every page.
 */
export function pageRuns(db: Db, query: RunsPageQuery, known: (runId: string) => StatusCounts | null = () => null): RunsPage {
  const limit = pageSize(query.limit, RUNS_PAGE_DEFAULT, RUNS_PAGE_MAX);
  const statuses = parseStatusList(query.status, RUN_STATUSES, 'run');
  const sort = parseChoice(query.sort, RUN_SORT_KEYS, 'sort') ?? 'created_at';
  const order = parseChoice(query.order, SORT_ORDERS, 'order') ?? defaultRunsOrder(sort);
  const key = SORT_EXPR[sort];
  const dir = order === 'desc' ? 'DESC' : 'ASC';
  const where: string[] = [];
  const params: unknown[] = [];
  if (statuses.length) {
    where.push(inList('status', statuses.length));
    params.push(...statuses);
  }
  if (query.backend) {
    where.push('backend_name = ?');
    params.push(query.backend);
  }
  if (query.workflow) {
    where.push('workflow_name = ?');
    params.push(query.workflow);
  }
  if (query.q) {
    const like = containsPattern(query.q);
    // The backend's name too: the list shows it on every row, so searching for it must find them.
    where.push(`(id LIKE ? ESCAPE '\\' OR workflow_name LIKE ? ESCAPE '\\' OR title LIKE ? ESCAPE '\\' OR backend_name LIKE ? ESCAPE '\\')`);
    params.push(like, like, like, like);
  }
  const filtered = where.length ? `WHERE ${where.join(' AND ')}` : '';
  const total = (prepared(db, `SELECT COUNT(*) AS n FROM runs ${filtered}`).get(...params) as { n: number }).n;

  const pageWhere = [...where];
  const pageParams = [...params];
  if (query.cursor) {
    const after = decodeRunsCursor(query.cursor);
    // A cursor continues its own listing only: under another sort its position means nothing.
    if (after.sort !== sort || after.order !== order) {
      throw new ApiError('bad_input', `Cursor '${query.cursor}' continues a list sorted by ${after.sort} ${after.order}, not ${sort} ${order}: pass the sort and order of the page it came from.`);
    }
    pageWhere.push(`(${key}, rowid) ${order === 'desc' ? '<' : '>'} (?, ?)`);
    pageParams.push(after.value, after.rowid);
  }
  // One row more than asked tells whether another page exists without a second count.
  const pageSql = `FROM runs ${pageWhere.length ? `WHERE ${pageWhere.join(' AND ')}` : ''} ORDER BY ${key} ${dir}, rowid ${dir} LIMIT ?`;
  type PageRow = RunRow & { page_rowid: number; page_key: SortValue; task_counts: string | null };
  let rows: PageRow[];
  if (sort === 'created_at') {
    // The runs_created index gives the page in order: only the page's rows are read.
    rows = prepared(db, `SELECT rowid AS page_rowid, ${key} AS page_key, * ${pageSql}`).all(...pageParams, limit + 1) as PageRow[];
  } else {
    // No index holds these keys, so every matching run is looked at: the keys sit before the run's document in the
    // row, and picking the page by rowid and key alone keeps the documents of the other runs unread.
    const picked = prepared(db, `SELECT rowid AS page_rowid, ${key} AS page_key ${pageSql}`).all(...pageParams, limit + 1) as Array<{ page_rowid: number; page_key: SortValue }>;
    const full = prepared(db, 'SELECT rowid AS page_rowid, * FROM runs WHERE rowid IN (SELECT value FROM json_each(?))').all(JSON.stringify(picked.map((p) => p.page_rowid))) as PageRow[];
    const byRowid = new Map(full.map((r) => [r.page_rowid, r]));
    rows = picked.flatMap((p) => {
      const r = byRowid.get(p.page_rowid);
      return r ? [{ ...r, page_key: p.page_key }] : [];
    });
  }
  const more = rows.length > limit;
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  const held = new Map<string, StatusCounts>();
  for (const r of page) {
    const c = known(r.id);
    if (c) held.set(r.id, c);
  }
  const counts = statusCountsOfRuns(db, held.size ? page.filter((r) => !held.has(r.id)) : page);
  return {
    runs: page.map(({ page_rowid: _, page_key: _key, task_counts: _kept, ...run }) => ({ run, counts: held.get(run.id) ?? counts.get(run.id) ?? {} })),
    total,
    nextCursor: more && last ? encodeRunsCursor({ sort, order, value: last.page_key, rowid: last.page_rowid }) : null,
    limit,
  };
}
