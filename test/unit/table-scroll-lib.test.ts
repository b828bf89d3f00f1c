// The helpers that keep the task table smooth while scrolling: the window moves in steps, pages are fetched ahead
// of the scroll and the farthest are dropped, and a row's text is formatted once per row object.
import { describe, expect, it } from 'vitest';
import type { TaskView } from '../../src-shared/api/schemas';
import { anchorRow, poolSize } from '../../src-renderer/lib/row-slots';
import { MAX_PAGES, PAGE_SIZE, pagesToEvict, prefetchRange } from '../../src-renderer/lib/task-page-query';
import { COLUMN_CHARS, mayOverflow, rowTextStamp, taskRowText } from '../../src-renderer/lib/task-row-text';
import { setTimeZoneMode } from '../../src-renderer/lib/time';
import { visibleWindow } from '../../src-renderer/lib/virtual';

describe('window anchored in steps', () => {
  it('keeps the anchor until the first row drifts a full step, then jumps to it', () => {
    expect(anchorRow(100, 109, 10)).toBe(100);
    expect(anchorRow(100, 91, 10)).toBe(100);
    expect(anchorRow(100, 110, 10)).toBe(110);
    expect(anchorRow(100, 90, 10)).toBe(90);
    expect(anchorRow(100, 50_000, 10)).toBe(50_000);
  });

  it('never leaves a row on screen outside the rendered window, for any scroll position', () => {
    const count = 100_000;
    const rh = 36;
    for (const viewport of [300, 764, 1400]) {
      const pool = poolSize(count, viewport, rh, 20);
      let anchor = 0;
      const visible = Math.ceil(viewport / rh);
      // Scroll down a pixel-ish at a time, then back up, then jump.
      const tops = [...Array.from({ length: 3000 }, (_, k) => k * 7), ...Array.from({ length: 3000 }, (_, k) => (3000 - k) * 7), 3_000_000, 10, count * rh - viewport];
      for (const top of tops) {
        const first = Math.floor(top / rh);
        anchor = anchorRow(anchor, first, 10);
        const w = visibleWindow(count, rh, anchor * rh, viewport, 20);
        expect(w.start, `top ${top}`).toBeLessThanOrEqual(first);
        expect(w.end, `top ${top}`).toBeGreaterThanOrEqual(Math.min(count, first + visible));
        expect(w.end - w.start).toBeLessThanOrEqual(pool);
      }
    }
  });
});

describe('pages fetched ahead and dropped behind', () => {
  it('reaches ahead in the direction of scrolling, within the run', () => {
    expect(prefetchRange(1000, 1060, 990, 100_000, 300)).toEqual([1000, 1360]);
    expect(prefetchRange(1000, 1060, 1010, 100_000, 300)).toEqual([700, 1060]);
    expect(prefetchRange(100, 160, 200, 100_000, 300)).toEqual([0, 160]);
    expect(prefetchRange(99_900, 100_000, 99_800, 100_000, 300)).toEqual([99_900, 100_000]);
    // Nothing known about the size yet: only the window.
    expect(prefetchRange(0, 60, 0, 0, 300)).toEqual([0, 60]);
  });

  it('keeps at most MAX_PAGES, dropping the farthest from the wanted pages and never those', () => {
    const loaded = Array.from({ length: MAX_PAGES + 3 }, (_, p) => p * 10);
    const drop = pagesToEvict(loaded, 50, 51);
    expect(drop).toHaveLength(3);
    expect(drop).toEqual([0, 100, 10]);
    expect(drop).not.toContain(50);
    expect(pagesToEvict([1, 2, 3], 200, 200)).toEqual([]);
    // Wanted pages are never dropped even when they alone exceed the bound.
    const many = Array.from({ length: MAX_PAGES + 2 }, (_, p) => p);
    expect(pagesToEvict(many, 0, MAX_PAGES + 1)).toEqual([]);
    expect(PAGE_SIZE * MAX_PAGES).toBeGreaterThan(2000);
  });
});

function task(over: Partial<TaskView> = {}): TaskView {
  return {
    id: 'a.b',
    name: 'a.b',
    status: 'completed',
    job_id: '12',
    exit_code: 0,
    submitted_at: '2020-01-02T03:04:05Z',
    started_at: '2020-01-02T03:04:06Z',
    finished_at: '2020-01-02T03:05:16Z',
    error: null,
    pending_reason: null,
    scheduler_state: null,
    cpu_efficiency: 75,
    max_rss: '512M',
    memory: '2G',
    ...over,
  } as TaskView;
}

describe('row text cache', () => {
  it('formats a row once per row object and again for a replaced row', () => {
    const t = task();
    const stamp = rowTextStamp();
    const a = taskRowText(t, stamp);
    expect(taskRowText(t, stamp)).toBe(a);
    expect(a.duration).toBe('1m 10s');
    expect(a.cpu).toBe('75%');
    expect(a.mem).toBe('512 MB · 25%');
    const changed = task({ status: 'failed', exit_code: 3, error: 'Non-zero exit code' });
    const b = taskRowText(changed, stamp);
    expect(b).not.toBe(a);
    expect(b.error).not.toBe('');
  });

  it('leaves the duration of a running task to the clock and shows — for one that never started', () => {
    expect(taskRowText(task({ finished_at: null, status: 'running' })).duration).toBeNull();
    expect(taskRowText(task({ started_at: null, finished_at: null, status: 'pending' })).duration).toBe('—');
  });

  it('formats again when the time zone setting changes', () => {
    const t = task();
    setTimeZoneMode('local');
    const local = taskRowText(t);
    setTimeZoneMode('utc');
    try {
      const utc = taskRowText(t);
      expect(utc).not.toBe(local);
      expect(utc.submitted).toContain('UTC');
    } finally {
      setTimeZoneMode('local');
    }
  });
});

describe('cells that clip', () => {
  it('clips only the cells whose text may not fit their column', () => {
    const short = taskRowText(task({ submitted_at: new Date().toISOString(), started_at: new Date().toISOString(), finished_at: null, status: 'running', job_id: '123456' }));
    // Today's times (hh:mm:ss) and a short job id fit; a running task's duration follows the clock, so it clips.
    expect(short.clip).toEqual({ job: false, submitted: false, started: false, finished: false, duration: true, mem: false, error: false });
    const long = taskRowText(task({ job_id: '12345678901234.batch', status: 'failed', exit_code: 1, error: 'Non-zero exit code', max_rss: '1536M', memory: '4G' }));
    // A date of another year runs past the time column; an error always clips (its column flexes).
    expect(long.clip.job).toBe(true);
    expect(long.clip.submitted).toBe(true);
    expect(long.clip.error).toBe(true);
    expect(long.clip.mem).toBe(long.mem.length > COLUMN_CHARS.mem);
    expect(long.clip.duration).toBe(false);
  });

  it('treats text longer than the column fits as overflowing, and no text as fitting', () => {
    expect(mayOverflow('12:03:04', COLUMN_CHARS.time)).toBe(false);
    expect(mayOverflow('Jan 2, 2020 03:04:05', COLUMN_CHARS.time)).toBe(true);
    expect(mayOverflow(null, 1)).toBe(false);
    expect(mayOverflow('', 0)).toBe(false);
  });
});
