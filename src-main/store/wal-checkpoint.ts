// SQLite checkpoints the WAL inside the commit that takes it past 1,000 pages: the commit of a 100,000-task cancel
// then copied ~50 MB into the database file and synced it before the call could answer (0.8 s of wall time on a
// busy disk, more than half the cancel's budget). The store turns that off and checkpoints on a timer instead,
// between the engine's turns, when something was written since the last checkpoint and writing has paused (the
// first tick after the cancel's commit fell inside the cancel and held its answer ~0.5 s).
import type { Db } from './db';

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

export class WalCheckpointer {
  private readonly timer: ReturnType<typeof setInterval>;
  private checkedAt = -1;
  /** total_changes() at the previous tick, and how many ticks in a row found new writes. */
  private seenAt = -1;
  private deferred = 0;

  constructor(
    private readonly db: Db,
    everyMs = CHECKPOINT_EVERY_MS,
  ) {
    db.pragma(`wal_autocheckpoint = ${WAL_BOUND_PAGES}`);
    this.timer = setInterval(() => this.tick(), everyMs);
    // A store left open (a test, a CLI command) must not keep the process alive.
    this.timer.unref();
  }

  /** The timer's turn: checkpoint once writing has paused for a tick, or after MAX_DEFERRED_TICKS busy ones. */
  tick(): void {
    if (!this.db.open) return this.stop();
    if (this.db.inTransaction) return;
    const changes = this.changes();
    if (changes === this.checkedAt) return;
    if (changes !== this.seenAt && this.deferred < MAX_DEFERRED_TICKS) {
      this.seenAt = changes;
      this.deferred++;
      return;
    }
    this.checkpoint();
  }

  /** Copy what the WAL holds into the database file, unless nothing was written since the last time. */
  checkpoint(): void {
    if (!this.db.open) return this.stop();
    if (this.db.inTransaction) return;
    const changes = this.changes();
    if (changes === this.checkedAt) return;
    this.checkedAt = this.seenAt = changes;
    this.deferred = 0;
    // PASSIVE: never waits for readers (the read worker); what it cannot copy now is copied next time.
    this.db.pragma('wal_checkpoint(PASSIVE)');
  }

  private changes(): number {
    return this.db.prepare('SELECT total_changes()').pluck().get() as number;
  }

  stop(): void {
    clearInterval(this.timer);
  }
}
