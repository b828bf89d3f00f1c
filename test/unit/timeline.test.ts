// The Gantt tab's axis, ticks and bars (the original's rules: origin at the run's creation, end now while it
// runs, ticks from a fixed list giving at most 10, wait = submitted→started, run = started→finished/now).
import { describe, expect, it } from 'vitest';
import { barOf, tickLabel, tickStep, timeAxis } from '../../src-renderer/lib/timeline';

const T0 = Date.parse('2026-01-01T00:00:00Z');
const at = (s: number): string => new Date(T0 + s * 1000).toISOString();

describe('timeline', () => {
  it.each([
    [5, 1],
    [10, 1],
    [11, 5],
    [90, 10],
    [600, 60],
    [3000, 300],
    [7200, 1800],
    [36000, 3600],
    [86400 * 3, 28800],
    [86400 * 30, 86400 * 3],
  ])('a span of %i s ticks every %i s', (span, step) => {
    expect(tickStep(span)).toBe(step);
    expect(span / tickStep(span)).toBeLessThanOrEqual(10);
  });

  it.each([
    [0, '+0s'],
    [30, '+30s'],
    [120, '+2m'],
    [3600, '+1h'],
    [5400, '+1h30m'],
    [7500, '+2h05m'],
  ])('%i s is labelled %s', (s, label) => expect(tickLabel(s)).toBe(label));

  it('runs from the creation to the finish, or to now while running', () => {
    const done = timeAxis(at(0), at(100), false, T0 + 999_000);
    expect([done.start, done.end]).toEqual([T0, T0 + 100_000]);
    expect(done.ticks.map((t) => t.label)).toEqual(['+0s', '+10s', '+20s', '+30s', '+40s', '+50s', '+1m', '+1m10s', '+1m20s', '+1m30s', '+1m40s']);
    expect(done.ticks[5]!.left).toBeCloseTo(50);
    const live = timeAxis(at(0), null, true, T0 + 200_000);
    expect(live.end).toBe(T0 + 200_000);
    expect(timeAxis(at(0), null, true, T0).end).toBe(T0 + 1000);
  });

  it('has no tick past its end when the span is not a whole number of seconds', () => {
    const axis = timeAxis(at(0), new Date(T0 + 7_300).toISOString(), false, T0 + 60_000);
    expect(axis.ticks.map((t) => t.label)).toEqual(['+0s', '+1s', '+2s', '+3s', '+4s', '+5s', '+6s', '+7s']);
    expect(Math.max(...axis.ticks.map((t) => t.left))).toBeLessThanOrEqual(100);
  });

  it('draws wait and run from their own pairs, clamped to the axis', () => {
    const axis = timeAxis(at(0), at(100), false, T0 + 100_000);
    const b = barOf({ submitted_at: at(10), started_at: at(30), finished_at: at(80) }, axis, T0 + 100_000);
    expect(b.wait!.left).toBeCloseTo(10);
    expect(b.wait!.width).toBeCloseTo(20);
    expect(b.run!.left).toBeCloseTo(30);
    expect(b.run!.width).toBeCloseTo(50);
    expect([b.waitMs, b.runMs]).toEqual([20_000, 50_000]);
    // Still running: the run bar reaches now. Not submitted yet: no bar at all.
    const live = timeAxis(at(0), null, true, T0 + 50_000);
    const r = barOf({ submitted_at: at(0), started_at: at(25), finished_at: null }, live, T0 + 50_000);
    expect(r.run!.left + r.run!.width).toBeCloseTo(100);
    expect(barOf({ submitted_at: null, started_at: null, finished_at: null }, live, T0 + 50_000)).toEqual({ wait: null, run: null, waitMs: null, runMs: null });
    // Cancelled while queued: it waited until it ended and never ran.
    const c = barOf({ submitted_at: at(10), started_at: null, finished_at: at(40) }, axis, T0 + 100_000);
    expect(c.wait!.width).toBeCloseTo(30);
    expect(c.run).toBeNull();
    // Seen started before its submission was recorded (fast local job): no wait, the run bar as recorded.
    const f = barOf({ submitted_at: at(31), started_at: at(30), finished_at: at(30) }, axis, T0 + 100_000);
    expect(f.waitMs).toBe(0);
    expect(f.wait!.left).toBeCloseTo(30);
    expect(f.run!.left).toBeCloseTo(30);
    // A clock skewed before the run's creation stays on the axis.
    expect(barOf({ submitted_at: at(-50), started_at: at(-20), finished_at: at(20) }, axis, T0).run).toEqual({ left: 0, width: 20 });
  });
});
