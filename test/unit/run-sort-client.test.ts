// The runs list's sort in the renderer: the comparison that places live-updated runs must agree with the host's
// SQL order (checked against pageRuns on a real SQLite file), the header click cycle, and the sort in the address.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { RUN_SORT_KEYS, SORT_ORDERS } from '../../src-shared/api/contract';
import { RUN_STATUSES, type RunStatus } from '../../src-shared/model/status';
import type { RunSummary } from '../../src-shared/api/schemas';
import { Store } from '../../src-main/store/store';
import type { RunRow } from '../../src-main/store/rows';
import { pageRuns } from '../../src-main/store/queries/runs-page';
import { toRunSummary } from '../../src-main/engine/views';
import { compareRuns, DEFAULT_RUNS_SORT, nextRunsSort } from '../../src-renderer/lib/run-sort';
import { mergeFirstPage, topRowShift, upsertRun } from '../../src-renderer/lib/runs';
import { formatRoute, parseRoute } from '../../src-renderer/lib/router';

const roots: string[] = [];
afterAll(() => {
  for (const r of roots) fs.rmSync(r, { recursive: true, force: true });
});

const iso = (minute: number) => new Date(Date.UTC(2026, 0, 1, 0, minute)).toISOString();

function row(i: number): RunRow {
  // Created in insertion order (the host's tie-break is insertion), with few distinct values per key.
  return {
    id: `r${String(i).padStart(3, '0')}`, workflow_name: ['align', 'Beta', 'call'][i % 3] as string, title: [null, 'alpha', ' ', 'Zed'][(i * 5) % 4] ?? null,
    backend_name: ['local', 'HPC', 'aws', 'hpc'][(i * 3) % 4] as string, created_at: iso(Math.floor(i / 3)), finished_at: i % 4 === 0 ? null : iso(30 + (i % 6)),
    status: RUN_STATUSES[(i * 3) % RUN_STATUSES.length] as RunStatus, attempt: 1, max_concurrent: null, doc_json: '{}', halted_reason: null, cancel_requested: 0, log_dir: null,
  };
}

describe('compareRuns agrees with the host', () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'scripthut-runsort-client-'));
  roots.push(root);
  const store = new Store(path.join(root, 'scripthut.db'));
  const rows = Array.from({ length: 40 }, (_, i) => row(i));
  for (const r of rows) store.insertRun(r);
  const summaries: RunSummary[] = rows.map((r) => toRunSummary(r, {}));

  it.each(RUN_SORT_KEYS.flatMap((key) => SORT_ORDERS.map((order) => [key, order] as const)))('%s %s', (key, order) => {
    const host = pageRuns(store.db, { sort: key, order, limit: 500 }).runs.map((r) => r.run.id);
    const client = [...summaries].reverse().sort(compareRuns({ key, order })).map((r) => r.id);
    expect(client).toEqual(host);
  });

  it('a new run is placed by the list order; a changed run keeps its row while its key fits there', () => {
    const byName = compareRuns({ key: 'workflow', order: 'asc' });
    const list = [...summaries].sort(byName);
    const fresh = toRunSummary({ ...row(99), id: 'new', title: 'beta', workflow_name: 'x' }, {});
    const next = upsertRun(list, fresh, byName);
    expect(next.map((r) => r.id)).toEqual([...list, fresh].sort(byName).map((r) => r.id));
    // Same sort key (its progress changed): the same row, the same neighbours.
    const progressed = { ...list[5]!, task_count: 99 };
    const same = upsertRun(list, progressed, byName);
    expect(same[5]).toBe(progressed);
    expect(same.map((r) => r.id)).toEqual(list.map((r) => r.id));
  });

  it('a run whose sort key changed through an event moves to where the order puts it', () => {
    const byStatus = compareRuns({ key: 'status', order: 'asc' });
    const list = [...summaries].sort(byStatus);
    const i = list.findIndex((r) => r.status === 'running');
    const finished = { ...list[i]!, status: 'completed' as const };
    const next = upsertRun(list, finished, byStatus);
    const expected = list.map((r) => (r.id === finished.id ? finished : r)).sort(byStatus);
    expect(next.map((r) => r.id)).toEqual(expected.map((r) => r.id));
    expect(next.indexOf(finished)).not.toBe(i);
    expect(next).toHaveLength(list.length);
  });

  it('with pages still to load, a run that now sorts after the last loaded one leaves the list for its page', () => {
    const byStatus = compareRuns({ key: 'status', order: 'asc' });
    const all = [...summaries].sort(byStatus);
    // The first page: pending and running runs only; the cancelled ones are on a later page.
    const loaded = all.filter((r) => r.status === 'pending' || r.status === 'running');
    const moved = { ...loaded[0]!, status: 'cancelled' as const };
    expect(upsertRun(loaded, moved, byStatus, true).map((r) => r.id)).toEqual(loaded.slice(1).map((r) => r.id));
    // Everything loaded: it goes last.
    expect(upsertRun(loaded, moved, byStatus, false).at(-1)).toBe(moved);
    // A new run for a later page is left to it as well.
    const fresh = toRunSummary({ ...row(98), id: 'late', status: 'failed' }, {});
    expect(upsertRun(loaded, fresh, byStatus, true)).toEqual(loaded);
  });

  it('topRowShift: the rows in view keep their place when a run above them moves or arrives', () => {
    const byStatus = compareRuns({ key: 'status', order: 'asc' });
    const list = [...summaries].sort(byStatus);
    // Scrolled to row 10; the run in row 2 (above the window) finishes and moves below it.
    const moved = { ...list[2]!, status: 'cancelled' as const };
    const next = upsertRun(list, moved, byStatus);
    const shift = topRowShift(list, next, 10);
    expect(next[10 + shift]!.id).toBe(list[10]!.id);
    expect(shift).toBe(-1);
    // The run at the top of the window itself moves: the rows after it set the shift.
    const top = { ...list[10]!, status: 'cancelled' as const };
    const next2 = upsertRun(list, top, byStatus);
    const shift2 = topRowShift(list, next2, 10);
    expect(next2[11 + shift2]!.id).toBe(list[11]!.id);
    // A new run above the window pushes the rows down by one; nothing changed, nothing moves.
    const fresh = toRunSummary({ ...row(97), id: 'early', status: 'pending' }, {});
    expect(topRowShift(list, upsertRun(list, fresh, byStatus), 10)).toBe(1);
    expect(topRowShift(list, list, 10)).toBe(0);
  });

  it('a re-read first page keeps the later pages of a sorted list', () => {
    const byStatus = compareRuns({ key: 'status', order: 'desc' });
    const all = [...summaries].sort(byStatus);
    const merged = mergeFirstPage(all, all.slice(0, 10), false, byStatus);
    expect(merged).toBe(all);
    // A run of the first page deleted in the gap goes; the later pages stay, in order.
    const gone = all[3]!.id;
    const page = all.slice(0, 11).filter((r) => r.id !== gone);
    expect(mergeFirstPage(all, page, false, byStatus).map((r) => r.id)).toEqual(all.filter((r) => r.id !== gone).map((r) => r.id));
  });
});

describe('header clicks and the address', () => {
  it('a header sorts in its natural order, then the other, then the list is newest first again', () => {
    let s = DEFAULT_RUNS_SORT;
    s = nextRunsSort(s, 'workflow');
    expect(s).toEqual({ key: 'workflow', order: 'asc' });
    s = nextRunsSort(s, 'workflow');
    expect(s).toEqual({ key: 'workflow', order: 'desc' });
    expect(nextRunsSort(s, 'workflow')).toEqual(DEFAULT_RUNS_SORT);
    expect(nextRunsSort(DEFAULT_RUNS_SORT, 'created_at')).toEqual({ key: 'created_at', order: 'asc' });
    expect(nextRunsSort({ key: 'created_at', order: 'asc' }, 'created_at')).toEqual(DEFAULT_RUNS_SORT);
    expect(nextRunsSort(s, 'status')).toEqual({ key: 'status', order: 'asc' });
  });

  it('sort and order round-trip through the runs route with the filters; unknown values are dropped', () => {
    const route = { page: 'runs' as const, filters: { q: 'x', status: ['failed'], backend: 'hpc', sort: 'workflow' as const, order: 'desc' as const } };
    const hash = formatRoute(route);
    expect(hash).toBe('#/runs?status=failed&backend=hpc&q=x&sort=workflow&order=desc');
    expect(parseRoute(hash)).toEqual(route);
    expect(parseRoute('#/runs?sort=size&order=up')).toEqual({ page: 'runs' });
    expect(parseRoute('#/runs?sort=status')).toEqual({ page: 'runs', filters: { q: '', status: [], backend: '', sort: 'status' } });
  });
});
