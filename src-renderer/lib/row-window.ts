// The scrolling and keyboard half of the virtualised tables (runs list, task table), shared so both behave the
// same: the window's anchor follows scrollTop at most once per animation frame and only in steps (anchorRow),
// and keyboard navigation scrolls the active row into view under the sticky header. Plain functions over
// callbacks, so it is tested without a DOM.
import { anchorRow, keyTarget, scrollTopFor } from './row-slots';

/** The part of an element the controller touches (a real HTMLElement in the app, a plain object in tests). */
export interface ScrollBox {
  scrollTop: number;
  clientHeight: number;
}

export interface RowWindowOptions {
  rowHeight: number;
  headHeight: number;
  /** Rows the first row may drift from the anchor before the window moves (below the table's overscan). */
  step: number;
  scroller: () => ScrollBox | undefined;
  anchor: () => number;
  setAnchor: (row: number) => void;
  /** Told the scroll position in the same frame (the runs list keeps new runs in view only while at the top). */
  onScrollTop?: (top: number) => void;
  // Injected in tests; the browser's by default.
  requestFrame?: (f: () => void) => number;
  cancelFrame?: (id: number) => void;
}

export interface RowWindow {
  /** The scroller's scroll handler. */
  onScroll(): void;
  /** Brings row i fully into view (when it is not) and moves the anchor with it. */
  reveal(i: number): void;
  /** Where a navigation key moves the active row among `count` rows, or null for other keys. */
  target(key: string, active: number, count: number): number | null;
  /** Cancels a pending frame (component teardown). */
  destroy(): void;
}

export function rowWindow(o: RowWindowOptions): RowWindow {
  const browser = globalThis as unknown as { requestAnimationFrame(f: () => void): number; cancelAnimationFrame(id: number): void };
  const requestFrame = o.requestFrame ?? ((f: () => void) => browser.requestAnimationFrame(f));
  const cancelFrame = o.cancelFrame ?? ((id: number) => browser.cancelAnimationFrame(id));
  let frame = 0;

  return {
    onScroll(): void {
      // Read scrollTop once per frame at most, in an animation frame where layout is clean (no forced layout).
      if (frame) return;
      frame = requestFrame(() => {
        frame = 0;
        const top = o.scroller()?.scrollTop ?? 0;
        o.onScrollTop?.(top);
        const a = anchorRow(o.anchor(), Math.floor(top / o.rowHeight), o.step);
        if (a !== o.anchor()) o.setAnchor(a);
      });
    },
    reveal(i: number): void {
      const el = o.scroller();
      if (!el) return;
      const top = scrollTopFor(i, o.rowHeight, o.headHeight, el.scrollTop, el.clientHeight);
      if (top === null) return;
      el.scrollTop = top;
      o.setAnchor(Math.floor(top / o.rowHeight));
    },
    target(key: string, active: number, count: number): number | null {
      const viewport = o.scroller()?.clientHeight ?? 0;
      return keyTarget(key, active, count, Math.max(1, Math.floor((viewport - o.headHeight) / o.rowHeight) - 1));
    },
    destroy(): void {
      if (frame) cancelFrame(frame);
      frame = 0;
    },
  };
}
