// Serves the polled read calls (runs.list, runs.get) from a worker thread with its own read-only connection, so
// 50 UIs refreshing a big run cost the engine's thread only the routing: the poll loop is never queued behind a
// query or a JSON serialisation. Started on first use (the desktop app, whose IPC wants objects, never starts
// it). Without its script (a build that lacks it), or once closed, calls fall back to the engine's own thread.
//
// Handing a read to the worker is not free for the engine's thread: posting the message wakes the worker's thread
// and its reply wakes this one (on a VM each wake-up is an inter-processor interrupt: ~60 µs of this thread's CPU
// per read, measured). So when the engine tells how to see that its database changed (`stamp`), the answers are
// also kept here, filed under that stamp: 50 UIs asking the same page between two commits cost one hand-off, and
// the same query asked again while its answer is on the way waits for that answer instead of posting another.
import { Worker } from 'node:worker_threads';
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { ApiError, type CallName } from '../../src-shared/api/contract';
import { isReadCall, type ReadCallName } from './read-calls';
import { READ_WORKER_FILE, findReadWorkerFile } from './read-worker-file';
import type { ReadReply, ReadRequest, ReadWorkerData, ReadWorkerHello } from './read-protocol';
import type { JsonAnswer } from './dispatch';
import { ReadCache, type ReadCacheLimits } from './read-cache';
import { answeredOnThread } from './read-on-thread';

/** Reads waiting for the worker beyond this are refused (503), so a flood of readers cannot grow memory unbounded. */
export const MAX_PENDING_READS = 512;

/** The engine thread's own copy of answers: smaller than the worker's, it holds the pages being polled right now. */
export const ENGINE_THREAD_CACHE_LIMITS: ReadCacheLimits = { maxEntries: 256, maxChars: 8 * 1024 * 1024 };

type Source = { file: string } | { code: string };

/**
 * Where the worker's code is. Bundles (scripts/build-main.mjs) put read-worker.cjs in out/main (and out/electron);
 * the code asking may sit in that folder, a chunk folder below it, or a sibling bundle folder (out/bench). Run from
 * the TypeScript sources (tests), the worker is bundled on the spot with esbuild, a development dependency.
 */
function locateWorker(): Source | null {
  const here = fileURLToPath(import.meta.url);
  const dir = path.dirname(here);
  if (here.endsWith('.ts')) {
    const entry = path.join(dir, 'read-worker.ts');
    const require = createRequire(here);
    const esbuild = require('esbuild') as typeof import('esbuild');
    const out = esbuild.buildSync({ entryPoints: [entry], bundle: true, platform: 'node', format: 'cjs', target: 'node20', packages: 'external', write: false, logLevel: 'silent' });
    const code = out.outputFiles[0]?.text ?? '';
    // An eval'd worker resolves packages from the working folder; resolve them from the sources instead.
    return { code: `(function (require) {\n${code}\n})(require('node:module').createRequire(${JSON.stringify(entry)}));` };
  }
  const file = findReadWorkerFile(here, (f) => fs.existsSync(f));
  return file ? { file } : null;
}

export interface ReadReplicaOptions {
  /** The engine's database file. */
  file: string;
  nativeBinding?: string;
  /** See ReadWorkerData: both on by default; the bench turns them off to measure them. */
  cache?: boolean;
  niceness?: number;
  /** Where a worker failure is reported (default: stderr). */
  log?: (line: string) => void;
  /**
   * Changes whenever the database's content may have changed, cheap to ask on every read (the engine's connection:
   * total_changes()). Null while that cannot be told (a write transaction open). Without it, nothing is kept on the
   * engine's thread and every read is handed to the worker.
   */
  stamp?: () => string | number | null;
}

export class ReadReplica {
  private worker: Worker | null = null;
  private source: Source | null | undefined;
  private readonly pending = new Map<number, { resolve: (body: JsonAnswer) => void; reject: (err: Error) => void }>();
  private nextId = 1;
  private closed = false;
  private served = 0;
  private fromCache = 0;
  private workerThread: ReadWorkerHello['hello'] | null = null;
  private readonly kept = new ReadCache<JsonAnswer>(ENGINE_THREAD_CACHE_LIMITS);
  private readonly inFlight = new Map<string, { stamp: string | number; answer: Promise<JsonAnswer> }>();
  private onEngineThread = 0;
  private here: ((name: ReadCallName, input: unknown) => JsonAnswer) | null = null;

  constructor(private readonly o: ReadReplicaOptions) {}

  /**
   * Small reads (read-on-thread.ts) are answered by `answer` on the engine's thread, from the engine's own
   * connection and in-memory counts, and kept like the worker's answers; bigger ones still go to the worker.
   */
  answerSmallReadsWith(answer: (name: ReadCallName, input: unknown) => JsonAnswer): void {
    this.here = answer;
  }

  /** Answers served by the worker so far (tests check that reads really went there). */
  get answered(): number {
    return this.served;
  }

  /** Of those, the answers given without a query of their own: from either cache, or another caller's same read. */
  get answeredFromCache(): number {
    return this.fromCache;
  }

  /** Of those, the answers given on the engine's thread without a hand-off to the worker (kept, joined, or small reads answered there). */
  get answeredOnEngineThread(): number {
    return this.onEngineThread;
  }

  /** The running worker's OS thread (Linux) and whether its priority was lowered; null before it said hello. */
  get thread(): ReadWorkerHello['hello'] | null {
    return this.worker ? this.workerThread : null;
  }

  /** The call's answer as UTF-8 JSON bytes, from the worker; null when this call is not served here. */
  invokeJson(name: CallName, input: unknown): Promise<JsonAnswer> | null {
    if (this.closed || !isReadCall(name)) return null;
    const stamp = this.currentStamp();
    // The input as the caller gave it: equal requests (the same URL) meet here; the worker files parsed queries.
    const key = stamp === null ? null : `${name} ${JSON.stringify(input)}`;
    if (key !== null && stamp !== null) {
      const kept = this.kept.get(stamp, key);
      if (kept !== undefined) {
        this.served++;
        this.fromCache++;
        this.onEngineThread++;
        return Promise.resolve(kept);
      }
      const flying = this.inFlight.get(key);
      if (flying?.stamp === stamp) {
        // Asked at the same state as the read on its way: that answer is at least as new as this caller asked for.
        return flying.answer.then((a) => {
          this.served++;
          this.fromCache++;
          this.onEngineThread++;
          return a;
        });
      }
    }
    if (this.here && key !== null && stamp !== null && answeredOnThread(name, input)) {
      // Synchronous on this thread: nothing can commit between reading the stamp and computing the answer.
      let answer: JsonAnswer;
      try {
        answer = this.here(name, input);
      } catch (err) {
        return Promise.reject(err as Error);
      }
      this.kept.set(stamp, key, answer);
      this.served++;
      this.onEngineThread++;
      return Promise.resolve(answer);
    }
    const worker = this.worker ?? this.start();
    if (!worker) return null;
    if (this.pending.size >= MAX_PENDING_READS) {
      return Promise.reject(new ApiError('unavailable', `The engine has ${MAX_PENDING_READS} reads waiting; try again in a moment.`));
    }
    const id = this.nextId++;
    const answer = new Promise<JsonAnswer>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      const req: ReadRequest = { id, name, input };
      worker.postMessage(req);
    });
    if (key !== null && stamp !== null) this.keepWhenUnchanged(key, stamp, answer);
    return answer;
  }

  /**
   * Keeps the answer under `stamp` if the database has not changed between the hand-off and the reply: the worker's
   * snapshot began after the hand-off, so it holds exactly that state. Otherwise it is only passed on.
   */
  private keepWhenUnchanged(key: string, stamp: string | number, answer: Promise<JsonAnswer>): void {
    const entry = { stamp, answer };
    this.inFlight.set(key, entry);
    const done = (): void => {
      if (this.inFlight.get(key) === entry) this.inFlight.delete(key);
    };
    answer.then((a) => {
      done();
      if (this.currentStamp() === stamp) this.kept.set(stamp, key, a);
    }, done);
  }

  private currentStamp(): string | number | null {
    try {
      return this.o.stamp?.() ?? null;
    } catch {
      // A closing connection: nothing kept, every read goes to the worker (which reports its own errors).
      return null;
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    const w = this.worker;
    this.worker = null;
    this.failPending('The engine is closing.');
    if (w) await w.terminate();
  }

  private start(): Worker | null {
    if (this.source === undefined) {
      try {
        this.source = locateWorker();
      } catch (err) {
        this.source = null;
        this.report(`cannot prepare the read worker (${(err as Error).message}); reads are served on the engine's thread.`);
      }
      if (this.source === null) this.report(`${READ_WORKER_FILE} is missing next to the engine bundle; reads are served on the engine's thread.`);
    }
    if (!this.source) return null;
    const data: ReadWorkerData = { file: this.o.file, nativeBinding: this.o.nativeBinding, cache: this.o.cache, niceness: this.o.niceness };
    const worker = 'file' in this.source ? new Worker(this.source.file, { workerData: data }) : new Worker(this.source.code, { eval: true, workerData: data });
    // Reads in flight must not keep a process alive that is otherwise done.
    worker.unref();
    worker.on('message', (reply: ReadReply | ReadWorkerHello) => {
      if ('hello' in reply) {
        this.workerThread = reply.hello;
        return;
      }
      const p = this.pending.get(reply.id);
      if (!p) return;
      this.pending.delete(reply.id);
      if ('body' in reply) {
        this.served++;
        if (reply.cached) this.fromCache++;
        p.resolve(Object.assign(reply.body, { etag: reply.etag }));
      } else {
        p.reject(new ApiError(reply.error.code, reply.error.message, reply.error.details));
      }
    });
    const gone = (why: string): void => {
      if (this.worker !== worker) return;
      // The next read starts a fresh worker; the ones waiting get a clear error rather than hanging.
      this.worker = null;
      this.failPending(`The read worker stopped (${why}).`);
      if (!this.closed) this.report(`the read worker stopped (${why}); it restarts on the next read.`);
    };
    worker.on('error', (err) => gone(err.message));
    worker.on('exit', (code) => gone(`exit code ${code}`));
    this.worker = worker;
    return worker;
  }

  private failPending(message: string): void {
    const waiting = [...this.pending.values()];
    this.pending.clear();
    for (const p of waiting) p.reject(new ApiError('unavailable', message));
  }

  private report(line: string): void {
    (this.o.log ?? ((l: string) => console.error(`[engine] ${l}`)))(line);
  }
}
