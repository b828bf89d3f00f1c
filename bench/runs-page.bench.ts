// One page of the runs list at 10,000 runs / 1,000,000 tasks, as runs.list serves it: the filtered total, the
// page (keyset cursor), each run's status counts from the (run_id, status, seq) index, and the JSON summaries.
// Data lives in a temp SQLite file built through the Store. Target: < 50 ms per page (medians; never asserted).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Store } from '../src-main/store/store';
import { pageRuns, type RunsPageQuery } from '../src-main/store/queries/runs-page';
import { toRunSummary } from '../src-main/engine/views';
import { writeBenchResult, type BenchFigure } from './lib/report';
import { insertBenchRun, timeMs } from './lib/paged-data';

const RUNS = 10_000;
const TASKS_PER_RUN = 100;
const REPS = 15;
const TARGET_MS = 50;
const BACKENDS = ['local', 'hpc', 'aws'];
const WORKFLOWS = ['align', 'call_variants', 'qc', 'report', 'train'];

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'scripthut-bench-'));
try {
  const store = new Store(path.join(dir, 'runs-page.db'));
  const t0 = performance.now();
  const start = Date.UTC(2025, 0, 1);
  for (let r = 0; r < RUNS; r += 500) {
    store.tx(() => {
      for (let i = r; i < r + 500; i++) {
        insertBenchRun(store, `run${String(i).padStart(5, '0')}`, new Date(start + i * 60_000).toISOString(), TASKS_PER_RUN, { backend: BACKENDS[i % BACKENDS.length], workflow: WORKFLOWS[i % WORKFLOWS.length] });
        if (i % 7 === 0) store.updateRun(`run${String(i).padStart(5, '0')}`, { status: 'failed' });
        else if (i % 2 === 0) store.updateRun(`run${String(i).padStart(5, '0')}`, { status: 'completed' });
      }
    });
  }
  const buildS = (performance.now() - t0) / 1000;

  // A cursor 100 pages deep, found the way a client would: by following next_cursor.
  let deep: string | undefined;
  for (let p = 0; p < 100; p++) deep = pageRuns(store.db, { cursor: deep }).nextCursor ?? undefined;
  // The same 100 pages deep under a sort no index holds (each page looks at every run).
  let deepByStatus: string | undefined;
  for (let p = 0; p < 100; p++) deepByStatus = pageRuns(store.db, { sort: 'status', cursor: deepByStatus }).nextCursor ?? undefined;

  const cases: Array<[string, RunsPageQuery]> = [
    ['first page (50)', {}],
    ['page 101 via cursor', { cursor: deep }],
    ['status filter failed', { status: 'failed' }],
    ['backend + workflow filter', { backend: 'hpc', workflow: 'qc' }],
    ['text search "run0999"', { q: 'run0999' }],
    ['page of 500', { limit: 500 }],
    ['sort created_at asc (oldest first)', { sort: 'created_at', order: 'asc' }],
    ['sort workflow', { sort: 'workflow' }],
    ['sort status, page 101 via cursor', { sort: 'status', cursor: deepByStatus }],
    ['sort backend desc + status filter failed', { sort: 'backend', order: 'desc', status: 'failed' }],
    ['sort finished_at, page of 500', { sort: 'finished_at', limit: 500 }],
  ];
  const figures: BenchFigure[] = [];
  for (const [name, q] of cases) {
    let shown = 0;
    const t = timeMs(REPS, () => {
      const page = pageRuns(store.db, q);
      shown = page.runs.map((r) => toRunSummary(r.run, r.counts)).length;
    });
    figures.push({ name, value: t.median, unit: 'ms', target: `< ${TARGET_MS} ms`, met: t.median < TARGET_MS, note: `min ${t.min} ms, max ${t.max} ms, CPU median ${t.cpuMedian} ms, ${shown} runs` });
  }
  store.close();
  writeBenchResult('runs-page', figures, { runs: RUNS, tasks: RUNS * TASKS_PER_RUN, reps: REPS, build_s: Number(buildS.toFixed(1)), platform: `${os.platform()} ${os.arch()}`, cpus: os.cpus().length, loadAverage1m: Number(os.loadavg()[0]?.toFixed(2)) });
} finally {
  fs.rmSync(dir, { recursive: true, force: true });
}
