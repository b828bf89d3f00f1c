// The read worker's thread: its own read-only connection to the engine's database (WAL lets it read while the
// engine writes) answering the polled read calls as JSON text. Started by read-replica.ts; bundled on its own
// (out/main/read-worker.cjs) because a worker thread needs a file of its own.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parentPort, workerData } from 'node:worker_threads';
import { openDatabase } from '../store/db';
import { parseCallInput, toApiError } from './dispatch';
import { isReadCall, runsGet, runsList } from './read-calls';
import type { ReadReply, ReadRequest, ReadWorkerData } from './read-protocol';

/**
 * On a busy machine the loop's thread should win the CPU over the readers: Linux applies a nice value to one
 * thread when given its id, which /proc/thread-self names. Elsewhere (or when refused) reads keep the process's
 * priority; only their latency, not their answers, depends on this.
 */
function lowerThisThreadsPriority(): boolean {
  if (process.platform !== 'linux') return false;
  try {
    const tid = Number(path.basename(fs.readlinkSync('/proc/thread-self')));
    if (!Number.isInteger(tid) || tid <= 0) return false;
    os.setPriority(tid, Math.min(19, os.getPriority(tid) + READS_NICENESS));
    return true;
  } catch {
    return false;
  }
}

/** How much nicer than the engine's thread the reads run (0 = equal, 19 = only when nothing else wants the CPU). */
const READS_NICENESS = 10;

const { file, nativeBinding } = workerData as ReadWorkerData;
lowerThisThreadsPriority();
const db = openDatabase(file, { readonly: true, nativeBinding });
// A checkpoint in progress can hold the WAL index for a moment; wait rather than fail the read.
db.pragma('busy_timeout = 5000');
// This thread has no in-memory counts: every count comes from the same snapshot as the page.
const noLiveCounts = () => null;

// One read transaction per answer, so a page and its counts come from the same committed state.
const answer = db.transaction((name: string, input: unknown): unknown => {
  if (name === 'runs.list') return runsList(db, parseCallInput('runs.list', input), noLiveCounts);
  return runsGet(db, parseCallInput('runs.get', input), noLiveCounts);
});

const port = parentPort;
if (!port) throw new Error('read-worker.ts runs as a worker thread (see read-replica.ts).');
port.on('message', (req: ReadRequest) => {
  let reply: ReadReply;
  try {
    if (!isReadCall(req.name)) throw new Error(`${req.name} is not a read call of the read worker.`);
    reply = { id: req.id, json: JSON.stringify(answer(req.name, req.input)) };
  } catch (err) {
    const e = toApiError(err);
    reply = { id: req.id, error: { code: e.code, message: e.message, details: e.details } };
  }
  port.postMessage(reply);
});
