// Task pages against an oracle: every page pageTasks serves (status filters small and large, text searches with few
// and with more matches than the sorted-in-memory bound, every sort both ways, deep offsets) equals the same page
// cut from all the run's tasks sorted in JavaScript. Searches are kept until the database changes: a write through
// this connection or a commit by another one must show in the next page. Real SQLite file.
import Database from 'better-sqlite3';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Store } from '../../src-main/store/store';
import { statusCountsOf } from '../../src-main/store/queries/status-counts';
import { pageTasks, type TaskPageQuery } from '../../src-main/store/queries/task-page';
import type { TaskRow } from '../../src-main/store/rows';
import { TASK_STATUSES, type TaskStatus } from '../../src-shared/model/status';

const N = 4500;
const MIX: TaskStatus[] = ['completed', 'completed', 'completed', 'completed', 'completed', 'failed', 'running', 'queued', 'pending', 'dep_failed', 'cancelled', 'settling'];
let dir: string;
let store: Store;

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sh-task-oracle-'));
  store = new Store(path.join(dir, 'scripthut.db'));
  store.tx(() => {
    store.insertRun({ id: 'big', workflow_name: 'wf', title: null, backend_name: 'local', created_at: '2026-01-01T00:00:00.000Z', finished_at: null, status: 'running', attempt: 1, max_concurrent: null, doc_json: '{}', halted_reason: null, cancel_requested: 0, log_dir: null });
    store.insertTasks('big', Array.from({ length: N }, (_, i) => ({ task_id: `sample-${i}`, def_json: JSON.stringify({ id: `sample-${i}`, name: i % 3 ? `Align sample ${i}` : `Call ${i}` }), retries_left: 0, generated_by: null })));
    const base = Date.UTC(2026, 0, 1);
    for (let i = 0; i < N; i++) {
      const status = MIX[(i * 7) % MIX.length] as TaskStatus;
      if (status === 'pending') continue;
      const at = (s: number) => new Date(base + s * 1000).toISOString();
      // Times repeat (ties broken by task order) and some failed tasks never started (no duration).
      const started = status === 'queued' || (status === 'failed' && i % 4 === 0) ? null : at(i % 97);
      const finished = ['completed', 'failed', 'cancelled', 'settling', 'dep_failed'].includes(status) ? at((i % 97) + ((i * 31) % 50)) : null;
      store.patchTask('big', `sample-${i}`, { status, submittedAt: at(i % 89), startedAt: started, finishedAt: finished, exitCode: status === 'failed' ? 1 : null });
    }
  });
});
afterAll(() => {
  store.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

function all(): TaskRow[] {
  return store.db.prepare("SELECT * FROM tasks WHERE run_id = 'big' ORDER BY seq").all() as TaskRow[];
}
const ms = (t: string | null) => (t === null ? null : Date.parse(t));
/** As SQLite computes julianday(f) - julianday(s): equal spans may differ in the last bits, and order by that. */
const jd = (t: string) => ((ms(t) as number) + 210866760000000) / 86400000;
const dur = (r: TaskRow) => (r.started_at === null || r.finished_at === null ? null : jd(r.finished_at) - jd(r.started_at));
/** NULLs smallest, as SQLite orders them. */
function cmpNullable(a: number | string | null, b: number | string | null): number {
  if (a === b) return 0;
  if (a === null) return -1;
  if (b === null) return 1;
  return a < b ? -1 : 1;
}

function oracle(rows: TaskRow[], q: TaskPageQuery): { ids: string[]; matched: number } {
  const statuses = q.status ? q.status.split(',') : [];
  const text = q.q?.toLowerCase();
  let hits = rows.filter((r) => (!statuses.length || statuses.includes(r.status)) && (!text || r.task_id.toLowerCase().includes(text) || String((JSON.parse(r.def_json) as { name: string }).name).toLowerCase().includes(text)));
  const desc = q.order === 'desc' ? -1 : 1;
  const key: (r: TaskRow) => number | string | null =
    q.sort === 'id' ? (r) => r.task_id : q.sort === 'duration' ? dur : q.sort === 'status' ? (r) => TASK_STATUSES.indexOf(r.status) : q.sort ? (r) => r[q.sort as 'started_at'] : (r) => r.seq;
  hits = [...hits].sort((a, b) => {
    const c = cmpNullable(key(a), key(b)) * desc;
    if (c) return c;
    // Ties keep task order; reversed with desc except for the status sort.
    return (a.seq - b.seq) * (q.sort === 'status' ? 1 : desc);
  });
  const offset = q.offset ?? 0;
  return { ids: hits.slice(offset, offset + (q.limit ?? 1000)).map((r) => r.task_id), matched: hits.length };
}

function served(q: TaskPageQuery): { ids: string[]; matched: number } {
  const page = pageTasks(store.db, 'big', q, statusCountsOf(store.db, 'big'));
  return { ids: page.rows.map((r) => r.task_id), matched: page.matched };
}

const SORTS = [undefined, 'id', 'status', 'started_at', 'submitted_at', 'finished_at', 'duration'] as const;
const FILTERS: TaskPageQuery[] = [
  {},
  { status: 'failed' }, // a small part of the run: read from the status index, then sorted
  { status: 'completed,failed' }, // most of it: the sort's index is walked
  { q: 'sample 9' }, // few matches: sorted as they are
  { q: 'SAMPLE' }, // every task matches (every id holds it): served as the run's own page, no set of matches
  { q: 'sample', status: 'failed,running' },
  { q: '99_' }, // wildcards are literal: matches nothing
];

describe('task pages equal the oracle', () => {
  for (const f of FILTERS) {
    it(`filter ${JSON.stringify(f)}: every sort, both ways, first and deep pages`, () => {
      const rows = all();
      for (const sort of SORTS) {
        for (const order of ['asc', 'desc'] as const) {
          for (const [offset, limit] of [[0, 1000], [1200, 300], [2990, 500]] as const) {
            const q: TaskPageQuery = { ...f, sort, order, offset, limit };
            expect(served(q), JSON.stringify(q)).toEqual(oracle(rows, q));
          }
        }
      }
    });
  }
});

describe('rows', () => {
  it('a page holds the tasks\' full rows, as SELECT * reads them', () => {
    const byId = new Map(all().map((r) => [r.task_id, r]));
    for (const q of [{ sort: 'duration', order: 'desc', limit: 5000 }, { status: 'failed', q: 'sample', sort: 'id' }] as TaskPageQuery[]) {
      const page = pageTasks(store.db, 'big', q, statusCountsOf(store.db, 'big'));
      expect(page.rows.length).toBeGreaterThan(100);
      expect(page.rows).toEqual(page.rows.map((r) => byId.get(r.task_id)));
    }
  });
});

describe('kept searches', () => {
  it('a write through this connection shows in the next page of the same search', () => {
    const q: TaskPageQuery = { q: 'Align', limit: 50 };
    const before = served(q);
    expect(before).toEqual(oracle(all(), q));
    expect(before.ids).toContain('sample-1');
    store.db.prepare(`UPDATE tasks SET def_json = json_set(def_json, '$.name', 'Renamed') WHERE run_id = 'big' AND task_id IN ('sample-1', 'sample-2', 'sample-4')`).run();
    const after = served(q);
    expect(after).toEqual(oracle(all(), q));
    expect(after.ids).not.toContain('sample-1');
    expect(after.matched).toBe(before.matched - 3);
  });

  it("another connection's commit shows in the next page of the same search", () => {
    const q: TaskPageQuery = { q: 'Call', status: 'completed', limit: 20 };
    const before = served(q);
    expect(before).toEqual(oracle(all(), q));
    const other = new Database(path.join(dir, 'scripthut.db'));
    try {
      other.prepare(`UPDATE tasks SET def_json = json_set(def_json, '$.name', 'Gone') WHERE run_id = 'big' AND task_id = ?`).run(before.ids[0]);
    } finally {
      other.close();
    }
    const after = served(q);
    expect(after).toEqual(oracle(all(), q));
    expect(after.ids).not.toContain(before.ids[0]);
    expect(after.matched).toBe(before.matched - 1);
  });
});

// A search without a status filter is kept under the run's task-set token (migration 16), across state writes.
describe('searches kept across state writes', () => {
  const q: TaskPageQuery = { q: 'sample 1', sort: 'started_at', order: 'desc', limit: 30 };
  const check = (): { ids: string[]; matched: number } => {
    const got = served(q);
    expect(got).toEqual(oracle(all(), q));
    return got;
  };

  it('a state write (same tasks) serves the new order and rows of the same matches', () => {
    const before = check();
    store.tx(() => store.patchTask('big', before.ids[before.ids.length - 1] as string, { status: 'running', startedAt: '2027-01-01T00:00:00.000Z' }));
    const after = check();
    expect(after.ids[0]).toBe(before.ids[before.ids.length - 1]);
    expect(after.matched).toBe(before.matched);
  });

  it('added tasks, deleted tasks and a rewritten definition show in the next page', () => {
    const before = check();
    store.tx(() => store.insertTasks('big', [{ task_id: 'extra', def_json: JSON.stringify({ id: 'extra', name: 'Align sample 1 again' }), retries_left: 0, generated_by: null }]));
    expect(check().matched).toBe(before.matched + 1);
    store.tx(() => store.deleteTasks('big', ['extra', 'sample-100']));
    expect(check().matched).toBe(before.matched - 1);
    store.db.prepare(`UPDATE tasks SET def_json = json_set(def_json, '$.name', 'Renamed') WHERE run_id = 'big' AND task_id = 'sample-10'`).run();
    expect(check().matched).toBe(before.matched - 2);
  });

  it("another connection's added task shows in the next page", () => {
    const before = check();
    const other = new Store(path.join(dir, 'scripthut.db'));
    try {
      other.tx(() => other.insertTasks('big', [{ task_id: 'from-other', def_json: JSON.stringify({ id: 'from-other', name: 'sample 1 elsewhere' }), retries_left: 0, generated_by: null }]));
    } finally {
      other.close();
    }
    expect(check().matched).toBe(before.matched + 1);
  });
});
