// Lazy list cells ask the engine once the list has been still a moment, never in the middle of a scroll.
import { describe, expect, it } from 'vitest';
import { createScrollSettle } from '../../src-renderer/lib/scroll-settle';

function fakeTimers() {
  let now = 0;
  let next = 1;
  const timers = new Map<number, { at: number; fn: () => void }>();
  return {
    timers: {
      setTimeout: (fn: () => void, ms: number) => (timers.set(next, { at: now + ms, fn }), next++),
      clearTimeout: (h: unknown) => void timers.delete(h as number),
      now: () => now,
    },
    /** Moves the clock on, firing due timers in order. */
    advance(ms: number) {
      const end = now + ms;
      for (;;) {
        const due = [...timers].filter(([, t]) => t.at <= end).sort((a, b) => a[1].at - b[1].at)[0];
        if (!due) break;
        timers.delete(due[0]);
        now = due[1].at;
        due[1].fn();
      }
      now = end;
    },
    get armed() {
      return timers.size;
    },
  };
}

describe('scroll settle', () => {
  it('runs a read once it has waited the quiet period in a still list', () => {
    const t = fakeTimers();
    const s = createScrollSettle(250, t.timers);
    let asked = 0;
    s.whenSettled(() => asked++);
    t.advance(249);
    expect(asked).toBe(0);
    t.advance(1);
    expect(asked).toBe(1);
    expect(s.pending).toBe(0);
  });

  it('holds every read while scrolling goes on, then runs them together once it stops', () => {
    const t = fakeTimers();
    const s = createScrollSettle(250, t.timers);
    const asked: string[] = [];
    s.whenSettled(() => asked.push('a'));
    // A wheel step every 40 ms for two seconds: no read in between.
    for (let i = 0; i < 50; i++) {
      s.poke();
      t.advance(40);
      if (i === 10) s.whenSettled(() => asked.push('b'));
    }
    expect(asked).toEqual([]);
    t.advance(250);
    expect(asked.sort()).toEqual(['a', 'b']);
  });

  it('a row that mounts in a still list still waits its own quiet period', () => {
    const t = fakeTimers();
    const s = createScrollSettle(250, t.timers);
    s.poke();
    t.advance(1000);
    let asked = 0;
    s.whenSettled(() => asked++);
    t.advance(100);
    expect(asked).toBe(0);
    t.advance(150);
    expect(asked).toBe(1);
  });

  it('a cancelled read (the row left the window) never runs, and no timer is left behind', () => {
    const t = fakeTimers();
    const s = createScrollSettle(250, t.timers);
    let asked = 0;
    const cancel = s.whenSettled(() => asked++);
    t.advance(100);
    cancel();
    t.advance(1000);
    expect(asked).toBe(0);
    expect(t.armed).toBe(0);
  });

  it('keeps one timer for many waiting reads', () => {
    const t = fakeTimers();
    const s = createScrollSettle(250, t.timers);
    for (let i = 0; i < 40; i++) s.whenSettled(() => undefined);
    expect(t.armed).toBe(1);
    expect(s.pending).toBe(40);
  });
});
