// How long one WAL checkpoint holds the engine's thread after 100,000 transitions (1,000 per transaction, as a
// poll cycle writes them; the timer stopped so the WAL holds all of them): a PASSIVE checkpoint on the engine's
// own connection, against the store's checkpoint thread (its own connection). Rounds alternate the two ways so
// both see the same machine load. For the thread: the call's time on the engine's thread, the time until the copy
// is done, and the longest gap between event-loop turns meanwhile (on a loaded machine the OS's scheduling shows
// up there too). Target: < 20 ms on the engine's thread.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { Store } from '../src-main/store/store';
import type { TaskStatus } from '../src-shared/model/status';
import { machineLoad, writeBenchResult } from './lib/report';

const TRANSITIONS = 100_000;
const TASKS = 1_000;
const PER_TX = 1_000;
const ROUNDS = 3;
const CYCLE: TaskStatus[] = ['submitted', 'queued', 'running', 'settling', 'completed'];

/** A store whose WAL holds TRANSITIONS transitions; with `warm`, its checkpoint thread is already up. */
async function bigWal(dir: string, name: string, warm: boolean): Promise<Store> {
  const store = new Store(path.join(dir, `${name}.db`));
  // The timer would checkpoint between the batches; the measured checkpoint must find them all.
  clearInterval((store.checkpointer as unknown as { timer: NodeJS.Timeout }).timer);
  store.tx(() => {
    store.insertRun({
      id: 'r', workflow_name: 'bench', title: null, backend_name: 'local', created_at: new Date().toISOString(), finished_at: null,
      status: 'running', attempt: 1, max_concurrent: null, doc_json: '{}', halted_reason: null, cancel_requested: 0, log_dir: null,
    });
    store.insertTasks('r', Array.from({ length: TASKS }, (_, i) => ({ task_id: `t${i}`, def_json: JSON.stringify({ id: `t${i}`, deps: [] }), retries_left: 0, generated_by: null })));
  });
  if (warm) await store.checkpointer!.checkpoint();
  const at = new Date().toISOString();
  for (let start = 0; start < TRANSITIONS; start += PER_TX) {
    store.tx(() => {
      for (let i = start; i < start + PER_TX; i++) {
        const taskId = `t${i % TASKS}`;
        const k = Math.floor(i / TASKS) % CYCLE.length;
        const to = CYCLE[k] as TaskStatus;
        store.patchTask('r', taskId, { status: to, jobId: `job-${taskId}`, startedAt: to === 'running' ? at : undefined, finishedAt: to === 'completed' ? at : undefined });
        store.appendTransition({ run_id: 'r', task_id: taskId, attempt: 1, at, from_status: k === 0 ? 'pending' : (CYCLE[k - 1] as string), to_status: to, reason: 'bench' });
      }
    });
  }
  return store;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
const ms = (x: number): number => Math.round(x * 10) / 10;

const before = os.loadavg();
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'scripthut-bench-wal-'));
const onThread: number[] = [];
const threadCall: number[] = [];
const threadDone: number[] = [];
const threadGap: number[] = [];
let walMb = 0;
try {
  for (let r = 0; r < ROUNDS; r++) {
    const main = await bigWal(dir, `main-${r}`, false);
    walMb = fs.statSync(path.join(dir, `main-${r}.db-wal`)).size / 1e6;
    const t0 = performance.now();
    main.db.pragma('wal_checkpoint(PASSIVE)');
    onThread.push(performance.now() - t0);
    main.close();

    const threaded = await bigWal(dir, `thread-${r}`, true);
    let last = performance.now();
    let gap = 0;
    let spinning = true;
    const spin = (): void => {
      const now = performance.now();
      gap = Math.max(gap, now - last);
      last = now;
      if (spinning) setImmediate(spin);
    };
    const t1 = performance.now();
    const done = threaded.checkpointer!.checkpoint();
    threadCall.push(performance.now() - t1);
    last = performance.now();
    setImmediate(spin);
    const result = await done;
    spinning = false;
    threadDone.push(performance.now() - t1);
    threadGap.push(gap);
    if (!result || result.threadId === 0) throw new Error('the checkpoint did not run on the checkpoint thread');
    threaded.close();
  }
  const call = median(threadCall);
  writeBenchResult(
    'wal-checkpoint',
    [
      { name: `PASSIVE checkpoint on the engine's connection after ${TRANSITIONS} transitions (median of ${ROUNDS})`, value: ms(median(onThread)), unit: 'ms on the engine thread', note: onThread.map(ms).join(', ') },
      { name: 'the same through the checkpoint thread: the call', value: ms(call), unit: 'ms on the engine thread', target: '< 20 ms', met: call < 20, note: threadCall.map(ms).join(', ') },
      { name: 'the same through the checkpoint thread: until copied', value: ms(median(threadDone)), unit: 'ms', note: threadDone.map(ms).join(', ') },
      { name: 'longest gap between event-loop turns while it copies', value: ms(median(threadGap)), unit: 'ms', note: threadGap.map(ms).join(', ') },
    ],
    { wal_mb: Math.round(walMb * 10) / 10, ...machineLoad(before) },
  );
} finally {
  fs.rmSync(dir, { recursive: true, force: true });
}
