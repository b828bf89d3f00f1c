// Reconnect delays after failed connection attempts: doubling from `initialMs` up to `maxMs`, reset on success.
export class Backoff {
  private failures = 0;
  private until = 0;
  constructor(
    private readonly initialMs = 1000,
    private readonly maxMs = 5 * 60_000,
  ) {}
  /** Record a failed attempt at `now`; returns the time before which no new attempt should be made. */
  fail(now = Date.now()): number {
    const delay = Math.min(this.initialMs * 2 ** this.failures, this.maxMs);
    this.failures += 1;
    this.until = now + delay;
    return this.until;
  }
  succeed(): void {
    this.failures = 0;
    this.until = 0;
  }
  /** The time until which attempts are held back, or null when an attempt may be made at `now`. */
  blockedUntil(now = Date.now()): number | null {
    return this.until > now ? this.until : null;
  }
  get consecutiveFailures(): number {
    return this.failures;
  }
}
