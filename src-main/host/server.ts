// The headless engine host: the same contract over HTTP + one WebSocket event stream, on 127.0.0.1 only, with a
// random bearer token (health excepted). It also serves the built renderer, so the full UI runs in a browser.
import http from 'node:http';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { WebSocketServer, type WebSocket } from 'ws';
import { ApiError, calls, HTTP_STATUS_OF } from '../../src-shared/api/contract';
import { API_PREFIX, EVENTS_PATH, matchRoute } from '../../src-shared/api/routes';
import { toApiError, type EngineApi } from '../engine/dispatch';
import { serveStatic } from './static-files';
import { checkHostAndOrigin } from './request-guards';
import { BodyTooLargeError, MAX_BODY_BYTES, parseJsonObject, readBody } from './json-body';
import { SIGN_IN_PATH, SignInLinks } from './sign-in-links';
import { RAW_LOG_ROUTE, RawLogTooLargeError, serveRawLog, type RawLogSources } from './raw-log';
import { RAW_OUTPUT_ROUTE, serveRawOutput, type RawOutputSource } from './raw-output';

export interface HostOptions {
  api: EngineApi;
  port: number;
  rendererDir: string | null;
  token?: string;
  version: string;
  /** Where whole task logs are streamed from (GET .../log/raw); without it that route answers 503. */
  logs?: RawLogSources;
  /** Where task output files are read from (GET .../outputs/raw); without it that route answers 503. */
  outputs?: RawOutputSource;
  /** Clock for the sign-in links' 60 s lifetime (tests). */
  now?: () => number;
}

export interface Host {
  port: number;
  token: string;
  url: string;
  /** A one-time, 60 s sign-in URL without the token, safe to pass to a browser opener's command line. */
  issueSignInUrl(): string;
  close(): Promise<void>;
}

function sendJson(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  sendJsonText(res, status, JSON.stringify(body), headers);
}

// With the length declared the answer goes out in one write, without chunked framing for the client to undo.
function sendJsonText(res: http.ServerResponse, status: number, text: string | Uint8Array, headers: Record<string, string> = {}): void {
  const length = typeof text === 'string' ? Buffer.byteLength(text) : text.byteLength;
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', 'content-length': String(length), ...headers });
  res.end(text);
}

/**
 * A client that already holds these bytes (it sends their ETag back) gets 304 and no body: a UI polling a page
 * that has not changed costs neither side the transfer nor the parse. Still `no-store`, so a browser keeps API
 * answers only where the page chose to (the client sends If-None-Match itself).
 */
function sendNotModified(res: http.ServerResponse, etag: string): void {
  res.writeHead(304, { etag, 'cache-control': 'no-store' });
  res.end();
}

/** If-None-Match per RFC 9110 13.1.2: a list of entity tags (or `*`), compared weakly. */
export function holdsCurrent(ifNoneMatch: string | undefined, etag: string): boolean {
  if (!ifNoneMatch) return false;
  if (ifNoneMatch.trim() === '*') return true;
  const opaque = etag.startsWith('W/') ? etag.slice(2) : etag;
  for (const part of ifNoneMatch.split(',')) {
    const t = part.trim();
    if ((t.startsWith('W/') ? t.slice(2) : t) === opaque) return true;
  }
  return false;
}

function tokenMatches(given: string | null | undefined, token: Buffer): boolean {
  if (!given) return false;
  const a = Buffer.from(given);
  return a.length === token.length && crypto.timingSafeEqual(a, token);
}

function bearerOf(req: http.IncomingMessage): string | null {
  const auth = req.headers.authorization ?? '';
  return auth.startsWith('Bearer ') ? auth.slice(7) : null;
}

/** A path with a broken %-escape is the client's mistake (400), not a crash with a stack trace in the log. */
function hasBadEscape(pathname: string): boolean {
  try {
    decodeURIComponent(pathname);
    return false;
  } catch {
    return true;
  }
}

/**
 * 413 and close. Closing while the client is still sending makes the kernel answer the unread bytes with a reset,
 * which hides the 413 (the client sees ECONNRESET/EPIPE). So discard the rest of the body first, then answer;
 * a client that keeps sending past 4x the limit or 10 s is cut off.
 */
function refuseLargeBody(req: http.IncomingMessage, res: http.ServerResponse, message: string): void {
  let drained = 0;
  let answered = false;
  const answer = (): void => {
    if (answered) return;
    answered = true;
    clearTimeout(giveUp);
    sendJson(res, 413, { code: 'bad_input', message }, { connection: 'close' });
  };
  const giveUp = setTimeout(() => {
    answer();
    req.socket.destroySoon();
  }, 10_000);
  giveUp.unref();
  req.on('data', (c: Buffer) => {
    drained += c.length;
    if (drained > 4 * MAX_BODY_BYTES) {
      answer();
      req.socket.destroySoon();
    }
  });
  if (req.complete) answer();
  else req.on('end', answer);
  req.resume();
}

export async function startHost(o: HostOptions): Promise<Host> {
  const token = o.token ?? crypto.randomBytes(24).toString('base64url');
  const tokenBytes = Buffer.from(token);
  const rendererDir = o.rendererDir ? path.resolve(o.rendererDir) : null;

  const signIn = new SignInLinks(o.now);
  let port = 0;

  const server = http.createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const isApi = url.pathname.startsWith(API_PREFIX + '/') || url.pathname === API_PREFIX;
    try {
      const guard = checkHostAndOrigin(req, port, { checkOrigin: isApi });
      if (!guard.ok) {
        sendJson(res, guard.status, { code: 'unauthorized', message: guard.message });
        return;
      }
      if (hasBadEscape(url.pathname)) {
        sendJson(res, 400, { code: 'bad_input', message: `The path ${url.pathname.slice(0, 200)} has a malformed %-escape.` });
        return;
      }
      if (!isApi) {
        if (req.method !== 'GET' && req.method !== 'HEAD') throw new ApiError('not_found', `${req.method} ${url.pathname} is not a route.`);
        if (url.pathname.startsWith(SIGN_IN_PATH)) {
          redeemSignIn(url.pathname.slice(SIGN_IN_PATH.length), res);
          return;
        }
        serveStatic(rendererDir, url.pathname, res);
        return;
      }
      const apiPath = url.pathname.slice(API_PREFIX.length);
      if (req.method === 'GET' && RAW_LOG_ROUTE.test(apiPath)) {
        // Streams a file: outside the JSON contract, same token.
        if (!tokenMatches(bearerOf(req), tokenBytes)) throw new ApiError('unauthorized', 'Missing or wrong bearer token (see engine.json in the data folder).');
        if (!o.logs) throw new ApiError('unavailable', 'This host was started without log access.');
        await serveRawLog(o.logs, apiPath, url.searchParams, res);
        return;
      }
      if (req.method === 'GET' && RAW_OUTPUT_ROUTE.test(apiPath)) {
        if (!tokenMatches(bearerOf(req), tokenBytes)) throw new ApiError('unauthorized', 'Missing or wrong bearer token (see engine.json in the data folder).');
        if (!o.outputs) throw new ApiError('unavailable', 'This host was started without access to task outputs.');
        await serveRawOutput(o.outputs, apiPath, url.searchParams, res);
        return;
      }
      const match = matchRoute(req.method ?? 'GET', apiPath);
      if (!match) throw new ApiError('not_found', `No API route ${req.method} ${url.pathname}. See ${API_PREFIX}/health for a public check.`);
      const def = calls[match.name];
      const authorised = tokenMatches(bearerOf(req), tokenBytes);
      if (!def.public && !authorised) throw new ApiError('unauthorized', 'Missing or wrong bearer token (see engine.json in the data folder).');
      let input: Record<string, unknown> = {};
      if (req.method === 'POST') {
        input = parseJsonObject(await readBody(req));
      } else {
        for (const [k, v] of url.searchParams) input[k] = v;
      }
      Object.assign(input, match.params);
      // Polled reads come back as UTF-8 JSON from off the engine's thread (read-replica.ts), sent as they are.
      const json = o.api.invokeJson?.(match.name, input);
      if (json) {
        const answer = await json;
        if (!answer.etag) sendJsonText(res, 200, answer);
        else if (holdsCurrent(req.headers['if-none-match'], answer.etag)) sendNotModified(res, answer.etag);
        else sendJsonText(res, 200, answer, { etag: answer.etag });
        return;
      }
      const result = await o.api.invoke(match.name, input);
      // Without the token, health says only whether the engine is fine: pid, paths and config excerpts
      // (which have shown secrets) are for the owner.
      if (match.name === 'health' && !authorised) {
        const h = result as { status: string; version: string };
        sendJson(res, 200, { status: h.status, version: h.version });
        return;
      }
      sendJson(res, 200, result);
    } catch (err) {
      if (err instanceof RawLogTooLargeError) {
        sendJson(res, 413, { code: 'bad_input', message: err.message });
        return;
      }
      if (res.headersSent) {
        res.destroy();
        return;
      }
      if (err instanceof BodyTooLargeError) {
        refuseLargeBody(req, res, err.message);
        return;
      }
      const e = toApiError(err);
      if (e.code === 'internal') console.error(`[host] ${req.method} ${url.pathname}:`, err);
      sendJson(res, HTTP_STATUS_OF[e.code], e.toJSON());
    }
  });

  function redeemSignIn(nonce: string, res: http.ServerResponse): void {
    if (!signIn.redeem(nonce)) {
      res.writeHead(403, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' });
      res.end('This sign-in link has expired or was already used (links work once, within 60 seconds).\nRun `scripthut serve --open` again, or open the URL printed by `scripthut serve`.\n');
      return;
    }
    // The fragment never reaches a server or a log; the page moves it to session storage and clears it.
    res.writeHead(303, { location: `/#token=${token}`, 'cache-control': 'no-store', 'referrer-policy': 'no-referrer' });
    res.end();
  }

  const wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 });
  const sockets = new Set<WebSocket>();
  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const guard = checkHostAndOrigin(req, port, { checkOrigin: true });
    if (!guard.ok) {
      socket.write(`HTTP/1.1 ${guard.status} ${guard.status === 421 ? 'Misdirected Request' : 'Forbidden'}\r\nconnection: close\r\n\r\n`);
      socket.destroy();
      return;
    }
    if (url.pathname !== EVENTS_PATH || !tokenMatches(url.searchParams.get('token'), tokenBytes)) {
      socket.write('HTTP/1.1 401 Unauthorized\r\n\r\n');
      socket.destroy();
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      sockets.add(ws);
      ws.on('close', () => sockets.delete(ws));
      ws.on('error', () => sockets.delete(ws));
    });
  });
  // One engine subscription for all clients.
  const unsubscribe = o.api.subscribe((e) => {
    const text = JSON.stringify(e);
    for (const ws of sockets) if (ws.readyState === ws.OPEN) ws.send(text);
  });
  const ping = setInterval(() => {
    for (const ws of sockets) if (ws.readyState === ws.OPEN) ws.ping();
  }, 30_000);

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, '127.0.0.1', () => resolve());
  });
  port = (server.address() as { port: number }).port;
  return {
    port,
    token,
    url: `http://127.0.0.1:${port}/#token=${token}`,
    issueSignInUrl: () => `http://127.0.0.1:${port}${SIGN_IN_PATH}${signIn.issue()}`,
    close: async () => {
      clearInterval(ping);
      unsubscribe();
      for (const ws of sockets) ws.terminate();
      wss.close();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

export interface EngineFile {
  pid: number;
  port: number;
  token: string;
  url: string;
  version: string;
  started_at: string;
}

export function engineFilePath(dataDir: string): string {
  return path.join(dataDir, 'engine.json');
}

/** engine.json tells the CLI (and tests) where the engine of this data folder listens. Owner-only: it holds the token. */
export function writeEngineFile(dataDir: string, info: EngineFile): void {
  const file = engineFilePath(dataDir);
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify(info, null, 2) + '\n', { mode: 0o600 });
  fs.renameSync(tmp, file);
}

export function removeEngineFile(dataDir: string): void {
  try {
    const cur = JSON.parse(fs.readFileSync(engineFilePath(dataDir), 'utf8')) as EngineFile;
    if (cur.pid === process.pid) fs.unlinkSync(engineFilePath(dataDir));
  } catch {
    /* nothing to remove */
  }
}
