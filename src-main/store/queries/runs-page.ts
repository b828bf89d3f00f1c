// One page of the runs list, newest first, with a keyset cursor: the cursor names the last run shown (its
// created_at and rowid), so runs created after the first page never shift or repeat the later pages.
import { prepared } from './statements';
import { ApiError } from '../../../src-shared/api/contract';
import { RUN_STATUSES } from '../../../src-shared/model/status';
import type { Db } from '../db';
import type { RunRow } from '../rows';
import { containsPattern, inList, pageSize, parseStatusList } from './filters';
import { statusCountsOfRuns, type StatusCounts } from './status-counts';

export const RUNS_PAGE_DEFAULT = 50;
export const RUNS_PAGE_MAX = 500;

export interface RunsPageQuery {
  limit?: number;
  cursor?: string;
  /** Comma list of run statuses. */
  status?: string;
  backend?: string;
  workflow?: string;
  /** Text searched in id, workflow_name, title and backend_name (case-insensitive for ASCII). */
  q?: string;
}

export interface RunsPage {
  runs: Array<{ run: RunRow; counts: StatusCounts }>;
  total: number;
  nextCursor: string | null;
  /** The page size applied: the asked limit after the default and the cap, so a capped request is visible. */
  limit: number;
}

interface Position {
  createdAt: string;
  rowid: number;
}

export function encodeRunsCursor(p: Position): string {
  return Buffer.from(JSON.stringify([p.createdAt, p.rowid])).toString('base64url');
}

export function decodeRunsCursor(cursor: string): Position {
  try {
    const v = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(v) && v.length === 2 && typeof v[0] === 'string' && Number.isInteger(v[1])) return { createdAt: v[0], rowid: v[1] as number };
  } catch {
    /* reported below */
  }
  throw new ApiError('bad_input', `Invalid cursor '${cursor}': pass the next_cursor of a previous runs.list answer unchanged.`);
}

export function pageRuns(db: Db, query: RunsPageQuery): RunsPage {
  const limit = pageSize(query.limit, RUNS_PAGE_DEFAULT, RUNS_PAGE_MAX);
  const statuses = parseStatusList(query.status, RUN_STATUSES, 'run');
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
    pageWhere.push('(created_at, rowid) < (?, ?)');
    pageParams.push(after.createdAt, after.rowid);
  }
  // One row more than asked tells whether another page exists without a second count.
  const rows = prepared(
    db,
    `SELECT rowid AS page_rowid, * FROM runs ${pageWhere.length ? `WHERE ${pageWhere.join(' AND ')}` : ''} ORDER BY created_at DESC, rowid DESC LIMIT ?`,
  ).all(...pageParams, limit + 1) as Array<RunRow & { page_rowid: number; task_counts: string | null }>;
  const more = rows.length > limit;
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  const counts = statusCountsOfRuns(db, page);
  return {
    runs: page.map(({ page_rowid: _, task_counts: _kept, ...run }) => ({ run, counts: counts.get(run.id) ?? {} })),
    total,
    nextCursor: more && last ? encodeRunsCursor({ createdAt: last.created_at, rowid: last.page_rowid }) : null,
    limit,
  };
}
