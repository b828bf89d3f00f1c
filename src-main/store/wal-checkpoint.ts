// SQLite checkpoints the WAL inside the commit that takes it past 1,000 pages: the commit of a 100,000-task cancel
// then copied ~50 MB into the database file and synced it before the call could answer (0.8 s of wall time on a
// busy disk, more than half the cancel's budget). The store turns that off and checkpoints on a timer instead,
// between the engine's turns, when something was written since the last checkpoint and writing has paused (the
// first tick after the cancel's commit fell inside the cancel and held its answer ~0.5 s).
// The copying itself runs on a thread of its own (checkpoint-thread.ts); this module decides when.
import { threadId } from 'node:worker_threads';
import type { Db } from './db';
import { CheckpointThread, type CheckpointResult } from './checkpoint-thread';

export const CHECKPOINT_EVERY_MS = 1000;
/**
 * SQLite still checkpoints inside a commit past this many pages (~200 MB): a long synchronous job (an import, a
 * bench building a million tasks) never lets the timer run, and the WAL must not grow without bound meanwhile.
 * A cancel of 100,000 tasks writes ~15,000 pages.
 */
export const WAL_BOUND_PAGES = 50_000;
/**
 * The timer waits for a tick with no new writes before it checkpoints, so a big commit's caller (a cancel awaiting
 * the backend right after its commit) is not held up by copying that commit's pages; under steady writes it
 * checkpoints anyway after this many ticks.
 */
export const MAX_DEFERRED_TICKS = 5;

export interface WalCheckpointerOptions {
  everyMs?: number;
  /** Passed to the checkpoint thread's connection (the Electron build's own better-sqlite3 binary). */
  nativeBinding?: string;
  /** Where a failed checkpoint thread is reported, once (default: stderr). */
  log?: (line: string) => void;
}

export class WalCheckpointer {
  private readonly timer: ReturnType<typeof setInterval>;
  private checkedAt = -1;
  /** total_changes() at the previous tick, and how many ticks in a row found new writes. */
  private seenAt = -1;
  private deferred = 0;
  /** Started on the first checkpoint; null before, and for good once it failed (then this thread copies). */
  private thread: CheckpointThread | null = null;
  private threadFailed = false;
  private inFlight: Promise<CheckpointResult | null> | null = null;
  private isStopped = false;

  constructor(
    private readonly db: Db,
    private readonly o: WalCheckpointerOptions = {},
  ) {
    db.pragma(`wal_autocheckpoint = ${WAL_BOUND_PAGES}`);
    this.timer = setInterval(() => void this.tick(), o.everyMs ?? CHECKPOINT_EVERY_MS);
    // A store left open (a test, a CLI command) must not keep the process alive.
    this.timer.unref();
  }

  /** The timer's turn: checkpoint once writing has paused for a tick, or after MAX_DEFERRED_TICKS busy ones. */
  tick(): Promise<CheckpointResult | null> {
    if (!this.db.open) return this.stopped();
    if (this.db.inTransaction || this.inFlight) return Promise.resolve(null);
    const changes = this.changes();
    if (changes === this.checkedAt) return Promise.resolve(null);
    if (changes !== this.seenAt && this.deferred < MAX_DEFERRED_TICKS) {
      this.seenAt = changes;
      this.deferred++;
      return Promise.resolve(null);
    }
    return this.checkpoint();
  }

  /**
   * Copy what the WAL holds into the database file, unless nothing was written since the last time. Resolves with
   * SQLite's answer once the copy is done (null when there was nothing to do); one copy runs at a time.
   */
  checkpoint(): Promise<CheckpointResult | null> {
    if (!this.db.open) return this.stopped();
    if (this.inFlight) return this.inFlight;
    if (this.db.inTransaction) return Promise.resolve(null);
    const changes = this.changes();
    if (changes === this.checkedAt) return Promise.resolve(null);
    this.checkedAt = this.seenAt = changes;
    this.deferred = 0;
    const done = this.copy().finally(() => {
      this.inFlight = null;
    });
    this.inFlight = done;
    return done;
  }

  private async copy(): Promise<CheckpointResult | null> {
    const thread = this.threadFailed ? null : (this.thread ??= this.startThread());
    if (thread) {
      try {
        return await thread.checkpoint();
      } catch (err) {
        if (this.isStopped || !this.db.open) return null;
        this.threadFailed = true;
        this.thread = null;
        thread.close();
        (this.o.log ?? ((l: string) => console.error(`[store] ${l}`)))(`WAL checkpoints run on the engine's thread from now on: ${(err as Error).message}`);
      }
    }
    if (this.isStopped || !this.db.open) return null;
    // PASSIVE: never waits for readers (the read worker); what it cannot copy now is copied next time.
    const r = (this.db.pragma('wal_checkpoint(PASSIVE)') as Array<Omit<CheckpointResult, 'threadId'>>)[0];
    return r ? { ...r, threadId } : null;
  }

  private startThread(): CheckpointThread | null {
    try {
      return new CheckpointThread(this.db.name, this.o.nativeBinding);
    } catch (err) {
      this.threadFailed = true;
      (this.o.log ?? ((l: string) => console.error(`[store] ${l}`)))(`cannot start the checkpoint thread (${(err as Error).message}); WAL checkpoints run on the engine's thread.`);
      return null;
    }
  }

  private stopped(): Promise<null> {
    this.stop();
    return Promise.resolve(null);
  }

  private changes(): number {
    return this.db.prepare('SELECT total_changes()').pluck().get() as number;
  }

  /** Stop the timer and close the thread's connection (call before closing the store's own). */
  stop(): void {
    this.isStopped = true;
    clearInterval(this.timer);
    this.thread?.close();
    this.thread = null;
  }
}
