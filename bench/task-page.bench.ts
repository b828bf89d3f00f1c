// One task page of a 100,000-task run, as runs.get serves it: status counts over the whole run, the matched
// count, the page's rows and their JSON views. Data lives in a temp SQLite file built through the Store.
// Target: < 50 ms per page, including filters and sort (figures are medians of REPS reads; never asserted).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Store } from '../src-main/store/store';
import { pageTasks, type TaskPageQuery } from '../src-main/store/queries/task-page';
import { statusCountsOf } from '../src-main/store/queries/status-counts';
import { renewTaskSetToken } from '../src-main/store/queries/task-set-token';
import { toTaskView } from '../src-main/engine/views';
import { writeBenchResult, type BenchFigure } from './lib/report';
import { insertBenchRun, timeMs } from './lib/paged-data';

const TASKS = 100_000;
const REPS = 15;
const TARGET_MS = 50;

const CASES: Array<[string, TaskPageQuery]> = [
  ['first page (1000, task order)', {}],
  ['deep page (offset 99,000)', { offset: 99_000 }],
  ['status filter failed,running', { status: 'failed,running' }],
  ['text search "sample-4242"', { q: 'sample-4242' }],
  ['text search "Align sample 99" (name)', { q: 'Align sample 99' }],
  ['text search matching every task, sort started_at', { q: 'sample', sort: 'started_at' }],
  ['sort id desc', { sort: 'id', order: 'desc' }],
  ['sort status', { sort: 'status' }],
  ['sort status desc, offset 50,000', { sort: 'status', order: 'desc', offset: 50_000 }],
  ['sort started_at desc', { sort: 'started_at', order: 'desc' }],
  ['sort finished_at', { sort: 'finished_at' }],
  ['sort duration desc', { sort: 'duration', order: 'desc' }],
  ['failed sorted by duration, offset 2000', { status: 'failed', sort: 'duration', order: 'desc', offset: 2000 }],
  ['page of 5000, sort submitted_at', { limit: 5000, sort: 'submitted_at' }],
];

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'scripthut-bench-'));
try {
  const store = new Store(path.join(dir, 'task-page.db'));
  const t0 = performance.now();
  store.tx(() => insertBenchRun(store, 'big', new Date().toISOString(), TASKS));
  const buildS = (performance.now() - t0) / 1000;
  const figures: BenchFigure[] = [];
  for (const [name, q] of CASES) {
    let items = 0;
    const t = timeMs(REPS, () => {
      const page = pageTasks(store.db, 'big', q, statusCountsOf(store.db, 'big'));
      items = page.rows.map(toTaskView).length;
    });
    figures.push({ name, value: t.median, unit: 'ms', target: `< ${TARGET_MS} ms`, met: t.median < TARGET_MS, note: `min ${t.min} ms, max ${t.max} ms, CPU median ${t.cpuMedian} ms, ${items} items` });
  }
  // Every figure above reads the run's status counts from the cache (as paging through a run does). After any
  // write the counts are recomputed: a GROUP BY over the (run_id, status, seq) index.
  const touch = store.db.prepare("UPDATE runs SET title = title WHERE id = 'big'");
  const cold = timeMs(REPS, () => {
    touch.run();
    statusCountsOf(store.db, 'big');
  });
  figures.push({ name: 'status counts recomputed after a write (GROUP BY over the index)', value: cold.median, unit: 'ms', note: `min ${cold.min} ms, max ${cold.max} ms, CPU median ${cold.cpuMedian} ms` });
  const coldPage = timeMs(REPS, () => {
    touch.run();
    pageTasks(store.db, 'big', {}, statusCountsOf(store.db, 'big')).rows.map(toTaskView);
  });
  figures.push({ name: 'first page right after a write (counts recomputed)', value: coldPage.median, unit: 'ms', target: `< ${TARGET_MS} ms`, met: coldPage.median < TARGET_MS, note: `min ${coldPage.min} ms, max ${coldPage.max} ms, CPU median ${coldPage.cpuMedian} ms` });
  // A search without a status filter is kept under the run's task-set token (migration 16): a write that changes
  // states (as a running run's writes do) keeps its matches, and only the page's order, rows and the run's counts
  // are read again. A change to the run's set of tasks (added, removed, redefined) scans the run again: the
  // "task set changed" figures, where the token is renewed before each read.
  const cases: Array<[string, TaskPageQuery]> = [
    ['text search "Align sample 99"', { q: 'Align sample 99' }],
    ['text search matching every task, sort started_at', { q: 'sample', sort: 'started_at' }],
  ];
  for (const [what, write] of [
    ['right after a write', () => touch.run()],
    ['right after the task set changed (cold scan)', () => renewTaskSetToken(store.db, 'big')],
  ] as Array<[string, () => void]>) {
    for (const [name, q] of cases) {
      const t = timeMs(REPS, () => {
        write();
        pageTasks(store.db, 'big', q, statusCountsOf(store.db, 'big')).rows.map(toTaskView);
      });
      figures.push({ name: `${name} ${what}`, value: t.median, unit: 'ms', target: `< ${TARGET_MS} ms`, met: t.median < TARGET_MS, note: `min ${t.min} ms, max ${t.max} ms, CPU median ${t.cpuMedian} ms; includes recounting the run` });
    }
  }
  store.close();
  writeBenchResult('task-page', figures, { tasks: TASKS, reps: REPS, build_s: Number(buildS.toFixed(1)), platform: `${os.platform()} ${os.arch()}`, cpus: os.cpus().length, loadAverage1m: Number(os.loadavg()[0]?.toFixed(2)) });
} finally {
  fs.rmSync(dir, { recursive: true, force: true });
}
