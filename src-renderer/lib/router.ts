// Hash routes: every page and selection has an address, so Back/Forward work and a reload keeps the open run.
// Hashes (not paths) because the renderer is served as a file in Electron and by the host in a browser.

export type TaskTab = 'output' | 'error' | 'script' | 'env' | 'summary' | 'outputs' | 'history';

export type Route =
  | { page: 'runs' }
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

export function parseRoute(hash: string): Route {
  const path = hash.replace(/^#/, '');
  if (!path.startsWith('/')) return { page: 'runs' };
  const parts = path.slice(1).split('/');
  switch (parts[0]) {
    case 'runs': {
      const runId = dec(parts[1]);
      if (!runId) return { page: 'runs' };
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
      return '#/runs';
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
