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

export interface HostOptions {
  api: EngineApi;
  port: number;
  rendererDir: string | null;
  token?: string;
  version: string;
}

export interface Host {
  port: number;
  token: string;
  url: string;
  close(): Promise<void>;
}

const MAX_BODY = 50 * 1024 * 1024;

function sendJson(res: http.ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  res.end(text);
}

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        reject(new ApiError('bad_input', `Request body larger than ${MAX_BODY} bytes.`));
        req.destroy();
      } else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function tokenMatches(given: string | null | undefined, token: string): boolean {
  if (!given) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && crypto.timingSafeEqual(a, b);
}

export async function startHost(o: HostOptions): Promise<Host> {
  const token = o.token ?? crypto.randomBytes(24).toString('base64url');
  const rendererDir = o.rendererDir ? path.resolve(o.rendererDir) : null;

  const server = http.createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    try {
      if (!url.pathname.startsWith(API_PREFIX + '/') && url.pathname !== API_PREFIX) {
        if (req.method !== 'GET' && req.method !== 'HEAD') throw new ApiError('not_found', `${req.method} ${url.pathname} is not a route.`);
        serveStatic(rendererDir, url.pathname, res);
        return;
      }
      const match = matchRoute(req.method ?? 'GET', url.pathname.slice(API_PREFIX.length));
      if (!match) throw new ApiError('not_found', `No API route ${req.method} ${url.pathname}. See ${API_PREFIX}/health for a public check.`);
      const def = calls[match.name];
      if (!def.public) {
        const auth = req.headers.authorization ?? '';
        const given = auth.startsWith('Bearer ') ? auth.slice(7) : null;
        if (!tokenMatches(given, token)) throw new ApiError('unauthorized', 'Missing or wrong bearer token (see engine.json in the data folder).');
      }
      let input: Record<string, unknown> = {};
      if (req.method === 'POST') {
        const text = await readBody(req);
        if (text.trim()) {
          try {
            input = JSON.parse(text) as Record<string, unknown>;
          } catch (err) {
            throw new ApiError('bad_input', `The request body is not valid JSON: ${(err as Error).message}`);
          }
        }
      } else {
        for (const [k, v] of url.searchParams) input[k] = v;
      }
      Object.assign(input, match.params);
      const result = await o.api.invoke(match.name, input);
      sendJson(res, 200, result);
    } catch (err) {
      const e = toApiError(err);
      if (e.code === 'internal') console.error(`[host] ${req.method} ${req.url}:`, err);
      sendJson(res, HTTP_STATUS_OF[e.code], e.toJSON());
    }
  });

  const wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 });
  const sockets = new Set<WebSocket>();
  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (url.pathname !== EVENTS_PATH || !tokenMatches(url.searchParams.get('token'), token)) {
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
  const port = (server.address() as { port: number }).port;
  return {
    port,
    token,
    url: `http://127.0.0.1:${port}/#token=${token}`,
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
