// "Ask once the list is still": lazy cells of a virtualised list (the runs list's cost column) each read from the
// engine once they are on screen, but while a list is being scrolled every row passes by for a moment, and the
// reads of rows that stayed a few frames (each a request, a JSON parse and a re-render) landed in the middle of
// the scroll's frames. Reads wait until no scroll has happened for `quietMs`, then only the rows still there ask.

export interface ScrollSettle {
  /** A scroll happened: pending reads wait another quiet period. */
  poke(): void;
  /** Runs `f` once nothing has scrolled for the quiet period (from now); the returned function cancels it. */
  whenSettled(f: () => void): () => void;
  /** Reads waiting (for tests and diagnostics). */
  readonly pending: number;
}

interface Timers {
  setTimeout: (fn: () => void, ms: number) => unknown;
  clearTimeout: (handle: unknown) => void;
  now: () => number;
}

const realTimers: Timers = {
  setTimeout: (fn, ms) => globalThis.setTimeout(fn, ms),
  clearTimeout: (h) => globalThis.clearTimeout(h as ReturnType<typeof setTimeout>),
  now: () => Date.now(),
};

export function createScrollSettle(quietMs = 250, timers: Timers = realTimers): ScrollSettle {
  /** Each waiting read with when it started waiting: a row that just mounted has not stayed yet, even in a still list. */
  const waiting = new Map<() => void, number>();
  let lastScroll = -Infinity;
  let handle: unknown = null;
  let handleAt = Infinity;

  const dueAt = (since: number): number => Math.max(lastScroll, since) + quietMs;

  // One timer for every waiting read, set for the earliest one: a scroll event costs a timestamp, not a timer per row.
  function arm(): void {
    let next = Infinity;
    for (const since of waiting.values()) next = Math.min(next, dueAt(since));
    if (next === Infinity || (handle !== null && handleAt <= next)) return;
    if (handle !== null) timers.clearTimeout(handle);
    handleAt = next;
    handle = timers.setTimeout(fire, Math.max(1, next - timers.now()));
  }

  function fire(): void {
    handle = null;
    handleAt = Infinity;
    const now = timers.now();
    const due = [...waiting].filter(([, since]) => now >= dueAt(since)).map(([f]) => f);
    for (const f of due) waiting.delete(f);
    arm();
    for (const f of due) f();
  }

  return {
    poke() {
      lastScroll = timers.now();
    },
    whenSettled(f) {
      const run = (): void => f();
      waiting.set(run, timers.now());
      arm();
      return () => {
        waiting.delete(run);
        if (waiting.size === 0 && handle !== null) {
          timers.clearTimeout(handle);
          handle = null;
          handleAt = Infinity;
        }
      };
    },
    get pending() {
      return waiting.size;
    },
  };
}

/** The window's one instance: the lists that scroll poke it, lazy cells wait on it. */
export const scrollSettle = createScrollSettle();
