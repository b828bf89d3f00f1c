// What the paged task table asks the server: page numbers for a row window and the runs.get input for a page.
import type { RunDetail } from '../../src-shared/api/schemas';

export const PAGE_SIZE = 500;

export type ServerSortKey = 'id' | 'status' | 'submitted_at' | 'started_at' | 'finished_at' | 'duration';
export interface TaskQuery {
  status: string[];
  q: string;
  sort: ServerSortKey | null;
  order: 'asc' | 'desc';
}

export type PageFetcher = (input: { id: string; offset: number; limit: number; status?: string; q?: string; sort?: ServerSortKey; order?: 'asc' | 'desc' }) => Promise<RunDetail>;

export function queryInput(runId: string, query: TaskQuery, offset: number, limit = PAGE_SIZE): Parameters<PageFetcher>[0] {
  const input: Parameters<PageFetcher>[0] = { id: runId, offset, limit };
  if (query.status.length) input.status = query.status.join(',');
  if (query.q.trim()) input.q = query.q.trim();
  if (query.sort) {
    input.sort = query.sort;
    input.order = query.order;
  }
  return input;
}

/** Page numbers that cover rows [start, end). */
export function pagesFor(start: number, end: number, pageSize = PAGE_SIZE): number[] {
  if (end <= start) return [];
  const out: number[] = [];
  for (let p = Math.floor(start / pageSize); p <= Math.floor((end - 1) / pageSize); p++) out.push(p);
  return out;
}


/** Rows fetched beyond the window in the direction of scrolling, so the next page is there before it is shown. */
export const PREFETCH_ROWS = 300;
/** Pages kept in memory at most (the window's and the nearest others): bounded memory, refreshes and patches. */
export const MAX_PAGES = 8;

/**
 * The rows to have loaded for a window [start, end) of `count` rows: the window plus PREFETCH_ROWS ahead of it,
 * ahead meaning down when the window moved down (or stayed) since `previousStart`, up when it moved up.
 */
export function prefetchRange(start: number, end: number, previousStart: number, count: number, ahead = PREFETCH_ROWS): [number, number] {
  if (start < previousStart) return [Math.max(0, start - ahead), end];
  return [start, Math.max(end, Math.min(count, end + ahead))];
}

/** Loaded pages to drop so at most `max` stay: the farthest from the pages [first, last] wanted now, never those. */
export function pagesToEvict(loaded: readonly number[], first: number, last: number, max = MAX_PAGES): number[] {
  if (loaded.length <= max) return [];
  const distance = (p: number): number => (p < first ? first - p : p > last ? p - last : 0);
  const far = loaded.filter((p) => distance(p) > 0).sort((a, b) => distance(b) - distance(a));
  return far.slice(0, loaded.length - max);
}
