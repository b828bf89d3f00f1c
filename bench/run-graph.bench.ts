// runs.graph of a 100,000-task run straight from the store (no HTTP, no browser): ten dot-named groups, every task
// depending on a blocker and on the task before it (in the next group), as bench/ui-graph.bench.ts builds it.
// Figures: the insert (Store.insertTasks, with migration 15's index and edge counts), the group-level graph and a
// group expanded to 200 tasks (first read, then the median of REPS), the grouped Timeline, and the query plans.
// Not asserted.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Store } from '../src-main/store/store';
import { groupGraphFromStore } from '../src-main/store/queries/run-graph';
import { timelineGroupPage, timelineGroups } from '../src-main/store/queries/run-timeline';
import { writeBenchResult, type BenchFigure } from './lib/report';
import { timeMs } from './lib/paged-data';

const TASKS = Number(process.env.SCRIPTHUT_BENCH_TASKS ?? 100_000);
const GROUPS = 10;
const REPS = 9;

const idOf = (i: number): string => `g${String(i % GROUPS).padStart(2, '0')}.task-${String(i).padStart(6, '0')}`;

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'scripthut-bench-graph-'));
try {
  const store = new Store(path.join(dir, 'graph.db'));
  store.insertRun({
    id: 'big', workflow_name: 'bench', title: 'linked', backend_name: 'local', created_at: new Date().toISOString(), finished_at: null,
    status: 'running', attempt: 1, max_concurrent: null, doc_json: '{}', halted_reason: null, cancel_requested: 0, log_dir: null,
  });
  const tasks = [{ task_id: 'blocker', deps: [] as string[] }];
  for (let i = 1; i < TASKS; i++) tasks.push({ task_id: idOf(i), deps: i > 1 ? ['blocker', idOf(i - 1)] : ['blocker'] });
  for (const x of (process.env.DROP ?? '').split(',').filter(Boolean)) store.db.exec(x);
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  store.tx(() =>
    store.insertTasks(
      'big',
      tasks.map((t) => ({ task_id: t.task_id, def_json: JSON.stringify({ id: t.task_id, name: t.task_id, command: 'true', deps: t.deps, cpus: 1, memory: '1G', time_limit: '1:00:00', partition: null }), retries_left: 0, generated_by: null })),
    ),
  );
  const insertMs = Math.round(performance.now() - t0);
  const cpu = process.cpuUsage(cpu0);
  const insertCpuMs = Math.round((cpu.user + cpu.system) / 1000);
  const c0 = performance.now();
  const g = groupGraphFromStore(store.db, 'big', { maxNodes: 2000 });
  const coldMs = Math.round(performance.now() - c0);
  const e0 = performance.now();
  const x = groupGraphFromStore(store.db, 'big', { maxNodes: 2000, expand: 'g03', limit: 200 });
  const expandColdMs = Math.round(performance.now() - e0);
  const group = timeMs(REPS, () => void groupGraphFromStore(store.db, 'big', { maxNodes: 2000 }));
  const expand = timeMs(REPS, () => void groupGraphFromStore(store.db, 'big', { maxNodes: 2000, expand: 'g03', limit: 200 }));
  const timeline = timeMs(REPS, () => void timelineGroups(store.db, 'big'));
  const timelinePage = timeMs(REPS, () => void timelineGroupPage(store.db, 'big', 'g03', 0, 500));
  // The Timeline of a run under way: most tasks finished, some running, some not started (the ids above have no
  // times). Reads with no write between them, then reads each after one task's transition (as a running run is
  // read while the engine writes). Not timed: the UPDATE that gives the tasks their times.
  store.db.exec(`UPDATE tasks SET status = CASE WHEN seq % 7 < 5 THEN 'completed' WHEN seq % 7 = 5 THEN 'running' ELSE 'pending' END,
    submitted_at = CASE WHEN seq % 7 < 6 THEN strftime('%Y-%m-%dT%H:%M:%fZ', '2026-01-01', '+' || seq || ' seconds') END,
    started_at = CASE WHEN seq % 7 < 6 THEN strftime('%Y-%m-%dT%H:%M:%fZ', '2026-01-01', '+' || (seq + 5) || ' seconds') END,
    finished_at = CASE WHEN seq % 7 < 5 THEN strftime('%Y-%m-%dT%H:%M:%fZ', '2026-01-01', '+' || (seq + 65) || ' seconds') END
    WHERE run_id = 'big'`);
  const f0 = performance.now();
  const firstTimed = timelineGroups(store.db, 'big');
  const timedFirstMs = Math.round(performance.now() - f0);
  const timed = timeMs(REPS, () => void timelineGroups(store.db, 'big'));
  const finishOne = store.db.prepare(`UPDATE tasks SET status = 'completed', finished_at = ? WHERE run_id = 'big' AND task_id = ?`);
  let k = 0;
  const afterWrite = timeMs(REPS, () => {
    finishOne.run(new Date(Date.UTC(2026, 1, 1, 0, 0, k)).toISOString(), idOf(7 * k + 5));
    k++;
    void timelineGroups(store.db, 'big');
  });
  // The run finished while the engine goes on writing another run's tasks: a finished run's timeline does not
  // change until a rerun reopens it, so the writes elsewhere do not make it read the run's rows again.
  store.insertRun({
    id: 'other', workflow_name: 'bench', title: 'busy', backend_name: 'local', created_at: new Date().toISOString(), finished_at: null,
    status: 'running', attempt: 1, max_concurrent: null, doc_json: '{}', halted_reason: null, cancel_requested: 0, log_dir: null,
  });
  store.insertTasks('other', [{ task_id: 'x', def_json: JSON.stringify({ id: 'x', name: 'x', command: 'true', deps: [] }), retries_left: 0, generated_by: null }]);
  store.db.exec(`UPDATE tasks SET status = 'completed', submitted_at = coalesce(submitted_at, '2026-01-03T00:00:00.000Z'), started_at = coalesce(started_at, '2026-01-03T00:00:01.000Z'), finished_at = coalesce(finished_at, '2026-01-03T00:01:00.000Z') WHERE run_id = 'big' AND status <> 'completed'`);
  store.updateRun('big', { status: 'completed', finished_at: '2026-01-03T00:01:00.000Z' });
  let w = 0;
  const finishedReads = timeMs(REPS, () => {
    store.patchTask('other', 'x', { status: w++ % 2 ? 'running' : 'queued' });
    void timelineGroups(store.db, 'big');
  });
  const plan = (sql: string, ...p: unknown[]): string =>
    (store.db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...p) as Array<{ detail: string }>).map((r) => r.detail).join('; ');
  const G = `CASE WHEN instr(task_id, '.') > 1 THEN substr(task_id, 1, instr(task_id, '.') - 1) END`;
  const figures: BenchFigure[] = [
    { name: 'insert_tasks', value: insertMs, unit: 'ms', note: `CPU ${insertCpuMs} ms; ${TASKS.toLocaleString('en-US')} tasks, ${(2 * TASKS - 3).toLocaleString('en-US')} dependencies, one transaction (Store.insertTasks with the edge triggers)` },
    { name: 'group_graph_first', value: coldMs, unit: 'ms', target: '< 200 ms', met: coldMs < 200, note: `${g.nodes.length} nodes, ${g.edges.length} edges standing for ${(g.edge_counts ?? []).reduce((a, b) => a + b, 0).toLocaleString('en-US')} dependencies` },
    { name: 'group_graph', value: group.median, unit: 'ms', target: '< 200 ms', met: group.median < 200, note: `median of ${REPS}; min ${group.min}, max ${group.max}; CPU median ${group.cpuMedian} ms` },
    { name: 'expand_group_first', value: expandColdMs, unit: 'ms', target: '< 200 ms', met: expandColdMs < 200, note: `expand g03, 200 tasks: ${x.nodes.length} nodes, ${x.edges.length} edges` },
    { name: 'expand_group', value: expand.median, unit: 'ms', target: '< 200 ms', met: expand.median < 200, note: `median of ${REPS}; min ${expand.min}, max ${expand.max}; CPU median ${expand.cpuMedian} ms` },
    { name: 'timeline_groups', value: timeline.median, unit: 'ms', target: '< 200 ms', met: timeline.median < 200, note: `runs.timeline by group (11 groups): median of ${REPS}; min ${timeline.min}, max ${timeline.max}; CPU median ${timeline.cpuMedian} ms` },
    { name: 'timeline_groups_timed_first', value: timedFirstMs, unit: 'ms', target: '< 200 ms', met: timedFirstMs < 200, note: `the run's tasks with times (5/7 finished, 1/7 running, 1/7 not started): first read after the tasks' update; ${firstTimed.length} groups` },
    { name: 'timeline_groups_timed', value: timed.median, unit: 'ms', target: '< 200 ms', met: timed.median < 200, note: `the same, read again with no write between: median of ${REPS}; min ${timed.min}, max ${timed.max}; CPU median ${timed.cpuMedian} ms` },
    { name: 'timeline_groups_after_write', value: afterWrite.median, unit: 'ms', target: '< 200 ms', met: afterWrite.median < 200, note: `one running task finished (one UPDATE, included) before each read: median of ${REPS}; min ${afterWrite.min}, max ${afterWrite.max}; CPU median ${afterWrite.cpuMedian} ms` },
    { name: 'timeline_groups_finished', value: finishedReads.median, unit: 'ms', target: '< 200 ms', met: finishedReads.median < 200, note: `the run finished; another run's task transitions (one write, included) before each read: median of ${REPS} after a first read; min ${finishedReads.min}, max ${finishedReads.max}; CPU median ${finishedReads.cpuMedian} ms` },
    { name: 'timeline_group_page', value: timelinePage.median, unit: 'ms', target: '< 50 ms', met: timelinePage.median < 50, note: `500 task times of group g03: median of ${REPS}; min ${timelinePage.min}, max ${timelinePage.max}` },
  ];
  writeBenchResult('run-graph', figures, {
    tasks: TASKS,
    plans: {
      group_counts: plan(`SELECT ${G} AS g, status, count(*), min(seq) FROM tasks WHERE run_id = ? AND ${G} IS NOT NULL GROUP BY 1, 2`, 'big'),
      solo_tasks: plan(`SELECT task_id, status, 1, seq FROM tasks WHERE run_id = ? AND ${G} IS NULL`, 'big'),
      timeline_groups: plan(`SELECT ${G} AS g, status, count(*), min(submitted_at), min(started_at), max(finished_at) FROM tasks WHERE run_id = ? GROUP BY 1, 2`, 'big'),
      edge_summary: plan(`SELECT from_node, to_node, n FROM run_graph_edges WHERE run_id = ?`, 'big'),
    },
    loadavg: os.loadavg().map((v) => Math.round(v * 100) / 100),
  });
  store.close();
} finally {
  fs.rmSync(dir, { recursive: true, force: true });
}
