// Hash routes: every page and selection has an address, so Back/Forward work and a reload keeps the open run.
// Hashes (not paths) because the renderer is served as a file in Electron and by the host in a browser.
import { isRunSortKey, isSortOrder, type RunSortKey, type SortOrder } from './run-sort';

export type TaskTab = 'output' | 'error' | 'script' | 'env' | 'summary' | 'outputs' | 'history';

/**
 * The runs list's filters live in the route's query (`#/runs?status=failed,running&backend=x&q=text`), so a
 * reload keeps them, Back steps through them and a copied address opens the same list. Empty = no filter.
 * The sort too (`&sort=workflow&order=asc`); absent = newest first, an absent order = the sort's default.
 */
export type RunsFilters = { q: string; status: string[]; backend: string; sort?: RunSortKey; order?: SortOrder };

export const NO_RUNS_FILTERS: RunsFilters = { q: '', status: [], backend: '' };

export type Route =
  | { page: 'runs'; filters?: RunsFilters }
  | { page: 'run'; runId: string; taskId: string | null; tab: TaskTab | null }
  | { page: 'backends'; backend: string | null }
  | { page: 'settings' }
  | { page: 'sources' }
  | { page: 'stacks' }
  | { page: 'overview' }
  | { page: 'usage' };

const TAB_SLUGS: Record<TaskTab, string> = { output: 'log', error: 'errors', script: 'script', env: 'env', summary: 'summary', outputs: 'outputs', history: 'history' };
const SLUG_TABS = Object.fromEntries(Object.entries(TAB_SLUGS).map(([k, v]) => [v, k])) as Record<string, TaskTab>;

function dec(s: string | undefined): string | null {
  if (!s) return null;
  try {
    return decodeURIComponent(s);
  } catch {
    return null;
  }
}

/** Reads the runs filters from a route's query; unknown keys are ignored so older links keep opening. */
export function parseRunsFilters(query: string): RunsFilters {
  const params = new URLSearchParams(query);
  const status = (params.get('status') ?? '')
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean);
  const f: RunsFilters = { q: params.get('q') ?? '', status: [...new Set(status)], backend: params.get('backend') ?? '' };
  // An unknown sort or order (a hand-edited address) is dropped, like an unknown key: the list still opens.
  const sort = params.get('sort') ?? '';
  const order = params.get('order') ?? '';
  if (isRunSortKey(sort)) f.sort = sort;
  if (isSortOrder(order)) f.order = order;
  return f;
}

/** The query for the runs filters, '' when none is set; the keys are those runs.list takes. */
export function formatRunsFilters(f: RunsFilters | undefined): string {
  if (!f) return '';
  const params = new URLSearchParams();
  if (f.status.length) params.set('status', f.status.join(','));
  if (f.backend) params.set('backend', f.backend);
  if (f.q) params.set('q', f.q);
  if (f.sort) params.set('sort', f.sort);
  if (f.order) params.set('order', f.order);
  const q = params.toString();
  return q ? `?${q}` : '';
}

export function sameRunsFilters(a: RunsFilters | undefined, b: RunsFilters | undefined): boolean {
  return formatRunsFilters(a) === formatRunsFilters(b);
}

export function parseRoute(hash: string): Route {
  const full = hash.replace(/^#/, '');
  if (!full.startsWith('/')) return { page: 'runs' };
  const qAt = full.indexOf('?');
  const path = qAt < 0 ? full : full.slice(0, qAt);
  const query = qAt < 0 ? '' : full.slice(qAt + 1);
  const parts = path.slice(1).split('/');
  switch (parts[0]) {
    case 'runs': {
      const runId = dec(parts[1]);
      if (!runId) {
        const filters = parseRunsFilters(query);
        return sameRunsFilters(filters, NO_RUNS_FILTERS) ? { page: 'runs' } : { page: 'runs', filters };
      }
      const taskId = parts[2] === 'tasks' ? dec(parts[3]) : null;
      const tab = taskId && parts[4] ? (SLUG_TABS[parts[4]] ?? null) : null;
      return { page: 'run', runId, taskId, tab };
    }
    case 'backends':
      return { page: 'backends', backend: dec(parts[1]) };
    case 'settings':
      return { page: 'settings' };
    case 'sources':
      return { page: 'sources' };
    case 'stacks':
      return { page: 'stacks' };
    case 'overview':
      return { page: 'overview' };
    case 'usage':
      return { page: 'usage' };
    default:
      return { page: 'runs' };
  }
}

export function formatRoute(r: Route): string {
  const e = encodeURIComponent;
  switch (r.page) {
    case 'runs':
      return `#/runs${formatRunsFilters(r.filters)}`;
    case 'run':
      if (!r.taskId) return `#/runs/${e(r.runId)}`;
      return `#/runs/${e(r.runId)}/tasks/${e(r.taskId)}${r.tab ? `/${TAB_SLUGS[r.tab]}` : ''}`;
    case 'backends':
      return r.backend ? `#/backends/${e(r.backend)}` : '#/backends';
    case 'settings':
      return '#/settings';
    case 'sources':
      return '#/sources';
    case 'stacks':
      return '#/stacks';
    case 'overview':
      return '#/overview';
    case 'usage':
      return '#/usage';
  }
}
