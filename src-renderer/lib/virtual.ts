// Which rows of a fixed-row-height list need to be in the DOM, plus the padding that stands in for the rest.

export interface RowWindow {
  start: number;
  end: number;
  padTop: number;
  padBottom: number;
}

/** Lists shorter than this are rendered whole (simpler DOM, find-in-page works). */
export const WINDOW_THRESHOLD = 200;

export function visibleWindow(count: number, rowHeight: number, scrollTop: number, viewport: number, overscan = 20): RowWindow {
  if (count <= WINDOW_THRESHOLD) return { start: 0, end: count, padTop: 0, padBottom: 0 };
  const first = Math.max(0, Math.floor(scrollTop / rowHeight) - overscan);
  const last = Math.min(count, Math.ceil((scrollTop + Math.max(viewport, rowHeight)) / rowHeight) + overscan);
  return { start: first, end: last, padTop: first * rowHeight, padBottom: (count - last) * rowHeight };
}
