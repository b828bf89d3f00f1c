// Paged reads against a real SQLite file (the Store's own insert/patch functions) and through the real headless
// host with the `scripthut` CLI: filters, keyset cursor stability, task sorts, and the bad-input messages.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiError } from '../../src-shared/api/contract';
import type { TaskStatus } from '../../src-shared/model/status';
import { Store } from '../../src-main/store/store';
import type { RunRow } from '../../src-main/store/rows';
import { pageRuns } from '../../src-main/store/queries/runs-page';
import { pageTasks, type TaskPageQuery } from '../../src-main/store/queries/task-page';
import { statusCountsOf } from '../../src-main/store/queries/status-counts';
import { cli, cliJson, ensureCliBuilt, makeSandbox, serve, stopAll, stopServe, type CliSandbox, type ServeProcess } from '../helpers/cli';

const roots: string[] = [];
function tempStore(): Store {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'scripthut-paged-'));
  roots.push(root);
  return new Store(path.join(root, 'scripthut.db'));
}

function run(id: string, createdAt: string, over: Partial<RunRow> = {}): RunRow {
  return {
    id, workflow_name: 'wf', title: null, backend_name: 'local', created_at: createdAt, finished_at: null, status: 'completed', attempt: 1,
    max_concurrent: null, doc_json: '{}', halted_reason: null, cancel_requested: 0, log_dir: null, ...over,
  };
}

function addTasks(store: Store, runId: string, tasks: Array<{ id: string; name?: string; status?: TaskStatus; started?: string; finished?: string }>): void {
  store.insertTasks(runId, tasks.map((t) => ({ task_id: t.id, def_json: JSON.stringify({ id: t.id, name: t.name ?? t.id, command: 'true', deps: [], cpus: 1, memory: '1G', time_limit: '1:00:00', partition: null }), retries_left: 0, generated_by: null })));
  for (const t of tasks) if (t.status) store.patchTask(runId, t.id, { status: t.status, startedAt: t.started ?? null, finishedAt: t.finished ?? null, submittedAt: t.started ?? null });
}

function expectBadInput(fn: () => unknown, ...parts: string[]): void {
  let caught: unknown;
  try {
    fn();
  } catch (err) {
    caught = err;
  }
  expect(caught).toBeInstanceOf(ApiError);
  expect((caught as ApiError).code).toBe('bad_input');
  for (const p of parts) expect((caught as ApiError).message).toContain(p);
}

const iso = (minute: number) => new Date(Date.UTC(2026, 0, 1, 0, minute)).toISOString();

afterAll(() => {
  for (const r of roots) fs.rmSync(r, { recursive: true, force: true });
});

describe('runs list pages (real SQLite file)', () => {
  it('filters by status, backend, workflow and text; total counts every match; counts come per run', () => {
    const store = tempStore();
    store.insertRun(run('aaaa0001', iso(1), { status: 'failed', workflow_name: 'align', title: 'January batch' }));
    store.insertRun(run('aaaa0002', iso(2), { backend_name: 'hpc', workflow_name: 'align' }));
    store.insertRun(run('bbbb0003', iso(3), { status: 'running', workflow_name: 'call_variants', title: '100% done?' }));
    store.insertRun(run('bbbb0004', iso(4), { status: 'cancelled', backend_name: 'hpc', workflow_name: 'qc' }));
    addTasks(store, 'aaaa0001', [{ id: 'a', status: 'completed' }, { id: 'b', status: 'failed' }, { id: 'c', status: 'dep_failed' }]);
    addTasks(store, 'bbbb0003', [{ id: 'x', status: 'running' }, { id: 'y' }]);

    const all = pageRuns(store.db, {});
    expect(all.runs.map((r) => r.run.id)).toEqual(['bbbb0004', 'bbbb0003', 'aaaa0002', 'aaaa0001']);
    expect(all.total).toBe(4);
    expect(all.nextCursor).toBeNull();
    expect(all.runs.find((r) => r.run.id === 'aaaa0001')?.counts).toEqual({ completed: 1, failed: 1, dep_failed: 1 });
    expect(all.runs.find((r) => r.run.id === 'bbbb0003')?.counts).toEqual({ running: 1, pending: 1 });
    expect(all.runs.find((r) => r.run.id === 'bbbb0004')?.counts).toEqual({});

    const ids = (q: Parameters<typeof pageRuns>[1]) => pageRuns(store.db, q).runs.map((r) => r.run.id);
    expect(ids({ status: 'failed,cancelled' })).toEqual(['bbbb0004', 'aaaa0001']);
    expect(ids({ backend: 'hpc' })).toEqual(['bbbb0004', 'aaaa0002']);
    expect(ids({ workflow: 'align' })).toEqual(['aaaa0002', 'aaaa0001']);
    expect(ids({ workflow: 'align', status: 'completed' })).toEqual(['aaaa0002']);
    expect(ids({ q: 'bbbb' })).toEqual(['bbbb0004', 'bbbb0003']);
    expect(ids({ q: 'VARIANTS' })).toEqual(['bbbb0003']);
    expect(ids({ q: 'january' })).toEqual(['aaaa0001']);
    // LIKE wildcards in the search text are literal characters.
    expect(ids({ q: '100%' })).toEqual(['bbbb0003']);
    expect(ids({ q: 'a_i' })).toEqual([]);
    expect(pageRuns(store.db, { status: 'completed', limit: 1 }).total).toBe(1);
    store.close();
  });

  it('a cursor continues where its page ended even when newer runs arrive in between (ties on created_at too)', () => {
    const store = tempStore();
    const created = [iso(1), iso(2), iso(2), iso(2), iso(3), iso(4), iso(5)];
    created.forEach((at, i) => store.insertRun(run(`run${i}`, at)));
    const expected = ['run6', 'run5', 'run4', 'run3', 'run2', 'run1', 'run0'];

    const p1 = pageRuns(store.db, { limit: 3 });
    expect(p1.runs.map((r) => r.run.id)).toEqual(expected.slice(0, 3));
    expect(p1.nextCursor).not.toBeNull();
    // A run created after the first page must not shift the later pages.
    store.insertRun(run('newer', iso(9)));
    const p2 = pageRuns(store.db, { limit: 3, cursor: p1.nextCursor as string });
    expect(p2.runs.map((r) => r.run.id)).toEqual(expected.slice(3, 6));
    expect(p2.total).toBe(8);
    const p3 = pageRuns(store.db, { limit: 3, cursor: p2.nextCursor as string });
    expect(p3.runs.map((r) => r.run.id)).toEqual(['run0']);
    expect(p3.nextCursor).toBeNull();
    expect(pageRuns(store.db, { limit: 3 }).runs[0]?.run.id).toBe('newer');
    store.close();
  });

  it('bad statuses and cursors are bad_input errors naming the value and what is allowed; limits are capped', () => {
    const store = tempStore();
    expectBadInput(() => pageRuns(store.db, { status: 'completed,finished' }), "'finished'", 'pending, running, completed, failed, cancelled');
    expectBadInput(() => pageRuns(store.db, { cursor: 'not-a-cursor' }), "Invalid cursor 'not-a-cursor'");
    for (let i = 0; i < 502; i++) store.insertRun(run(`r${i}`, iso(i)));
    const capped = pageRuns(store.db, { limit: 10_000 });
    expect(capped.runs).toHaveLength(500);
    // The cap is said, not silent: the page carries the size it applied.
    expect(capped.limit).toBe(500);
    expect(pageRuns(store.db, {}).runs).toHaveLength(50);
    expect(pageRuns(store.db, {}).limit).toBe(50);
    expect(pageRuns(store.db, { limit: 7 }).limit).toBe(7);
    store.close();
  });
});

describe('status counts', () => {
  it('are recomputed after a write through this connection or a commit by another one', () => {
    const store = tempStore();
    store.insertRun(run('r', iso(0), { status: 'running' }));
    addTasks(store, 'r', [{ id: 'a' }, { id: 'b' }]);
    expect(statusCountsOf(store.db, 'r')).toEqual({ pending: 2 });
    store.patchTask('r', 'a', { status: 'running' });
    expect(statusCountsOf(store.db, 'r')).toEqual({ pending: 1, running: 1 });
    const other = new Store(store.db.name);
    other.patchTask('r', 'b', { status: 'failed' });
    other.close();
    expect(statusCountsOf(store.db, 'r')).toEqual({ running: 1, failed: 1 });
    // Callers get their own object: changing it leaves the next answer alone.
    const mine = statusCountsOf(store.db, 'r');
    mine.running = 99;
    expect(statusCountsOf(store.db, 'r')).toEqual({ running: 1, failed: 1 });
    store.close();
  });
});

describe('task pages of a run (real SQLite file)', () => {
  // Inserted out of id order on purpose: the default order is the run's task order, not the id.
  const TASKS: Array<{ id: string; name: string; status?: TaskStatus; started?: string; finished?: string }> = [
    { id: 'prep', name: 'Prepare reference', status: 'completed', started: iso(1), finished: iso(3) },
    { id: 'align-2', name: 'Align sample 2', status: 'failed', started: iso(4), finished: iso(14) },
    { id: 'align-1', name: 'Align sample 1', status: 'completed', started: iso(5), finished: iso(6) },
    { id: 'align-3', name: 'Align sample 3', status: 'running', started: iso(2) },
    { id: 'merge', name: 'Merge_BAMs', status: 'queued' },
    { id: 'report', name: 'Write report' },
  ];
  let store: Store;
  const ids = (q: TaskPageQuery) => pageTasks(store.db, 'r', q, statusCountsOf(store.db, 'r')).rows.map((t) => t.task_id);
  beforeAll(() => {
    store = tempStore();
    store.insertRun(run('r', iso(0), { status: 'running' }));
    addTasks(store, 'r', TASKS);
  });
  afterAll(() => store.close());

  it('default order is insertion order; offset/limit page through it; matched counts all pages', () => {
    expect(ids({})).toEqual(TASKS.map((t) => t.id));
    const page = pageTasks(store.db, 'r', { offset: 2, limit: 2 }, statusCountsOf(store.db, 'r'));
    expect(page.rows.map((t) => t.task_id)).toEqual(['align-1', 'align-3']);
    expect(page).toMatchObject({ matched: 6, offset: 2, limit: 2 });
    expect(page.rows[0]).toMatchObject({ run_id: 'r', task_id: 'align-1', status: 'completed', started_at: iso(5), finished_at: iso(6) });
    expect(ids({ offset: 6 })).toEqual([]);
    expect(ids({ order: 'desc', limit: 2 })).toEqual(['report', 'merge']);
  });

  it('filters by status list and by text in id or name (case-insensitive, wildcards literal)', () => {
    const counts = statusCountsOf(store.db, 'r');
    expect(ids({ status: 'completed,failed' })).toEqual(['prep', 'align-2', 'align-1']);
    expect(pageTasks(store.db, 'r', { status: 'completed,failed', limit: 1 }, counts).matched).toBe(3);
    expect(ids({ q: 'align' })).toEqual(['align-2', 'align-1', 'align-3']);
    expect(ids({ q: 'REFERENCE' })).toEqual(['prep']);
    expect(ids({ q: 'merge_' })).toEqual(['merge']);
    expect(ids({ q: 'e_r' })).toEqual([]);
    expect(ids({ q: 'align', status: 'completed' })).toEqual(['align-1']);
    const searched = pageTasks(store.db, 'r', { q: 'align', limit: 1, offset: 1 }, counts);
    expect(searched.rows.map((t) => t.task_id)).toEqual(['align-1']);
    expect(searched.matched).toBe(3);
    // A page past the end still reports how many match.
    expect(pageTasks(store.db, 'r', { q: 'align', offset: 10 }, counts).matched).toBe(3);
  });

  it('sorts by id, status (lifecycle order), times and duration, both ways; missing values first ascending', () => {
    expect(ids({ sort: 'id' })).toEqual(['align-1', 'align-2', 'align-3', 'merge', 'prep', 'report']);
    expect(ids({ sort: 'id', order: 'desc' })).toEqual(['report', 'prep', 'merge', 'align-3', 'align-2', 'align-1']);
    expect(ids({ sort: 'status' })).toEqual(['report', 'merge', 'align-3', 'prep', 'align-1', 'align-2']);
    expect(ids({ sort: 'status', order: 'desc' })).toEqual(['align-2', 'prep', 'align-1', 'align-3', 'merge', 'report']);
    expect(ids({ sort: 'status', offset: 3, limit: 2 })).toEqual(['prep', 'align-1']);
    expect(ids({ sort: 'status', status: 'failed,pending' })).toEqual(['report', 'align-2']);
    expect(ids({ sort: 'started_at' })).toEqual(['merge', 'report', 'prep', 'align-3', 'align-2', 'align-1']);
    expect(ids({ sort: 'started_at', order: 'desc' })).toEqual(['align-1', 'align-2', 'align-3', 'prep', 'report', 'merge']);
    expect(ids({ sort: 'finished_at', order: 'desc', limit: 3 })).toEqual(['align-2', 'align-1', 'prep']);
    expect(ids({ sort: 'submitted_at', status: 'completed' })).toEqual(['prep', 'align-1']);
    // Durations: align-2 10 min, prep 2 min, align-1 1 min; the others have none.
    expect(ids({ sort: 'duration', order: 'desc' })).toEqual(['align-2', 'prep', 'align-1', 'report', 'merge', 'align-3']);
    expect(ids({ sort: 'duration', q: 'align' })).toEqual(['align-3', 'align-1', 'align-2']);
  });

  it('status counts cover the whole run whatever the page', () => {
    expect(statusCountsOf(store.db, 'r')).toEqual({ completed: 2, failed: 1, running: 1, queued: 1, pending: 1 });
  });

  it('bad status, sort and order values are bad_input errors naming the value and the allowed ones', () => {
    const counts = statusCountsOf(store.db, 'r');
    expectBadInput(() => pageTasks(store.db, 'r', { status: 'failed,runing' }, counts), "'runing'", 'pending, submitted, queued, running, settling, completed, failed, dep_failed, cancelled');
    expectBadInput(() => pageTasks(store.db, 'r', { sort: 'size' }, counts), "Unknown sort 'size'", 'id, status, submitted_at, started_at, finished_at, duration');
    expectBadInput(() => pageTasks(store.db, 'r', { order: 'up' }, counts), "Unknown order 'up'", 'asc, desc');
  });
});

describe('CLI paging flags through the real headless host', () => {
  let sb: CliSandbox;
  let host: ServeProcess;
  let runId = '';
  let otherId = '';
  beforeAll(async () => {
    ensureCliBuilt();
    sb = makeSandbox();
    host = await serve(sb);
    const wf = (name: string, tasks: Array<{ id: string; ok: boolean }>) => {
      const file = path.join(sb.root, `${name}.json`);
      fs.writeFileSync(file, JSON.stringify({ title: name, tasks: tasks.map((t) => ({ id: t.id, name: `${name} ${t.id}`, command: t.ok ? 'true' : 'exit 3', memory: '10M', time_limit: '0:05:00', working_dir: sb.root })) }));
      return file;
    };
    const first = await cliJson<{ id: string; status: string }>(sb, ['workflow', 'run', wf('sweep', [{ id: 't1', ok: true }, { id: 't2', ok: false }, { id: 't3', ok: true }, { id: 't4', ok: false }, { id: 't5', ok: true }]), '--backend', 'local', '--watch'], 120_000);
    expect(first.body.status, first.stderr).toBe('failed');
    runId = first.body.id;
    const second = await cliJson<{ id: string; status: string }>(sb, ['workflow', 'run', wf('tidy', [{ id: 'only', ok: true }]), '--backend', 'local', '--watch'], 120_000);
    expect(second.body.status, second.stderr).toBe('completed');
    otherId = second.body.id;
  }, 240_000);
  afterAll(async () => {
    await stopServe(host).catch(() => undefined);
    stopAll();
    fs.rmSync(sb.root, { recursive: true, force: true });
  });

  it('run view --status/--limit/--offset pages tasks; the human view says which slice it shows', async () => {
    const failed = await cliJson<{ items: Array<{ id: string; status: string }>; matched_items: number; total_items: number; item_offset: number; status_counts: Record<string, number> }>(sb, ['run', 'view', runId, '--status', 'failed']);
    expect(failed.code, failed.stderr).toBe(0);
    expect(failed.body.items.map((t) => t.id)).toEqual(['t2', 't4']);
    expect(failed.body).toMatchObject({ matched_items: 2, total_items: 5, item_offset: 0, status_counts: { completed: 3, failed: 2 } });

    const human = await cli(sb, ['run', 'view', runId, '--limit', '2', '--offset', '1']);
    expect(human.code, human.stderr).toBe(0);
    expect(human.stdout).toContain('showing 2–3 of 5 tasks');
    expect(human.stdout).toMatch(/\bt2\b/);
    expect(human.stdout).not.toMatch(/\bt1\b/);
    const filtered = await cli(sb, ['run', 'view', runId, '--status', 'completed', '--sort', 'id', '--order', 'desc', '--limit', '1']);
    expect(filtered.stdout).toContain('showing 1–1 of 3 matching tasks (5 in the run)');
    expect(filtered.stdout).toMatch(/\bt5\b/);

    // Without --limit, --json keeps listing every task (paged through), as scripts expect.
    const all = await cliJson<{ items: Array<{ id: string }>; matched_items: number }>(sb, ['run', 'view', runId]);
    expect(all.body.items.map((t) => t.id)).toEqual(['t1', 't2', 't3', 't4', 't5']);
    const searched = await cliJson<{ items: Array<{ id: string }> }>(sb, ['run', 'view', runId, '--search', 'SWEEP T3']);
    expect(searched.body.items.map((t) => t.id)).toEqual(['t3']);
  });

  it('run list --status/--backend/--workflow/--search/--limit/--cursor; --json keeps runs and adds total/next_cursor', async () => {
    const all = await cliJson<{ runs: Array<{ id: string }>; total: number; next_cursor: string | null }>(sb, ['run', 'list']);
    expect(all.body).toMatchObject({ total: 2, next_cursor: null });
    expect(all.body.runs.map((r) => r.id)).toEqual([otherId, runId]);

    const p1 = await cliJson<{ runs: Array<{ id: string }>; next_cursor: string | null }>(sb, ['run', 'list', '--limit', '1']);
    expect(p1.body.runs.map((r) => r.id)).toEqual([otherId]);
    expect(p1.body.next_cursor).toBeTruthy();
    const p2 = await cliJson<{ runs: Array<{ id: string }>; next_cursor: string | null }>(sb, ['run', 'list', '--limit', '1', '--cursor', p1.body.next_cursor as string]);
    expect(p2.body).toMatchObject({ runs: [{ id: runId }], next_cursor: null });

    const ids = async (args: string[]) => (await cliJson<{ runs: Array<{ id: string }> }>(sb, ['run', 'list', ...args])).body.runs.map((r) => r.id);
    expect(await ids(['--status', 'failed'])).toEqual([runId]);
    expect(await ids(['--status', 'completed,cancelled'])).toEqual([otherId]);
    expect(await ids(['--workflow', 'tidy'])).toEqual([otherId]);
    expect(await ids(['--backend', 'local', '--search', 'swe'])).toEqual([runId]);
    expect(await ids(['--backend', 'elsewhere'])).toEqual([]);

    const human = await cli(sb, ['run', 'list', '--limit', '1']);
    expect(human.stdout).toContain('1 of 2 runs.');
    expect(human.stderr).toContain('--cursor');
  });

  it('a limit over the cap is applied as the cap and said so: HTTP `limit`/`item_limit`, CLI --json and a notice', async () => {
    const url = new URL(host.url);
    const token = new URLSearchParams(url.hash.slice(1)).get('token') ?? JSON.parse(fs.readFileSync(path.join(sb.dataDir, 'engine.json'), 'utf8')).token;
    const get = async (p: string) => {
      const res = await fetch(`${url.origin}/api/v1${p}`, { headers: { authorization: `Bearer ${token}` } });
      expect(res.status).toBe(200);
      return (await res.json()) as Record<string, unknown>;
    };
    expect(await get('/runs?limit=600')).toMatchObject({ limit: 500, total: 2 });
    expect(await get('/runs')).toMatchObject({ limit: 50 });
    expect(await get('/runs?limit=1')).toMatchObject({ limit: 1 });
    expect(await get(`/runs/${runId}?limit=9000`)).toMatchObject({ item_limit: 5000, matched_items: 5 });

    const list = await cliJson<{ runs: unknown[]; limit: number }>(sb, ['run', 'list', '--limit', '600']);
    expect(list.code, list.stderr).toBe(0);
    expect(list.body).toMatchObject({ limit: 500, total: 2 });
    expect(list.stderr).toContain('At most 500 runs per page: showing 500, not 600');
    const view = await cli(sb, ['run', 'view', runId, '--limit', '9000']);
    expect(view.code, view.stderr).toBe(0);
    expect(view.stderr).toContain('At most 5000 tasks per page');
    const quiet = await cli(sb, ['run', 'list', '--limit', '5']);
    expect(quiet.stderr).not.toContain('At most');
  });

  it('run list --sort/--asc/--desc/--order and GET /runs?sort=&order=: order changes, pages follow it, bad values are located', async () => {
    type List = { runs: Array<{ id: string }>; total: number; next_cursor: string | null; limit: number };
    const ids = async (args: string[]) => {
      const r = await cliJson<List>(sb, ['run', 'list', ...args]);
      expect(r.code, r.stderr).toBe(0);
      return r.body.runs.map((x) => x.id);
    };
    // The workflows are titled 'sweep' (runId, failed) and 'tidy' (otherId, completed).
    expect(await ids(['--sort', 'workflow'])).toEqual([runId, otherId]);
    expect(await ids(['--sort', 'workflow', '--desc'])).toEqual([otherId, runId]);
    expect(await ids(['--sort', 'workflow', '--order', 'desc'])).toEqual([otherId, runId]);
    // Lifecycle order: completed before failed.
    expect(await ids(['--sort', 'status'])).toEqual([otherId, runId]);
    expect(await ids(['--sort', 'created_at', '--asc'])).toEqual([runId, otherId]);
    expect(await ids(['--asc'])).toEqual([runId, otherId]);

    // The --json shape is the same; only the order differs. The cursor continues the sorted list.
    const p1 = await cliJson<List>(sb, ['run', 'list', '--sort', 'workflow', '--limit', '1']);
    expect(Object.keys(p1.body).sort()).toEqual(['limit', 'next_cursor', 'runs', 'total']);
    expect(p1.body.runs.map((r) => r.id)).toEqual([runId]);
    const cursor = p1.body.next_cursor as string;
    expect(await ids(['--sort', 'workflow', '--limit', '1', '--cursor', cursor])).toEqual([otherId]);
    const human = await cli(sb, ['run', 'list', '--sort', 'workflow', '--limit', '1']);
    expect(human.stderr).toContain('with the same filters and sort');
    const wrongSort = await cli(sb, ['run', 'list', '--limit', '1', '--cursor', cursor]);
    expect(wrongSort.code).not.toBe(0);
    expect(wrongSort.stderr).toContain('continues a list sorted by workflow asc, not created_at desc');

    const badSort = await cli(sb, ['run', 'list', '--sort', 'size']);
    expect(badSort.code).not.toBe(0);
    expect(badSort.stderr).toContain("Unknown sort 'size'; allowed: created_at, finished_at, status, workflow, backend.");
    const badOrder = await cli(sb, ['run', 'list', '--order', 'up']);
    expect(badOrder.code).not.toBe(0);
    expect(badOrder.stderr).toContain("Unknown order 'up'; allowed: asc, desc.");
    const both = await cli(sb, ['run', 'list', '--asc', '--desc']);
    expect(both.code).not.toBe(0);
    expect(both.stderr).toContain('Conflicting sort orders: --asc, --desc');

    const url = new URL(host.url);
    const token = new URLSearchParams(url.hash.slice(1)).get('token') ?? JSON.parse(fs.readFileSync(path.join(sb.dataDir, 'engine.json'), 'utf8')).token;
    const get = (p: string) => fetch(`${url.origin}/api/v1${p}`, { headers: { authorization: `Bearer ${token}` } });
    const order = async (p: string) => {
      const res = await get(p);
      expect(res.status).toBe(200);
      return ((await res.json()) as List).runs.map((r) => r.id);
    };
    expect(await order('/runs?sort=workflow&order=desc')).toEqual([otherId, runId]);
    expect(await order('/runs?sort=workflow')).toEqual([runId, otherId]);
    expect(await order('/runs?sort=backend&order=asc&status=failed')).toEqual([runId]);
    for (const [query, says] of [
      ['sort=size', "Unknown sort 'size'; allowed: created_at, finished_at, status, workflow, backend."],
      ['sort=workflow&order=sideways', "Unknown order 'sideways'; allowed: asc, desc."],
      [`sort=status&cursor=${cursor}`, 'continues a list sorted by workflow asc, not status asc'],
    ] as const) {
      const res = await get(`/runs?${query}`);
      // The API answers every bad_input of a call's input with 422 (runs.get's bad sort too).
      expect(res.status, query).toBe(422);
      expect(JSON.stringify(await res.json()), query).toContain(says);
    }
  });

  it('bad values exit non-zero with a message naming the value and the allowed ones', async () => {
    const list = await cli(sb, ['run', 'list', '--status', 'bogus']);
    expect(list.code).not.toBe(0);
    expect(list.stderr).toContain("'bogus'");
    expect(list.stderr).toContain('pending, running, completed, failed, cancelled');
    const sort = await cli(sb, ['run', 'view', runId, '--sort', 'size']);
    expect(sort.code).not.toBe(0);
    expect(sort.stderr).toContain("Unknown sort 'size'; allowed: id, status, submitted_at, started_at, finished_at, duration");
    const status = await cli(sb, ['run', 'view', runId, '--status', 'done']);
    expect(status.code).not.toBe(0);
    expect(status.stderr).toContain("Unknown task status 'done'");
  });
});
