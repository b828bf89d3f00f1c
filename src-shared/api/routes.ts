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

// Every polled request is matched on the engine's thread: only the routes of its method and segment count are tried.
const byShape = new Map<string, CompiledRoute[]>();
for (const route of compiled) {
  const shape = `${route.method} ${route.parts.length}`;
  byShape.set(shape, [...(byShape.get(shape) ?? []), route]);
}

/** Match `GET /runs/abc` (path relative to API_PREFIX) to a call; literal segments win over parameters. */
export function matchRoute(method: string, path: string): RouteMatch | null {
  const segs = path.split('/').filter(Boolean);
  let best: { route: CompiledRoute; literals: number } | null = null;
  for (const route of byShape.get(`${method} ${segs.length}`) ?? []) {
    let literals = 0;
    let ok = true;
    for (let i = 0; ok && i < segs.length; i++) {
      const part = route.parts[i] as string;
      if (part.charCodeAt(0) === 0x3a /* : */) continue;
      if (part === segs[i]) literals++;
      else ok = false;
    }
    if (ok && (!best || literals > best.literals)) best = { route, literals };
  }
  if (!best) return null;
  // Parameters are decoded for the winner only.
  const params: Record<string, string> = {};
  best.route.parts.forEach((part, i) => {
    if (part.charCodeAt(0) === 0x3a) params[part.slice(1)] = decodeURIComponent(segs[i] as string);
  });
  return { name: best.route.name, params };
}

export { paramNames };
