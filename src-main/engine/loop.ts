// One loop per backend: the only place that sequences observe -> submit. A wake during a cycle runs one more
// cycle right after it; otherwise the next cycle comes after the backend's poll interval.
// A cycle reads the backend's in-flight rows once, asks the backend (no transaction open meanwhile), then commits
// everything it saw together with the first wave of submission intents; each wave's job ids share a commit with
// the next wave's intents. Commits, not rows, are what a turn of many short jobs pays for. A batching backend
// keeps several waves on the wire, so its commands do not stand idle while the engine records one and prepares the
// next. On a backend that reports job ends, the waves are answered alongside the next cycles instead of holding them.
import type { Backend, SubmitRequest } from '../backends/types';
import { latencyProbe } from '../logging/latency-probe';
import { afterSeen, applySeen, observeBackend, reconcileIntents } from './observe';
import type { EngineParts } from './parts';
import { allocateSubmissions, cancelsAfterWave, prepareWave, recordWave, stageNext, submitWave, type Outcome, type Pick, type Prepared } from './submit';

export class BackendLoop {
  private running = false;
  private again = false;
  private stopped = false;
  private timer: NodeJS.Timeout | null = null;
  /** Allocated picks not yet prepared; replaced by each cycle's allocation. */
  private queue: Pick[] = [];
  /** Waves being submitted after their cycle ended (backends that report job ends; see cycle). */
  private pendingWaves = 0;
  private wakes = 0;
  /** The requests last handed to the backend to write ahead, by tag. */
  private readonly stagedRequests = new Map<string, SubmitRequest>();

  constructor(
    private readonly p: EngineParts,
    private readonly name: string,
  ) {}

  // Looked up on every cycle, not kept: the backend map is the engine's, and a backend may be replaced in it.
  private get backend(): Backend | undefined {
    return this.p.backends.get(this.name);
  }

  get busy(): boolean {
    return this.running || this.pendingWaves > 0;
  }

  /** Run the cycle now (or right after the one in progress). */
  wake(): void {
    if (this.stopped || !this.backend) return;
    this.wakes++;
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
    const probe = latencyProbe.cycleStart();
    let inflight = p.store.inFlightTasks(b.name);
    if (await reconcileIntents(p, b, inflight)) inflight = p.store.inFlightTasks(b.name);
    const seen = await observeBackend(p, b, inflight);
    // No queue information this cycle: no verdicts, no new submissions.
    if (!seen) return;
    latencyProbe.cycleStep(probe, 'observed');
    const waveSize = Math.max(1, p.o.submitConcurrency ?? b.capabilities.submitConcurrency);
    let wave: Prepared[] = [];
    p.uow.commit(() => {
      applySeen(p, b, seen);
      // A fresh allocation replaces what is left of an earlier one: it counted every intent committed so far,
      // so waves still being answered take their next picks from it and the cap holds across both.
      this.queue = allocateSubmissions(p, b);
      wave = prepareWave(p, b, this.queue, waveSize);
    });
    this.beginWave(wave);
    latencyProbe.cycleStep(probe, 'committed');
    if (latencyProbe.enabled) latencyProbe.cycleJobs(probe, seen.verdicts.keys(), wave.map((w) => w.tag));
    afterSeen(p, b, seen);
    if (!wave.length) return this.stage(b, waveSize);
    // A backend that reports job ends wakes the loop for each: waiting for this wave's answers (a process start
    // on a loaded machine) would hold every end that arrives meanwhile, and with few slots each of those
    // milliseconds is a slot standing idle. Polling backends learn nothing new meanwhile, so they wait.
    if (!b.onJobEnd) return this.submitWaves(b, wave, waveSize, probe);
    this.pendingWaves++;
    const wakesBefore = this.wakes;
    void this.submitWaves(b, wave, waveSize, probe)
      .catch((err: unknown) => console.error(`[engine] submitting on backend '${this.name}' failed:`, err))
      .finally(() => {
        this.pendingWaves--;
        // A job of this wave may have ended before its id was recorded: a cycle that ran meanwhile could not
        // match its end to a task, so look again.
        if (this.wakes !== wakesBefore) this.wake();
      });
  }

  /** Marks a wave as being submitted, in the same synchronous step as its intents' commit (see reconcileIntents). */
  private beginWave(wave: Prepared[]): void {
    for (const w of wave) this.p.submissions.begin(w.run.id, w.row.task_id);
  }

  /**
   * Submit `first` (already begun), record its job ids, and go on with the next picks until none are left. Up to
   * the backend's `submitWavesInFlight` waves are on the wire at once: a wave's answers are recorded in the commit
   * that records the intents of the wave sent in its place, and every wave's intents are committed before it is
   * sent (reconcileIntents finds them after a crash).
   */
  private async submitWaves(b: Backend, first: Prepared[], waveSize: number, probe: number): Promise<void> {
    const p = this.p;
    const depth = Math.max(1, Math.floor(b.capabilities.submitWavesInFlight ?? 1));
    const sending = new Map<number, Promise<{ id: number; wave: Prepared[]; outcomes: Outcome[] }>>();
    let ids = 0;
    const send = (wave: Prepared[]) => {
      const id = ids++;
      sending.set(id, submitWave(b, wave).then((outcomes) => ({ id, wave, outcomes })));
    };
    try {
      send(first);
      // Fill the pipe: each further wave's intents in a commit of their own, committed before it is sent.
      while (sending.size < depth && this.queue.length && p.isOpen()) {
        let more: Prepared[] = [];
        p.uow.commit(() => {
          more = prepareWave(p, b, this.queue, waveSize);
        });
        if (!more.length) break;
        this.beginWave(more);
        if (latencyProbe.enabled) latencyProbe.cycleJobs(probe, [], more.map((w) => w.tag));
        send(more);
      }
      while (sending.size) {
        const done = await Promise.race(sending.values());
        sending.delete(done.id);
        try {
          let next: Prepared[] = [];
          p.uow.commit(() => {
            recordWave(p, done.outcomes);
            next = p.isOpen() ? prepareWave(p, b, this.queue, waveSize) : [];
          });
          this.beginWave(next);
          if (next.length) send(next);
          if (latencyProbe.enabled) {
            for (const w of done.wave) latencyProbe.submitStep(w.tag, 'recorded');
            latencyProbe.cycleJobs(probe, [], next.map((w) => w.tag));
          }
        } finally {
          for (const w of done.wave) p.submissions.end(w.run.id, w.row.task_id);
        }
        await cancelsAfterWave(p, done.outcomes);
      }
    } finally {
      // Recording failed (store closed mid-wave?): waves still on the wire end unrecorded, their intents stay,
      // and no longer marked as being submitted, the next cycle's reconcileIntents finds their jobs by tag.
      for (const left of await Promise.all(sending.values())) for (const w of left.wave) p.submissions.end(w.run.id, w.row.task_id);
    }
    this.stage(b, waveSize);
  }

  /**
   * With every slot taken, the next tasks' job folders are written now, while the engine waits anyway: when a
   * slot frees, starting its next job is little more than a line to the backend.
   */
  private stage(b: Backend, waveSize: number): void {
    try {
      stageNext(this.p, b, Math.min(b.maxConcurrent, waveSize), this.stagedRequests);
    } catch (err) {
      // Writing ahead only saves time; submitting writes what it needs.
      console.error(`[engine] staging the next jobs on backend '${this.name}' failed:`, err);
    }
  }
}
