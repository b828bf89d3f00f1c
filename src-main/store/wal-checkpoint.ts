// SQLite checkpoints the WAL inside the commit that takes it past 1,000 pages: the commit of a 100,000-task cancel
// then copied ~50 MB into the database file and synced it before the call could answer (0.8 s of wall time on a
// busy disk, more than half the cancel's budget). The store turns that off and checkpoints on a timer instead,
// between the engine's turns, when something was written since the last checkpoint.
import type { Db } from './db';

export const CHECKPOINT_EVERY_MS = 1000;
/**
 * SQLite still checkpoints inside a commit past this many pages (~200 MB): a long synchronous job (an import, a
 * bench building a million tasks) never lets the timer run, and the WAL must not grow without bound meanwhile.
 * A cancel of 100,000 tasks writes ~15,000 pages.
 */
export const WAL_BOUND_PAGES = 50_000;

export class WalCheckpointer {
  private readonly timer: ReturnType<typeof setInterval>;
  private checkedAt = -1;

  constructor(
    private readonly db: Db,
    everyMs = CHECKPOINT_EVERY_MS,
  ) {
    db.pragma(`wal_autocheckpoint = ${WAL_BOUND_PAGES}`);
    this.timer = setInterval(() => this.checkpoint(), everyMs);
    // A store left open (a test, a CLI command) must not keep the process alive.
    this.timer.unref();
  }

  /** Copy what the WAL holds into the database file, unless nothing was written since the last time. */
  checkpoint(): void {
    if (!this.db.open) return this.stop();
    if (this.db.inTransaction) return;
    const changes = this.db.prepare('SELECT total_changes()').pluck().get() as number;
    if (changes === this.checkedAt) return;
    this.checkedAt = changes;
    // PASSIVE: never waits for readers (the read worker); what it cannot copy now is copied next time.
    this.db.pragma('wal_checkpoint(PASSIVE)');
  }

  stop(): void {
    clearInterval(this.timer);
  }
}
