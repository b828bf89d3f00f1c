// One loop per backend: the only place that sequences observe -> submit. A wake during a cycle runs one more
// cycle right after it; otherwise the next cycle comes after the backend's poll interval.
import type { Backend } from '../backends/types';
import { pollAndSettle, reconcileIntents } from './observe';
import type { EngineParts } from './parts';
import { submitReady } from './submit';

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
    if (!this.p.isOpen() || !b) return;
    await reconcileIntents(this.p, b);
    // No queue information this cycle: no verdicts, no new submissions.
    if (!(await pollAndSettle(this.p, b))) return;
    await submitReady(this.p, b);
  }
}
