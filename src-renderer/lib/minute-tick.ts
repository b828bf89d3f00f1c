// One clock for every "3 min ago" on screen. Relative times only change by the minute, so a single interval for
// the whole window re-labels them all at once; a timer per row (or a per-second tick) would re-render the
// virtualised tables while they scroll for nothing.

export interface MinuteTick {
  /** `listener(now)` once a minute until the returned function is called; the interval runs only while listened to. */
  subscribe(listener: (now: number) => void): () => void;
  /** How many listeners share the interval (0 means it is stopped). */
  readonly listeners: number;
}

interface Timers {
  setInterval: (fn: () => void, ms: number) => unknown;
  clearInterval: (handle: unknown) => void;
  now: () => number;
}

const realTimers: Timers = {
  setInterval: (fn, ms) => globalThis.setInterval(fn, ms),
  clearInterval: (h) => globalThis.clearInterval(h as ReturnType<typeof setInterval>),
  now: () => Date.now(),
};

export const MINUTE_MS = 60_000;

export function createMinuteTick(timers: Timers = realTimers, periodMs: number = MINUTE_MS): MinuteTick {
  const listeners = new Set<(now: number) => void>();
  let handle: unknown = null;

  function fire(): void {
    const now = timers.now();
    for (const l of [...listeners]) l(now);
  }

  return {
    subscribe(listener) {
      listeners.add(listener);
      if (handle === null) handle = timers.setInterval(fire, periodMs);
      return () => {
        listeners.delete(listener);
        if (listeners.size === 0 && handle !== null) {
          timers.clearInterval(handle);
          handle = null;
        }
      };
    },
    get listeners() {
      return listeners.size;
    },
  };
}
