// At most `max` SSH channels open at once on a connection; the rest wait in arrival order. sshd refuses sessions
// beyond MaxSessions (10 by default), so the broker stays under it instead of failing commands.
export class ChannelLimiter {
  private active = 0;
  private readonly waiting: Array<() => void> = [];
  constructor(readonly max: number) {
    if (!Number.isInteger(max) || max < 1) throw new Error(`ssh: maxChannels must be a whole number ≥ 1 (got ${max})`);
  }
  get inFlight(): number {
    return this.active;
  }
  get queued(): number {
    return this.waiting.length;
  }
  /** Resolves when a slot is free; call the returned function exactly once to give it back. */
  acquire(): Promise<() => void> {
    return new Promise((resolve) => {
      const grant = () => {
        this.active += 1;
        let released = false;
        resolve(() => {
          if (released) return;
          released = true;
          this.active -= 1;
          this.waiting.shift()?.();
        });
      };
      if (this.active < this.max) grant();
      else this.waiting.push(grant);
    });
  }
  async with<T>(fn: () => Promise<T>): Promise<T> {
    const release = await this.acquire();
    try {
      return await fn();
    } finally {
      release();
    }
  }
}
