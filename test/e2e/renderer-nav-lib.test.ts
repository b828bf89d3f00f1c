// Hash routes and the shortcut reader.
import { describe, expect, it } from 'vitest';
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
