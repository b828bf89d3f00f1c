// Persisting 100,000 task transitions through the Store (appendTransition + patchTask, as the engine does)
// in a temp SQLite file. The engine commits one transaction per cycle step, so the headline figure batches
// transitions the way a poll cycle over 1,000 jobs would; one transaction per transition is reported as the
// worst case. Target: < 1 s for the batched figure.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Store } from '../src-main/store/store';
import type { TaskStatus } from '../src-shared/model/status';
import { machineLoad, writeBenchResult } from './lib/report';

const TRANSITIONS = 100_000;
const TASKS = 1_000;
const PER_TX = 1_000;
const WORST_CASE = 10_000;
const CYCLE: TaskStatus[] = ['submitted', 'queued', 'running', 'settling', 'completed'];

function freshStore(dir: string, name: string): Store {
  const store = new Store(path.join(dir, `${name}.db`));
  store.tx(() => {
    store.insertRun({
      id: 'bench', workflow_name: 'bench', title: null, backend_name: 'local', created_at: new Date().toISOString(), finished_at: null,
      status: 'running', attempt: 1, max_concurrent: null, doc_json: '{}', halted_reason: null, cancel_requested: 0, log_dir: null,
    });
    store.insertTasks('bench', Array.from({ length: TASKS }, (_, i) => ({ task_id: `t${i}`, def_json: JSON.stringify({ id: `t${i}`, deps: [] }), retries_left: 0, generated_by: null })));
  });
  return store;
}

/** Transition i moves task i % TASKS one step along submitted → … → completed. */
function step(store: Store, i: number, at: string): void {
  const taskId = `t${i % TASKS}`;
  const k = Math.floor(i / TASKS) % CYCLE.length;
  const to = CYCLE[k] as TaskStatus;
  const from = k === 0 ? 'pending' : (CYCLE[k - 1] as TaskStatus);
  store.patchTask('bench', taskId, { status: to, jobId: `job-${taskId}`, startedAt: to === 'running' ? at : undefined, finishedAt: to === 'completed' ? at : undefined });
  store.appendTransition({ run_id: 'bench', task_id: taskId, attempt: 1, at, from_status: from, to_status: to, reason: 'bench' });
}

function timed(fn: () => void): number {
  const t0 = performance.now();
  fn();
  return (performance.now() - t0) / 1000;
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'scripthut-bench-'));
try {
  const batched = freshStore(dir, 'batched');
  const at = new Date().toISOString();
  // CPU time beside the wall time: on a shared machine the wall time mostly measures the other processes.
  const cpu0 = process.cpuUsage();
  const batchedS = timed(() => {
    for (let start = 0; start < TRANSITIONS; start += PER_TX) {
      batched.tx(() => {
        for (let i = start; i < Math.min(start + PER_TX, TRANSITIONS); i++) step(batched, i, at);
      });
    }
  });
  const cpu = process.cpuUsage(cpu0);
  const batchedCpuS = (cpu.user + cpu.system) / 1e6;
  const stored = (batched.db.prepare('SELECT COUNT(*) AS n FROM task_transitions').get() as { n: number }).n;
  if (stored !== TRANSITIONS) throw new Error(`expected ${TRANSITIONS} stored transitions, found ${stored}`);
  batched.close();

  const single = freshStore(dir, 'single');
  const singleS = timed(() => {
    for (let i = 0; i < WORST_CASE; i++) single.tx(() => step(single, i, at));
  });
  single.close();

  writeBenchResult(
    'transitions',
    [
      { name: `${TRANSITIONS} transitions, ${PER_TX} per transaction`, value: Number(batchedS.toFixed(3)), unit: 's', target: '< 1 s', met: batchedS < 1 },
      { name: `${TRANSITIONS} transitions, ${PER_TX} per transaction: CPU`, value: Number(batchedCpuS.toFixed(3)), unit: 's', note: 'user + system CPU of the bench process over the batched figure' },
      { name: 'batched throughput', value: Math.round(TRANSITIONS / batchedS), unit: 'transitions/s' },
      { name: `${WORST_CASE} transitions, one transaction each`, value: Number(singleS.toFixed(3)), unit: 's' },
      { name: 'one-per-transaction throughput', value: Math.round(WORST_CASE / singleS), unit: 'transitions/s' },
    ],
    { tasks: TASKS, per_tx: PER_TX, platform: `${os.platform()} ${os.arch()}`, ...machineLoad() },
  );
} finally {
  fs.rmSync(dir, { recursive: true, force: true });
}
