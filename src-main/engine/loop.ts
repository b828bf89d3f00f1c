// One loop per backend: the only place that sequences observe -> submit. A wake during a cycle runs one more
// cycle right after it; otherwise the next cycle comes after the backend's poll interval.
// A cycle reads the backend's in-flight rows once, asks the backend (no transaction open meanwhile), then commits
// everything it saw together with the first wave of submission intents; each wave's job ids share a commit with
// the next wave's intents. Commits, not rows, are what a turn of many short jobs pays for: when another cycle is
// already due (a job ended meanwhile) and no wave follows, the job ids are carried into that cycle's commit
// instead of a commit of their own (see `carried`).
import type { Backend } from '../backends/types';
import type { TaskRow } from '../store/rows';
import { afterSeen, applySeen, observeBackend, reconcileIntents } from './observe';
import type { EngineParts } from './parts';
import { allocateSubmissions, cancelsAfterWave, prepareWave, recordWave, submitWave, type Outcome, type Pick, type Prepared } from './submit';

export class BackendLoop {
  private running = false;
  private again = false;
  private stopped = false;
  private timer: NodeJS.Timeout | null = null;
  /**
   * Submissions whose job ids are known but not yet committed. Their intents are committed (a crash now is
   * reconciled by tag, as a crash during the backend call would be) and they stay "submitting" until recorded,
   * so neither reconciliation nor a cancel takes them for orphans; the next cycle records them first.
   */
  private carried: Outcome[] = [];

  constructor(
    private readonly p: EngineParts,
    private readonly name: string,
  ) {}

  // Looked up on every cycle, not kept: the backend map is the engine's, and a backend may be replaced in it.
  private get backend(): Backend | undefined {
    return this.p.backends.get(this.name);
  }

  get busy(): boolean {
    return this.running;
  }

  /** Run the cycle now (or right after the one in progress). */
  wake(): void {
    if (this.stopped || !this.backend) return;
    if (this.running) {
      this.again = true;
      return;
    }
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.running = true;
    void (async () => {
      try {
        do {
          this.again = false;
          await this.cycle(this.backend);
        } while (this.again && !this.stopped);
      } catch (err) {
        console.error(`[engine] cycle of backend '${this.name}' failed:`, err);
      }
      try {
        // Stopped (or failed) with job ids still carried: they are recorded now, not left to reconciliation.
        if (this.carried.length) await this.recordCarried();
      } catch (err) {
        console.error(`[engine] recording submissions on backend '${this.name}' failed:`, err);
      } finally {
        this.running = false;
        if (!this.stopped) this.timer = setTimeout(() => this.wake(), this.backend?.pollIntervalMs ?? 1000);
      }
    })();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private async cycle(b: Backend | undefined): Promise<void> {
    const p = this.p;
    if (!p.isOpen() || !b) return;
    let inflight = p.store.inFlightTasks(b.name);
    const carried = this.carried;
    if (carried.length) withCarriedJobIds(inflight, carried);
    if (await reconcileIntents(p, b, inflight)) {
      inflight = p.store.inFlightTasks(b.name);
      withCarriedJobIds(inflight, carried);
    }
    const seen = await observeBackend(p, b, inflight);
    // No queue information this cycle: no verdicts, no new submissions.
    if (!seen) return;
    const waveSize = Math.max(1, p.o.submitConcurrency ?? b.capabilities.submitConcurrency);
    let queue: Pick[] = [];
    let wave: Prepared[] = [];
    this.carried = [];
    try {
      p.uow.commit(() => {
        // Job ids first: the verdicts below are checked against the row's job id.
        recordWave(p, carried);
        applySeen(p, b, seen);
        queue = allocateSubmissions(p, b);
        wave = prepareWave(p, b, queue, waveSize);
      });
    } catch (err) {
      // Rolled back: still carried, for the next attempt.
      this.carried = carried;
      throw err;
    }
    await this.released(carried);
    afterSeen(p, b, seen);
    while (wave.length) {
      const current = wave;
      for (const w of current) p.submissions.begin(w.run.id, w.row.task_id);
      let outcomes: Outcome[] = [];
      let recorded = false;
      try {
        outcomes = await submitWave(b, current);
        // Nothing more to submit and a cycle due right after this one: its commit records these job ids.
        if (!queue.length && this.again && !this.stopped && p.isOpen()) {
          this.carried = outcomes;
          return;
        }
        p.uow.commit(() => {
          recordWave(p, outcomes);
          wave = p.isOpen() ? prepareWave(p, b, queue, waveSize) : [];
        });
        recorded = true;
      } finally {
        if (this.carried !== outcomes) for (const w of current) p.submissions.end(w.run.id, w.row.task_id);
      }
      if (recorded) await cancelsAfterWave(p, outcomes);
    }
  }

  /** Commit carried job ids on their own (the loop stops, or its cycle failed). */
  private async recordCarried(): Promise<void> {
    const carried = this.carried;
    this.carried = [];
    try {
      // The engine may be closing: its store stays open until the loops are idle.
      this.p.uow.commit(() => recordWave(this.p, carried));
    } catch (err) {
      // The intents stay; the next engine reconciles them by tag.
      for (const o of carried) this.p.submissions.end(o.prep.run.id, o.prep.row.task_id);
      throw err;
    }
    await this.released(carried);
  }

  /** Recorded submissions are no longer "submitting"; cancels that came meanwhile are carried out. */
  private async released(recorded: Outcome[]): Promise<void> {
    if (!recorded.length) return;
    for (const o of recorded) this.p.submissions.end(o.prep.run.id, o.prep.row.task_id);
    await cancelsAfterWave(this.p, recorded);
  }
}

/** The cycle's in-flight rows as they will be once the carried job ids are recorded. */
function withCarriedJobIds(inflight: TaskRow[], carried: Outcome[]): void {
  const ids = new Map<string, string>();
  for (const o of carried) if ('ok' in o) ids.set(`${o.prep.run.id}\u0000${o.prep.row.task_id}\u0000${o.prep.row.attempt}`, o.ok.jobId);
  for (const row of inflight) {
    if (row.job_id !== null) continue;
    const id = ids.get(`${row.run_id}\u0000${row.task_id}\u0000${row.attempt}`);
    if (id !== undefined) row.job_id = id;
  }
}
