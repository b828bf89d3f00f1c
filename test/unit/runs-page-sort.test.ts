// The runs list's sorts against a real SQLite file: every sort × order, paged a few runs at a time, must yield
// every run exactly once and in the order an independent comparison gives (ties broken by creation order), while
// runs created mid-listing do not shift later pages; and the default listing keeps its index walk.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { RUN_SORT_KEYS, SORT_ORDERS } from '../../src-shared/api/contract';
import { RUN_STATUSES, type RunStatus } from '../../src-shared/model/status';
import { Store } from '../../src-main/store/store';
import type { RunRow } from '../../src-main/store/rows';
import { decodeRunsCursor, defaultRunsOrder, encodeRunsCursor, pageRuns, type RunSort } from '../../src-main/store/queries/runs-page';
import { badInput } from '../helpers/bad-input';

const roots: string[] = [];
afterAll(() => {
  for (const r of roots) fs.rmSync(r, { recursive: true, force: true });
});

function tempStore(): Store {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'scripthut-runsort-'));
  roots.push(root);
  return new Store(path.join(root, 'scripthut.db'));
}

const iso = (minute: number) => new Date(Date.UTC(2026, 0, 1, 0, minute)).toISOString();

function run(id: string, over: Partial<RunRow>): RunRow {
  return {
    id, workflow_name: 'wf', title: null, backend_name: 'local', created_at: iso(0), finished_at: null, status: 'completed', attempt: 1,
    max_concurrent: null, doc_json: '{}', halted_reason: null, cancel_requested: 0, log_dir: null, ...over,
  };
}

// Few distinct values per key, so most pages break on ties. Names differ in case only to check the fold.
const WORKFLOWS = ['align', 'Beta', 'call', 'beta'];
const TITLES = [null, '', '  ', 'Zeta batch', 'alpha'];
const BACKENDS = ['local', 'HPC', 'hpc', 'aws'];

function fixtureRuns(n: number): RunRow[] {
  return Array.from({ length: n }, (_, i) =>
    run(`r${String(i).padStart(3, '0')}`, {
      created_at: iso(i % 7),
      finished_at: i % 3 === 0 ? null : iso(10 + (i % 5)),
      status: RUN_STATUSES[(i * 7) % RUN_STATUSES.length] as RunStatus,
      workflow_name: WORKFLOWS[i % WORKFLOWS.length] as string,
      title: TITLES[(i * 3) % TITLES.length] ?? null,
      backend_name: BACKENDS[(i * 5) % BACKENDS.length] as string,
    }),
  );
}

// SQLite's NOCASE folds ASCII letters only; the fixtures are ASCII.
const fold = (s: string) => s.replace(/[A-Z]/g, (c) => c.toLowerCase());
function keyOf(r: RunRow, sort: RunSort): string | number {
  switch (sort) {
    case 'created_at':
      return r.created_at;
    case 'finished_at':
      return r.finished_at ?? '';
    case 'status':
      return RUN_STATUSES.indexOf(r.status as RunStatus);
    case 'workflow':
      return fold(r.title?.trim() || r.workflow_name);
    case 'backend':
      return fold(r.backend_name);
  }
}

/** The expected listing: by key, then by insertion (rowid), both in the asked direction. */
function expectedOrder(rows: RunRow[], sort: RunSort, order: 'asc' | 'desc'): string[] {
  const sign = order === 'asc' ? 1 : -1;
  return rows
    .map((r, rowid) => ({ r, rowid, k: keyOf(r, sort) }))
    .sort((a, b) => sign * (a.k < b.k ? -1 : a.k > b.k ? 1 : a.rowid - b.rowid))
    .map((x) => x.r.id);
}

function allPages(store: Store, query: { sort?: string; order?: string; status?: string; limit: number }): string[] {
  const seen: string[] = [];
  let cursor: string | undefined;
  for (let guard = 0; guard < 1000; guard++) {
    const page = pageRuns(store.db, { ...query, cursor });
    seen.push(...page.runs.map((r) => r.run.id));
    if (!page.nextCursor) return seen;
    expect(page.runs).toHaveLength(query.limit);
    cursor = page.nextCursor;
  }
  throw new Error('paging did not end');
}

describe('runs list sorts (real SQLite file)', () => {
  const rows = fixtureRuns(61);
  const store = tempStore();
  for (const r of rows) store.insertRun(r);

  const cases = RUN_SORT_KEYS.flatMap((sort) => SORT_ORDERS.map((order) => [sort, order] as const));
  it.each(cases)('sort %s %s: paging 4 at a time yields every run once, in order, ties by creation', (sort, order) => {
    const want = expectedOrder(rows, sort, order);
    const got = allPages(store, { sort, order, limit: 4 });
    expect(new Set(got).size).toBe(rows.length);
    expect(got).toEqual(want);
    // One page of everything agrees with the pages.
    expect(pageRuns(store.db, { sort, order, limit: 500 }).runs.map((r) => r.run.id)).toEqual(want);
  });

  it.each(RUN_SORT_KEYS)('sort %s without an order uses its default order; filters and total still apply', (sort) => {
    const order = defaultRunsOrder(sort);
    expect(allPages(store, { sort, limit: 7 })).toEqual(expectedOrder(rows, sort, order));
    const failed = rows.filter((r) => r.status === 'failed');
    const page = pageRuns(store.db, { sort, status: 'failed', limit: 2 });
    expect(page.total).toBe(failed.length);
    expect(allPages(store, { sort, status: 'failed', limit: 2 })).toEqual(expectedOrder(failed, sort, order));
  });

  it('no sort is newest first as before; a cursor made before sorts existed still continues it', () => {
    expect(allPages(store, { limit: 5 })).toEqual(expectedOrder(rows, 'created_at', 'desc'));
    const first = pageRuns(store.db, { limit: 5 });
    const lastId = first.runs[4]?.run.id as string;
    const rowid = rows.findIndex((r) => r.id === lastId) + 1;
    const legacy = Buffer.from(JSON.stringify([first.runs[4]?.run.created_at, rowid])).toString('base64url');
    const next = pageRuns(store.db, { limit: 5, cursor: legacy });
    expect(next.runs.map((r) => r.run.id)).toEqual(expectedOrder(rows, 'created_at', 'desc').slice(5, 10));
  });

  it('a run created between pages does not shift the later pages of any sort', () => {
    const s = tempStore();
    const base = fixtureRuns(20);
    for (const r of base) s.insertRun(r);
    for (const sort of RUN_SORT_KEYS) {
      const p1 = pageRuns(s.db, { sort, order: 'asc', limit: 6 });
      s.insertRun(run(`late-${sort}`, { created_at: iso(59), finished_at: iso(59), status: 'pending', workflow_name: 'zzz', backend_name: 'zzz' }));
      const want = expectedOrder(base, sort, 'asc');
      const p2 = pageRuns(s.db, { sort, order: 'asc', limit: 6, cursor: p1.nextCursor as string });
      expect(p2.runs.map((r) => r.run.id)).toEqual(want.slice(6, 12));
      s.deleteRun(`late-${sort}`);
    }
    s.close();
  });

  it('bad sort, order and a cursor of another sort are bad_input errors that say what to pass', () => {
    expect(badInput(() => pageRuns(store.db, { sort: 'size' }))).toBe(`Unknown sort 'size'; allowed: ${RUN_SORT_KEYS.join(', ')}.`);
    expect(badInput(() => pageRuns(store.db, { order: 'up' }))).toBe("Unknown order 'up'; allowed: asc, desc.");
    const byStatus = pageRuns(store.db, { sort: 'status', limit: 3 }).nextCursor as string;
    expect(badInput(() => pageRuns(store.db, { sort: 'backend', cursor: byStatus }))).toContain('continues a list sorted by status asc, not backend asc');
    expect(badInput(() => pageRuns(store.db, { sort: 'status', order: 'desc', cursor: byStatus }))).toContain('pass the sort and order of the page it came from');
    expect(badInput(() => pageRuns(store.db, { cursor: encodeRunsCursor({ sort: 'status', order: 'asc', value: 1, rowid: 2 }).slice(0, -3) + 'xx' }))).toContain('Invalid cursor');
    expect(decodeRunsCursor(encodeRunsCursor({ sort: 'workflow', order: 'desc', value: 'a', rowid: 9 }))).toEqual({ sort: 'workflow', order: 'desc', value: 'a', rowid: 9 });
  });

  it('the default listing keeps the plan it had before sorts: the created_at index, ties ordered in a small step', () => {
    const plan = (sql: string) => (store.db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(51) as Array<{ detail: string }>).map((p) => p.detail);
    // The statement pageRuns runs now for the first page with no sort and no filter, and the one it ran before.
    const now = plan('SELECT rowid AS page_rowid, created_at AS page_key, * FROM runs ORDER BY created_at DESC, rowid DESC LIMIT ?');
    const before = plan('SELECT rowid AS page_rowid, * FROM runs ORDER BY created_at DESC, rowid DESC LIMIT ?');
    expect(now).toEqual(before);
    expect(now.join(' | ')).toContain('USING INDEX runs_created');
    // Only the last ORDER BY term (rowid, among equal times) is sorted, never every run.
    expect(now.join(' | ')).not.toContain('USE TEMP B-TREE FOR ORDER BY');
  });
});
