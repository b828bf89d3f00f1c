// The read worker's thread: its own read-only connection to the engine's database (WAL lets it read while the
// engine writes) answering the polled read calls as JSON text. Started by read-replica.ts; bundled on its own
// (out/main/read-worker.cjs) because a worker thread needs a file of its own.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parentPort, workerData } from 'node:worker_threads';
import { openDatabase } from '../store/db';
import { parseCallInput, toApiError, type Handlers } from './dispatch';
import { isReadCall, runsGetJson, runsList, type ReadCallName } from './read-calls';
import { ReadCache } from './read-cache';
import { etagOf } from './read-on-thread';
import type { ReadReply, ReadRequest, ReadWorkerData, ReadWorkerHello } from './read-protocol';

function thisThreadsId(): number | null {
  if (process.platform !== 'linux') return null;
  try {
    const tid = Number(path.basename(fs.readlinkSync('/proc/thread-self')));
    return Number.isInteger(tid) && tid > 0 ? tid : null;
  } catch {
    return null;
  }
}

/**
 * On a busy machine the loop's thread should win the CPU over the readers: Linux applies a nice value to one
 * thread when given its id, which /proc/thread-self names. Elsewhere (or when refused) reads keep the process's
 * priority; only their latency, not their answers, depends on this.
 */
function lowerPriorityOf(tid: number | null, steps: number): boolean {
  if (tid === null || steps <= 0) return false;
  try {
    os.setPriority(tid, Math.min(19, os.getPriority(tid) + steps));
    return true;
  } catch {
    return false;
  }
}

/** How much nicer than the engine's thread the reads run (0 = equal, 19 = only when nothing else wants the CPU). */
const READS_NICENESS = 10;

const { file, nativeBinding, cache: useCache = true, niceness = READS_NICENESS } = workerData as ReadWorkerData;
const tid = thisThreadsId();
const niced = lowerPriorityOf(tid, niceness);
const db = openDatabase(file, { readonly: true, nativeBinding });
// A checkpoint in progress can hold the WAL index for a moment; wait rather than fail the read.
db.pragma('busy_timeout = 5000');
// This thread has no in-memory counts: every count comes from the same snapshot as the page.
const noLiveCounts = () => null;

/** An answer as kept: its bytes and their hash; `length` is what the cache's byte budget counts. */
interface Kept {
  body: Uint8Array;
  etag: string;
  length: number;
}
const cache = new ReadCache<Kept>();
const utf8 = new TextEncoder();
const dataVersion = db.prepare('PRAGMA data_version').pluck();


/**
 * One read transaction per answer, so a page and its counts come from the same committed state. The data version
 * is read inside it: that is the version of this very snapshot, and outside a transaction the pragma would take
 * and drop the WAL read lock once more (file-lock system calls, ~20 µs here) on every read, hit or miss.
 */
const query = db.transaction((call: ParsedRead, key: string): { kept: Kept; cached: boolean } => {
  const version = useCache ? (dataVersion.get() as number) : 0;
  const hit = useCache ? cache.get(version, key) : undefined;
  if (hit !== undefined) return { kept: hit, cached: true };
  const text = call.name === 'runs.list' ? JSON.stringify(runsList(db, call.input, noLiveCounts)) : runsGetJson(db, call.input, noLiveCounts);
  // TextEncoder's result owns its ArrayBuffer (Buffer.from may share a pooled one, which a transfer would detach).
  const body = utf8.encode(text);
  const kept = { body, etag: etagOf(body), length: body.length };
  if (useCache) cache.set(version, key, kept);
  return { kept, cached: false };
});

type ParsedRead = { name: 'runs.list'; input: Parameters<Handlers['runs.list']>[0] } | { name: 'runs.get'; input: Parameters<Handlers['runs.get']>[0] };

function parse(name: ReadCallName, input: unknown): ParsedRead {
  return name === 'runs.list' ? { name, input: parseCallInput(name, input) } : { name, input: parseCallInput(name, input) };
}

/**
 * The answer as UTF-8 JSON in a buffer of its own, ready to be transferred; the same parsed query between two
 * commits is answered from the cache (which keeps its copy: a transferred buffer is gone from this thread).
 */
function answer(name: ReadCallName, input: unknown): { body: Uint8Array; etag: string; cached: boolean } {
  const call = parse(name, input);
  // The parsed input has its keys in the contract's order, so equal queries give equal keys whatever the URL's order.
  const key = useCache ? `${name} ${JSON.stringify(call.input)}` : '';
  const { kept, cached } = query(call, key);
  return { body: useCache ? kept.body.slice() : kept.body, etag: kept.etag, cached };
}

const port = parentPort;
if (!port) throw new Error('read-worker.ts runs as a worker thread (see read-replica.ts).');
const hello: ReadWorkerHello = { hello: { tid, niced } };
port.postMessage(hello);
port.on('message', (req: ReadRequest) => {
  let reply: ReadReply;
  try {
    if (!isReadCall(req.name)) throw new Error(`${req.name} is not a read call of the read worker.`);
    reply = { id: req.id, ...answer(req.name, req.input) };
  } catch (err) {
    const e = toApiError(err);
    reply = { id: req.id, error: { code: e.code, message: e.message, details: e.details } };
  }
  port.postMessage(reply, 'body' in reply ? [reply.body.buffer as ArrayBuffer] : []);
});
