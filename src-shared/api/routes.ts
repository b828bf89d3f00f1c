// HTTP routes derived from the contract. Used by the host (matching) and by HTTP clients (CLI, browser bridge):
// nobody keeps a route list of their own.
import { calls, type CallName } from './contract';

export const API_PREFIX = '/api/v1';
export const EVENTS_PATH = `${API_PREFIX}/events`;

export interface HttpRequestShape {
  method: 'GET' | 'POST' | 'DELETE';
  /** Path with parameters filled in and the query string appended (already URL-encoded). */
  url: string;
  /** JSON body for POST, otherwise undefined. */
  body: Record<string, unknown> | undefined;
}

function paramNames(path: string): string[] {
  return path.split('/').filter((s) => s.startsWith(':')).map((s) => s.slice(1));
}

export function buildHttpRequest(name: CallName, input: Record<string, unknown> = {}): HttpRequestShape {
  const [method, path] = calls[name].http;
  const rest: Record<string, unknown> = { ...input };
  const filled = path
    .split('/')
    .map((seg) => {
      if (!seg.startsWith(':')) return seg;
      const key = seg.slice(1);
      const value = rest[key];
      delete rest[key];
      if (value === undefined || value === null || value === '') throw new Error(`${name}: missing '${key}'`);
      return encodeURIComponent(String(value));
    })
    .join('/');
  if (method === 'POST') return { method, url: API_PREFIX + filled, body: rest };
  const qs = Object.entries(rest)
    .filter(([, v]) => v !== undefined && v !== null)
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(typeof v === 'object' ? JSON.stringify(v) : String(v))}`)
    .join('&');
  return { method, url: API_PREFIX + filled + (qs ? `?${qs}` : ''), body: undefined };
}

export interface RouteMatch {
  name: CallName;
  params: Record<string, string>;
}

interface CompiledRoute {
  name: CallName;
  method: string;
  parts: string[];
}

const compiled: CompiledRoute[] = (Object.keys(calls) as CallName[]).map((name) => ({
  name,
  method: calls[name].http[0],
  parts: calls[name].http[1].split('/').filter(Boolean),
}));

/** Match `GET /runs/abc` (path relative to API_PREFIX) to a call; literal segments win over parameters. */
export function matchRoute(method: string, path: string): RouteMatch | null {
  const segs = path.split('/').filter(Boolean);
  let best: { route: CompiledRoute; params: Record<string, string>; literals: number } | null = null;
  for (const route of compiled) {
    if (route.method !== method || route.parts.length !== segs.length) continue;
    const params: Record<string, string> = {};
    let literals = 0;
    let ok = true;
    route.parts.forEach((part, i) => {
      const seg = segs[i] as string;
      if (part.startsWith(':')) params[part.slice(1)] = decodeURIComponent(seg);
      else if (part === seg) literals++;
      else ok = false;
    });
    if (ok && (!best || literals > best.literals)) best = { route, params, literals };
  }
  return best ? { name: best.route.name, params: best.params } : null;
}

export { paramNames };
