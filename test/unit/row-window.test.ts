// The scrolling and keyboard controller shared by the runs list and the task table.
import { describe, expect, it } from 'vitest';
import { rowWindow, type ScrollBox } from '../../src-renderer/lib/row-window';

function harness(rowHeight = 36, headHeight = 36, step = 8) {
  const box: ScrollBox = { scrollTop: 0, clientHeight: 36 * 11 };
  const frames = new Map<number, () => void>();
  let nextFrame = 1;
  let anchor = 0;
  const sets: number[] = [];
  const tops: number[] = [];
  const rw = rowWindow({
    onScrollTop: (top) => tops.push(top),
    rowHeight,
    headHeight,
    step,
    scroller: () => box,
    anchor: () => anchor,
    setAnchor: (a) => {
      anchor = a;
      sets.push(a);
    },
    requestFrame: (f) => {
      frames.set(nextFrame, f);
      return nextFrame++;
    },
    cancelFrame: (id) => frames.delete(id),
  });
  const runFrames = (): void => {
    const due = [...frames.values()];
    frames.clear();
    for (const f of due) f();
  };
  return { rw, box, frames, runFrames, sets, tops, anchor: () => anchor };
}

describe('row window controller', () => {
  it('reads scrollTop once per frame however many scroll events came, and moves the anchor only in steps', () => {
    const h = harness();
    h.box.scrollTop = 36 * 5;
    h.rw.onScroll();
    h.rw.onScroll();
    h.rw.onScroll();
    expect(h.frames.size).toBe(1);
    h.runFrames();
    // 5 rows of drift is under the 8-row step: the window stays.
    expect(h.sets).toEqual([]);
    h.box.scrollTop = 36 * 8 + 20;
    h.rw.onScroll();
    h.runFrames();
    expect(h.sets).toEqual([8]);
    // Scrolling back up by a full step moves it again, to the first row shown.
    h.box.scrollTop = 0;
    h.rw.onScroll();
    h.runFrames();
    expect(h.anchor()).toBe(0);
  });

  it('cancels a pending frame on teardown, so a destroyed table is never written to', () => {
    const h = harness();
    h.box.scrollTop = 36 * 100;
    h.rw.onScroll();
    h.rw.destroy();
    expect(h.frames.size).toBe(0);
    expect(h.sets).toEqual([]);
  });

  it('reveals a row below the viewport by scrolling just enough, and one above by putting it under the header', () => {
    const h = harness();
    // Viewport of 396 px with a 36 px header: rows 0..8 are fully visible.
    h.rw.reveal(3);
    expect(h.box.scrollTop).toBe(0);
    expect(h.sets).toEqual([]);
    h.rw.reveal(20);
    expect(h.box.scrollTop).toBe(36 + 21 * 36 - 396);
    expect(h.anchor()).toBe(Math.floor(h.box.scrollTop / 36));
    h.rw.reveal(2);
    expect(h.box.scrollTop).toBe(72);
    expect(h.anchor()).toBe(2);
  });

  it('moves the active row with arrows, pages of the rows shown and Home/End, clamped to the rows there are', () => {
    const h = harness();
    expect(h.rw.target('ArrowDown', 0, 100)).toBe(1);
    expect(h.rw.target('ArrowUp', 0, 100)).toBe(0);
    // (396 - 36) / 36 = 10 rows shown; a page keeps one in view.
    expect(h.rw.target('PageDown', 0, 100)).toBe(9);
    expect(h.rw.target('PageUp', 50, 100)).toBe(41);
    expect(h.rw.target('End', 0, 100)).toBe(99);
    expect(h.rw.target('Home', 50, 100)).toBe(0);
    expect(h.rw.target('PageDown', 95, 100)).toBe(99);
    expect(h.rw.target('a', 5, 100)).toBeNull();
    expect(h.rw.target('ArrowDown', 0, 0)).toBeNull();
    // Rows of another height page by their own count (the runs list's 56 px rows under a 34 px header).
    const runs = harness(56, 34, 6);
    runs.box.clientHeight = 34 + 56 * 10;
    expect(runs.rw.target('PageDown', 0, 100)).toBe(9);
  });

  it('tells the scroll position once per frame (the runs list follows new runs only while at the top)', () => {
    const h = harness();
    h.box.scrollTop = 72;
    h.rw.onScroll();
    h.rw.onScroll();
    expect(h.tops).toEqual([]);
    h.runFrames();
    h.box.scrollTop = 0;
    h.rw.onScroll();
    h.runFrames();
    expect(h.tops).toEqual([72, 0]);
  });
});
