// Recycled rows for the virtualised tables. A window of rows [start, end) is laid into a fixed pool of DOM slots
// by index modulo the pool size, so when the window slides by k rows only the k slots that left it take new rows
// (their text changes in place); no row element is created, removed or moved while scrolling. The DOM order of
// the slots is therefore not the visual order once scrolled: `visualOrder` gives the order for aria-owns, and
// keyboard focus moves by row index (roving tabindex), not by DOM order.
import { WINDOW_THRESHOLD } from './virtual';

/**
 * How many slots a window needs when it is computed at a row-aligned scrollTop (the tables do: they window by
 * the first row shown): the rows of the viewport and the overscan on both sides. Exactly that many, so a
 * window that slides hands the slot of the row that left to the row that came in and no slot sits empty.
 */
export function poolSize(count: number, viewport: number, rowHeight: number, overscan: number): number {
  if (count <= WINDOW_THRESHOLD) return count;
  return Math.min(count, Math.ceil(Math.max(viewport, rowHeight) / rowHeight) + 2 * overscan);
}

/** The slots' positions in visual (row index) order, for the rows they show. */
export function visualOrder(slots: readonly number[]): number[] {
  return slots
    .map((row, slot) => ({ row, slot }))
    .filter((s) => s.row >= 0)
    .sort((a, b) => a.row - b.row)
    .map((s) => s.slot);
}

/**
 * The scrollTop that brings row `i` fully into view under a sticky header of `header` px, or null when it is
 * already in view. Rows start below the header, row i at header + i * rowHeight.
 */
export function scrollTopFor(i: number, rowHeight: number, header: number, scrollTop: number, viewport: number): number | null {
  const top = header + i * rowHeight;
  if (top < scrollTop + header) return i * rowHeight;
  if (top + rowHeight > scrollTop + viewport) return Math.max(0, top + rowHeight - viewport);
  return null;
}

/** Where a navigation key moves the active row, or null for other keys. */
export function keyTarget(key: string, active: number, count: number, pageRows: number): number | null {
  if (count === 0) return null;
  const clamp = (n: number): number => Math.max(0, Math.min(count - 1, n));
  switch (key) {
    case 'ArrowDown':
      return clamp(active + 1);
    case 'ArrowUp':
      return clamp(active - 1);
    case 'PageDown':
      return clamp(active + pageRows);
    case 'PageUp':
      return clamp(active - pageRows);
    case 'Home':
      return 0;
    case 'End':
      return count - 1;
    default:
      return null;
  }
}

/**
 * The row the table's window is anchored at, given the first row now under the header. The window (the anchor's
 * rows plus the overscan) moves only once the first row has drifted `step` rows from the anchor, so a scroll
 * re-renders a batch of rows every `step` rows instead of one row every row: the frames in between are pure
 * compositor scrolling with no DOM, style or paint work. `step` must stay below the overscan so the rows on
 * screen are always inside the window.
 */
export function anchorRow(anchor: number, first: number, step: number): number {
  return Math.abs(first - anchor) >= step ? first : anchor;
}
