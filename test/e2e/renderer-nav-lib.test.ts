// Hash routes and the shortcut reader.
import { describe, expect, it, vi } from 'vitest';
import { formatRoute, parseRoute, type Route } from '../../src-renderer/lib/router';
import { isTyping, readShortcut } from '../../src-renderer/lib/shortcuts';

describe('routes', () => {
  it('round-trips every page and selection, with awkward ids', () => {
    const routes: Route[] = [
      { page: 'runs' },
      { page: 'run', runId: 'abc123', taskId: null, tab: null },
      { page: 'run', runId: 'abc123', taskId: 'fit.model/a b', tab: null },
      { page: 'run', runId: 'abc123', taskId: 'prep', tab: 'error' },
      { page: 'backends', backend: null },
      { page: 'backends', backend: 'hpc #1' },
      { page: 'settings' },
    ];
    for (const r of routes) expect(parseRoute(formatRoute(r))).toEqual(r);
    expect(formatRoute({ page: 'run', runId: 'r', taskId: 't', tab: 'output' })).toBe('#/runs/r/tasks/t/log');
  });

  it('falls back to the runs page for unknown or token-only hashes', () => {
    expect(parseRoute('')).toEqual({ page: 'runs' });
    expect(parseRoute('#token=abc')).toEqual({ page: 'runs' });
    expect(parseRoute('#/nowhere')).toEqual({ page: 'runs' });
    expect(parseRoute('#/runs/%E0%A4%A')).toEqual({ page: 'runs' });
    expect(parseRoute('#/runs/r/tasks/t/bogus')).toEqual({ page: 'run', runId: 'r', taskId: 't', tab: null });
  });

  it('keeps the runs filters in the query, round-tripping awkward text and dropping empty or unknown keys', () => {
    const filters = { q: 'fit & model ?#/ é', status: ['failed', 'running'], backend: 'hpc #1' };
    const hash = formatRoute({ page: 'runs', filters });
    expect(hash.startsWith('#/runs?')).toBe(true);
    expect(parseRoute(hash)).toEqual({ page: 'runs', filters });
    expect(formatRoute({ page: 'runs', filters: { q: '', status: [], backend: '' } })).toBe('#/runs');
    expect(parseRoute('#/runs?status=&q=&other=1')).toEqual({ page: 'runs' });
    expect(parseRoute('#/runs?status=failed,,failed')).toEqual({ page: 'runs', filters: { q: '', status: ['failed'], backend: '' } });
    // A query never leaks into a run's id, and other pages ignore one.
    expect(parseRoute('#/runs/abc?status=failed')).toEqual({ page: 'run', runId: 'abc', taskId: null, tab: null });
    expect(parseRoute('#/settings?x=1')).toEqual({ page: 'settings' });
  });
});

describe('shortcuts', () => {
  const key = (k: string, mods: Partial<{ ctrlKey: boolean; metaKey: boolean; altKey: boolean }> = {}) => ({ key: k, ctrlKey: false, metaKey: false, altKey: false, ...mods });
  it('reads single keys, two-key sequences and Ctrl/Cmd-K', () => {
    expect(readShortcut(key('k', { ctrlKey: true }), null).action).toBe('palette');
    expect(readShortcut(key('K', { metaKey: true }), null).action).toBe('palette');
    expect(readShortcut(key('?'), null).action).toBe('help');
    const g = readShortcut(key('g'), null);
    expect(g).toEqual({ action: null, pending: 'g' });
    expect(readShortcut(key('b'), g.pending).action).toBe('go-backends');
    expect(readShortcut(key('x'), g.pending)).toEqual({ action: null, pending: null });
    expect(readShortcut(key('n', { altKey: true }), null).action).toBeNull();
  });

  it('leaves keys alone while the user types', () => {
    expect(isTyping({ tagName: 'INPUT', type: 'text' } as unknown as EventTarget)).toBe(true);
    expect(isTyping({ tagName: 'INPUT', type: 'checkbox' } as unknown as EventTarget)).toBe(false);
    expect(isTyping({ tagName: 'TEXTAREA' } as unknown as EventTarget)).toBe(true);
    expect(isTyping({ tagName: 'DIV' } as unknown as EventTarget)).toBe(false);
  });
});

describe('timestamps', () => {
  it('tooltips carry the local zone and the UTC time', async () => {
    const { formatLocalFull } = await import('../../src-renderer/lib/time');
    const s = formatLocalFull('2026-11-30T17:14:34.123Z');
    expect(s).toContain('2026-11-30 17:14:34 UTC');
    expect(s).toMatch(/2026.*·/);
    expect(formatLocalFull(null)).toBe('');
    expect(formatLocalFull('garbage')).toBe('garbage');
  });

  it('shows 24-hour times in every locale, like the CLI and the logs (en-US gave "05:14:34 PM")', async () => {
    const { formatLocal, formatLocalFull } = await import('../../src-renderer/lib/time');
    const today = new Date();
    today.setHours(17, 14, 34, 0);
    expect(formatLocal(today.toISOString())).toBe('17:14:34');
    today.setHours(0, 5, 0, 0);
    expect(formatLocal(today.toISOString())).toBe('00:05:00');
    expect(formatLocalFull(today.toISOString())).not.toMatch(/\b[AP]M\b/);
  });
});

describe('relative times', () => {
  const now = Date.parse('2026-11-30T12:00:00Z');
  const ago = (ms: number): string => new Date(now - ms).toISOString();

  it('says how long ago in minutes, hours and days, and gives the date past a week', async () => {
    const { formatLocal, formatRelative } = await import('../../src-renderer/lib/time');
    expect(formatRelative(ago(20_000), now)).toBe('just now');
    expect(formatRelative(ago(3 * 60_000 + 5_000), now)).toBe('3 min ago');
    expect(formatRelative(ago(59 * 60_000), now)).toBe('59 min ago');
    expect(formatRelative(ago(2 * 3_600_000 + 10 * 60_000), now)).toBe('2 h ago');
    expect(formatRelative(ago(30 * 3_600_000), now)).toBe('yesterday');
    expect(formatRelative(ago(3 * 86_400_000), now)).toBe('3 d ago');
    expect(formatRelative(ago(10 * 86_400_000), now)).toBe(formatLocal(ago(10 * 86_400_000)));
    expect(formatRelative(null, now)).toBe('—');
    expect(formatRelative('garbage', now)).toBe('garbage');
  });

  it('reads a time from a clock ahead of ours as "just now", further ahead as "in …"', async () => {
    const { formatRelative } = await import('../../src-renderer/lib/time');
    expect(formatRelative(ago(-30_000), now)).toBe('just now');
    expect(formatRelative(ago(-5 * 60_000), now)).toBe('in 5 min');
  });

  it('re-labels every listener from one interval a minute, stopped when nobody listens', async () => {
    vi.useFakeTimers();
    try {
      const { createMinuteTick, MINUTE_MS } = await import('../../src-renderer/lib/minute-tick');
      const tick = createMinuteTick();
      const a: number[] = [];
      const b: number[] = [];
      const offA = tick.subscribe((t) => a.push(t));
      const offB = tick.subscribe((t) => b.push(t));
      expect(vi.getTimerCount()).toBe(1);
      vi.advanceTimersByTime(MINUTE_MS - 1);
      expect(a).toEqual([]);
      vi.advanceTimersByTime(1);
      vi.advanceTimersByTime(MINUTE_MS);
      expect(a.length).toBe(2);
      expect(b).toEqual(a);
      offA();
      expect(tick.listeners).toBe(1);
      expect(vi.getTimerCount()).toBe(1);
      offB();
      expect(tick.listeners).toBe(0);
      expect(vi.getTimerCount()).toBe(0);
    } finally {
      vi.useRealTimers();
    }
  });
});
