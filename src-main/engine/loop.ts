// One loop per backend: the only place that sequences observe -> submit. A wake during a cycle runs one more
// cycle right after it; otherwise the next cycle comes after the backend's poll interval.
// A cycle reads the backend's in-flight rows once, asks the backend (no transaction open meanwhile), then commits
// everything it saw together with the first wave of submission intents; each wave's job ids share a commit with
// the next wave's intents. Commits, not rows, are what a turn of many short jobs pays for.
import type { Backend } from '../backends/types';
import { latencyProbe } from '../logging/latency-probe';
import { afterSeen, applySeen, observeBackend, reconcileIntents } from './observe';
import type { EngineParts } from './parts';
import { allocateSubmissions, cancelsAfterWave, prepareWave, recordWave, submitWave, type Outcome, type Pick, type Prepared } from './submit';

export class BackendLoop {
  private running = false;
  private again = false;
  private stopped = false;
  private timer: NodeJS.Timeout | null = null;

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
    let queue: Pick[] = [];
    let wave: Prepared[] = [];
    p.uow.commit(() => {
      applySeen(p, b, seen);
      queue = allocateSubmissions(p, b);
      wave = prepareWave(p, b, queue, waveSize);
    });
    latencyProbe.cycleStep(probe, 'committed');
    if (latencyProbe.enabled) latencyProbe.cycleJobs(probe, seen.verdicts.keys(), wave.map((w) => w.tag));
    afterSeen(p, b, seen);
    while (wave.length) {
      const current = wave;
      for (const w of current) p.submissions.begin(w.run.id, w.row.task_id);
      let outcomes: Outcome[];
      try {
        outcomes = await submitWave(b, current);
        p.uow.commit(() => {
          recordWave(p, outcomes);
          wave = p.isOpen() ? prepareWave(p, b, queue, waveSize) : [];
        });
        if (latencyProbe.enabled) {
          for (const w of current) latencyProbe.submitStep(w.tag, 'recorded');
          latencyProbe.cycleJobs(probe, [], wave.map((w) => w.tag));
        }
      } finally {
        for (const w of current) p.submissions.end(w.run.id, w.row.task_id);
      }
      await cancelsAfterWave(p, outcomes);
    }
  }
}
