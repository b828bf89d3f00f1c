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

