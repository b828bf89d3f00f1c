import { describe, expect, it } from 'vitest';
import { keyTarget, poolSize, scrollTopFor, visualOrder } from '../../src-renderer/lib/row-slots';
import { visibleWindow } from '../../src-renderer/lib/virtual';

describe('recycled row slots', () => {
  it('every window of a long list fits the pool, one row per slot, so sliding it reuses the slots that left', () => {
    const count = 100_000;
    for (const viewport of [36, 500, 801, 2000]) {
      const pool = poolSize(count, viewport, 36, 20);
      for (const top of [0, 1, 35, 36, 1000, 123_457, count * 36 - viewport]) {
        // The tables window by the first row shown, i.e. at a row-aligned scrollTop.
        const w = visibleWindow(count, 36, Math.floor(top / 36) * 36, viewport, 20);
        expect(w.end - w.start, `viewport ${viewport}, top ${top}`).toBeLessThanOrEqual(pool);
        // Away from the ends the window uses every slot: none is left empty to be created and dropped.
        if (w.start > 0 && w.end < count) expect(w.end - w.start).toBe(pool);
        const slots = new Set<number>();
        for (let i = w.start; i < w.end; i++) slots.add(i % pool);
        expect(slots.size).toBe(w.end - w.start);
      }
    }
    // Sliding by 11 rows: 11 slots take new rows, the rest keep theirs.
    const pool = poolSize(count, 800, 36, 20);
    const a = visibleWindow(count, 36, 36_000, 800, 20);
    const b = visibleWindow(count, 36, 36_000 + 11 * 36, 800, 20);
    const at = (w: typeof a): Map<number, number> => new Map(Array.from({ length: w.end - w.start }, (_, k) => [(w.start + k) % pool, w.start + k]));
    const before = at(a);
    const changed = [...at(b)].filter(([slot, row]) => before.get(slot) !== row);
    expect(changed).toHaveLength(11);
  });

  it('short lists get one slot per row', () => {
    expect(poolSize(7, 800, 36, 20)).toBe(7);
    expect(poolSize(0, 800, 36, 20)).toBe(0);
  });

  it('gives the slots in row order for aria-owns, skipping empty ones', () => {
    expect(visualOrder([8, 9, -1, 5, 6, 7])).toEqual([3, 4, 5, 0, 1]);
  });

  it('scrolls a row into view under the sticky header only when it is not shown', () => {
    // Viewport 400 px with a 36 px header: rows 0..9 fit when scrollTop is 0 (row 9 ends at 396 px).
    expect(scrollTopFor(0, 36, 36, 0, 400)).toBeNull();
    expect(scrollTopFor(9, 36, 36, 0, 400)).toBeNull();
    expect(scrollTopFor(10, 36, 36, 0, 400)).toBe(36 + 11 * 36 - 400);
    expect(scrollTopFor(3, 36, 36, 10 * 36, 400)).toBe(3 * 36);
  });

  it('moves the active row with arrows, pages, Home and End, clamped to the table', () => {
    expect(keyTarget('ArrowDown', 4, 10, 5)).toBe(5);
    expect(keyTarget('ArrowDown', 9, 10, 5)).toBe(9);
    expect(keyTarget('ArrowUp', 0, 10, 5)).toBe(0);
    expect(keyTarget('PageDown', 7, 10, 5)).toBe(9);
    expect(keyTarget('PageUp', 7, 10, 5)).toBe(2);
    expect(keyTarget('Home', 7, 10, 5)).toBe(0);
    expect(keyTarget('End', 1, 10, 5)).toBe(9);
    expect(keyTarget('a', 1, 10, 5)).toBeNull();
    expect(keyTarget('ArrowDown', 0, 0, 5)).toBeNull();
  });
});
