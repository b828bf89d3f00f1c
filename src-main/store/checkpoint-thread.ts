// A PASSIVE checkpoint of a WAL that grew by 100,000 transitions took 75-95 ms on the engine's thread (measured on
// the 2-core CI machine): the poll loop, the host's answers and the UI's IPC all waited behind it. This thread
// opens its own connection to the same file and does the copying there; SQLite lets a second connection
// checkpoint while the engine's one writes. The code is small and plain, so it runs as an eval'd worker and needs
// no bundle of its own.
import { Worker } from 'node:worker_threads';
import { createRequire } from 'node:module';

export interface CheckpointResult {
  /** WAL frames, and how many of them are now in the database file (PRAGMA wal_checkpoint's answer). */
  log: number;
  checkpointed: number;
  busy: number;
  /** The worker thread that did it (never the engine's). */
  threadId: number;
}

/** How long Store.close() waits for the thread to close its connection (a checkpoint in flight finishes first). */
export const CLOSE_WAIT_MS = 5000;

const WORKER_CODE = `
const { parentPort, workerData, threadId } = require('node:worker_threads');
const { file, modulePath, nativeBinding, closed } = workerData;
const flag = new Int32Array(closed);
let db = null;
let openError = null;
try {
  const Database = require(modulePath);
  db = new Database(file, { fileMustExist: true, ...(nativeBinding ? { nativeBinding } : {}) });
} catch (err) {
  openError = String((err && err.message) || err);
}
parentPort.on('message', (m) => {
  if (m.close) {
    try { if (db) db.close(); } catch {}
    db = null;
    Atomics.store(flag, 0, 1);
    Atomics.notify(flag, 0);
    return;
  }
  try {
    if (!db) throw new Error(openError || 'the connection is closed');
    const r = db.pragma('wal_checkpoint(PASSIVE)')[0];
    parentPort.postMessage({ id: m.id, log: r.log, checkpointed: r.checkpointed, busy: r.busy, threadId });
  } catch (err) {
    parentPort.postMessage({ id: m.id, error: String((err && err.message) || err) });
  }
});
`;

type Reply = { id: number; error: string } | ({ id: number } & CheckpointResult);

export class CheckpointThread {
  private readonly worker: Worker;
  private readonly closed = new Int32Array(new SharedArrayBuffer(4));
  private readonly pending = new Map<number, { resolve: (r: CheckpointResult) => void; reject: (e: Error) => void }>();
  private nextId = 1;
  private stopped = false;

  constructor(file: string, nativeBinding?: string) {
    const modulePath = createRequire(import.meta.url).resolve('better-sqlite3');
    this.worker = new Worker(WORKER_CODE, { eval: true, workerData: { file, modulePath, nativeBinding, closed: this.closed.buffer } });
    // A store left open (a test, a CLI command) must not keep the process alive.
    this.worker.unref();
    this.worker.on('message', (reply: Reply) => {
      const p = this.pending.get(reply.id);
      if (!p) return;
      this.pending.delete(reply.id);
      if ('error' in reply) p.reject(new Error(reply.error));
      else p.resolve({ log: reply.log, checkpointed: reply.checkpointed, busy: reply.busy, threadId: reply.threadId });
    });
    const gone = (why: string) => this.failPending(new Error(`the checkpoint thread stopped (${why})`));
    this.worker.on('error', (err) => gone(err.message));
    this.worker.on('exit', (code) => gone(`exit code ${code}`));
  }

  get alive(): boolean {
    return !this.stopped;
  }

  checkpoint(): Promise<CheckpointResult> {
    if (this.stopped) return Promise.reject(new Error('the checkpoint thread is closed'));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ id });
    });
  }

  /**
   * Synchronous, because Store.close() is: the thread's connection must be closed before the engine's, so that
   * the engine's is the last one and SQLite folds the WAL into the file and removes it, as it did before.
   */
  close(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.worker.postMessage({ close: true });
    Atomics.wait(this.closed, 0, 0, CLOSE_WAIT_MS);
    this.failPending(new Error('the store closed'));
    void this.worker.terminate();
  }

  private failPending(err: Error): void {
    this.stopped = true;
    const waiting = [...this.pending.values()];
    this.pending.clear();
    for (const p of waiting) p.reject(err);
  }
}
