// The runs page's first read, sent before the app's code has loaded. On a cold start the first runs.list used to
// leave only once the entry chunks were fetched, parsed and evaluated and the app had mounted (about half of the
// time to the first rows, bench/ui-runs.bench.ts); the tiny boot entry (src-renderer/boot.ts) now sends it
// while the rest loads, and the bridge takes its answer for the first identical request. Only the runs page's
// first request is sent early, only in a browser (Electron's bridge is IPC), and an answer is taken once and only
// while it is fresh: anything else goes to the engine as usual. The list re-reads when the event stream opens
// (RunsPage), so a change after this read is not lost.
import { FIRST_RUNS_PAGE } from '../../src-shared/api/first-page';
import { buildHttpRequest } from '../../src-shared/api/routes';
import { parseRoute } from './router';
import { readToken } from './token';

/** An early answer older than this is not used: the first request came too late for it to be "the first". */
export const EARLY_READ_MAX_AGE_MS = 10_000;

interface EarlyRead {
  url: string;
  token: string | null;
  at: number;
  response: Promise<Response>;
}

/** Statuses whose Response may not carry a body (the constructor throws otherwise). */
const NULL_BODY = new Set([101, 204, 205, 304]);

/** Kept on the window, not in this module: the early entry and the app are separate chunks. */
const slot = globalThis as unknown as { __scripthutEarlyRead?: EarlyRead | null };

export interface EarlyReadPlaces {
  origin: string;
  hash: string;
  storage: { getItem(k: string): string | null };
  /** Electron's preload API: present means the bridge is IPC, and there is nothing to send early. */
  ipc: unknown;
  fetch: (url: string, init: { headers: Record<string, string> }) => Promise<Response>;
  now: () => number;
}

/** Sends the runs page's first request when the page opening is the runs list. */
export function startEarlyRead(p: EarlyReadPlaces): void {
  if (p.ipc) return;
  const token = readToken(p.hash, p.storage);
  // The token rides in the fragment on the first open; what is left of it is the route.
  const route = parseRoute(`#${new URLSearchParams(p.hash.replace(/^#/, '')).has('token') ? '' : p.hash.replace(/^#/, '')}`);
  if (route.page !== 'runs') return;
  const url = p.origin + buildHttpRequest('runs.list', { ...FIRST_RUNS_PAGE }).url;
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (token) headers.Authorization = `Bearer ${token}`;
  // The body is read as soon as the answer arrives, while the app's chunks still load or evaluate: read by the
  // bridge, it waited behind the app's evaluation and mount (the answer was in at ~370 ms and taken at ~640 ms of a
  // cold open at load 4, bench/ui-runs.bench.ts).
  const response = p.fetch(url, { headers }).then(async (r) => new Response(NULL_BODY.has(r.status) ? null : await r.text(), { status: r.status, statusText: r.statusText, headers: r.headers }));
  // An early read nobody takes must not report an unhandled rejection.
  response.catch(() => undefined);
  slot.__scripthutEarlyRead = { url, token, at: p.now(), response };
}

/** The early answer for this exact GET (same URL and token), once; null otherwise. */
export function takeEarlyRead(url: string, token: string | null, now: number): Promise<Response> | null {
  const e = slot.__scripthutEarlyRead;
  if (!e || e.url !== url) return null;
  // Taken or not, it is spent: a second identical request is a re-read and must reach the engine.
  slot.__scripthutEarlyRead = null;
  if (e.token !== token || now - e.at > EARLY_READ_MAX_AGE_MS) return null;
  return e.response;
}
