// Issue 12 findings on the headless host: DNS rebinding (Host/Origin), public health leaks, bad requests
// answered 500, oversized bodies reset, and the one-time sign-in link that keeps the token out of argv.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import WebSocket from 'ws';
import { startEngine, type RunningEngine } from '../../src-main/engine/start';
import { startHost, type Host } from '../../src-main/host/server';

let dir: string;
let engine: RunningEngine;
let host: Host;
const errors: string[] = [];
const origError = console.error;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sh-hard-'));
  fs.mkdirSync(path.join(dir, 'renderer'));
  fs.writeFileSync(path.join(dir, 'renderer', 'index.html'), '<!doctype html><title>ScriptHut</title>');
  // A broken config whose excerpt contains a secret: the public health must not show it.
  fs.writeFileSync(path.join(dir, 'cfg.yaml'), 'backends:\n  - name: here\n    type: local\n    password: hunter2-secret\n    max_concurrent: [\n');
  engine = await startEngine({ dataDir: path.join(dir, 'data'), configPath: path.join(dir, 'cfg.yaml'), version: '9.9.9-test', resourcesDir: path.resolve('resources') });
  host = await startHost({ api: engine.api, port: 0, rendererDir: path.join(dir, 'renderer'), version: '9.9.9-test' });
  console.error = (...a: unknown[]) => {
    errors.push(a.map(String).join(' '));
  };
});

afterAll(async () => {
  console.error = origError;
  await host?.close();
  await engine?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

interface RawAnswer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** A raw request, so Host, Origin and broken paths reach the server exactly as written. */
function raw(opts: { method?: string; path: string; headers?: Record<string, string | number>; body?: Buffer | string }): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port: host.port, method: opts.method ?? 'GET', path: opts.path, headers: opts.headers, setHost: !opts.headers?.host }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    if (opts.body !== undefined) req.end(opts.body);
    else req.end();
  });
}

const auth = (): Record<string, string> => ({ authorization: `Bearer ${host.token}` });

function wsOutcome(url: string, headers: Record<string, string>): Promise<string> {
  const ws = new WebSocket(url, { headers });
  return new Promise<string>((resolve) => {
    ws.on('open', () => {
      ws.close();
      resolve('open');
    });
    ws.on('error', () => resolve('refused'));
    ws.on('unexpected-response', (_req, res) => resolve(`refused ${res.statusCode}`));
  });
}

describe('host: DNS rebinding', () => {
  it('refuses a foreign Host header on the API, the UI and the WebSocket', async () => {
    const api = await raw({ path: '/api/v1/runs', headers: { host: 'evil.example:80', ...auth() } });
    expect(api.status).toBe(421);
    const ui = await raw({ path: '/', headers: { host: `attacker.test:${host.port}` } });
    expect(ui.status).toBe(421);
    expect(ui.body).not.toContain('<title>ScriptHut</title>');
    const ws = await wsOutcome(`ws://127.0.0.1:${host.port}/api/v1/events?token=${host.token}`, { host: `rebind.example:${host.port}` });
    expect(ws).toMatch(/^refused/);
  });

  it('accepts 127.0.0.1, localhost and [::1] on its own port', async () => {
    for (const h of [`127.0.0.1:${host.port}`, `localhost:${host.port}`, `[::1]:${host.port}`]) {
      const res = await raw({ path: '/api/v1/runs', headers: { host: h, ...auth() } });
      expect(res.status, h).toBe(200);
    }
    const wrongPort = await raw({ path: '/api/v1/runs', headers: { host: `127.0.0.1:${host.port + 1}`, ...auth() } });
    expect(wrongPort.status).toBe(421);
  });

  it('refuses a foreign Origin on the API and the WebSocket, accepts its own and app://', async () => {
    const foreign = await raw({ path: '/api/v1/runs', headers: { origin: 'http://evil.example', ...auth() } });
    expect(foreign.status).toBe(403);
    const same = await raw({ path: '/api/v1/runs', headers: { origin: `http://127.0.0.1:${host.port}`, ...auth() } });
    expect(same.status).toBe(200);
    const app = await raw({ path: '/api/v1/runs', headers: { origin: 'app://scripthut', ...auth() } });
    expect(app.status).toBe(200);
    const url = `ws://127.0.0.1:${host.port}/api/v1/events?token=${host.token}`;
    expect(await wsOutcome(url, { origin: 'http://evil.example' })).toMatch(/^refused/);
    expect(await wsOutcome(url, { origin: `http://localhost:${host.port}` })).toBe('open');
  });
});

describe('host: health', () => {
  it('says only status and version without a token', async () => {
    const res = await raw({ path: '/api/v1/health' });
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body)).toEqual({ status: 'degraded', version: '9.9.9-test' });
    expect(res.body).not.toContain('hunter2');
  });

  it('returns the full shape with the bearer token', async () => {
    const res = await raw({ path: '/api/v1/health', headers: auth() });
    const body = JSON.parse(res.body) as { pid: number; data_dir: string; config_error: { message: string } | null };
    expect(body.pid).toBe(process.pid);
    expect(body.data_dir).toBe(path.join(dir, 'data'));
    expect(body.config_error).not.toBeNull();
  });
});

describe('host: bad requests get 4xx, not 500', () => {
  it('a null (or non-object) JSON body', async () => {
    for (const body of ['null', '[1,2]', '"text"', '42']) {
      const res = await raw({ method: 'POST', path: '/api/v1/runs', headers: { ...auth(), 'content-type': 'application/json' }, body });
      expect(res.status, body).toBe(422);
      expect(JSON.parse(res.body).message, body).toMatch(/JSON object/);
    }
  });

  it('deeply nested JSON', async () => {
    const deep = '{"document":' + '['.repeat(100_000) + ']'.repeat(100_000) + '}';
    const res = await raw({ method: 'POST', path: '/api/v1/runs', headers: { ...auth(), 'content-type': 'application/json' }, body: deep });
    expect(res.status).toBe(422);
    expect(JSON.parse(res.body).message).toMatch(/nested/);
  });

  it('malformed % escapes, with or without a token, and nothing in the error log', async () => {
    errors.length = 0;
    for (const p of ['/api/v1/runs/%E0%A4%A', '/api/v1/runs/%zz', '/%E0%A4%A']) {
      const anon = await raw({ path: p });
      expect(anon.status, p).toBe(400);
      const authed = await raw({ path: p, headers: auth() });
      expect(authed.status, p).toBe(400);
      expect(JSON.parse(authed.body).message).toMatch(/escape/);
    }
    expect(errors).toEqual([]);
  });

  it('a body over 50 MB gets 413 and a closed connection', async () => {
    const big = Buffer.alloc(50 * 1024 * 1024 + 10, 0x20);
    const res = await raw({ method: 'POST', path: '/api/v1/runs', headers: { ...auth(), 'content-type': 'application/json' }, body: big });
    expect(res.status).toBe(413);
    expect(res.headers.connection).toBe('close');
    expect(JSON.parse(res.body).message).toMatch(/50 MB/);
  });

  it('a chunked body that grows over 50 MB gets 413 too', async () => {
    const answer = await new Promise<RawAnswer | string>((resolve) => {
      const req = http.request({ host: '127.0.0.1', port: host.port, method: 'POST', path: '/api/v1/runs', headers: { ...auth(), 'content-type': 'application/json', 'transfer-encoding': 'chunked' } }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      });
      req.on('error', (e) => resolve(`error ${e.message}`));
      const chunk = Buffer.alloc(1024 * 1024, 0x20);
      let sent = 0;
      const pump = (): void => {
        while (sent < 60) {
          sent++;
          if (!req.write(chunk)) {
            req.once('drain', pump);
            return;
          }
        }
        req.end();
      };
      pump();
    });
    expect(typeof answer === 'string' ? answer : answer.status).toBe(413);
  });
});

describe('host: one-time sign-in link instead of the token in argv', () => {
  it('issues a link without the token that works once and hands the token over by redirect', async () => {
    const link = host.issueSignInUrl();
    expect(link).not.toContain(host.token);
    expect(link).toMatch(new RegExp(`^http://127\\.0\\.0\\.1:${host.port}/auth/[A-Za-z0-9_-]{20,}$`));
    const first = await raw({ path: new URL(link).pathname });
    expect(first.status).toBe(303);
    expect(first.headers.location).toBe(`/#token=${host.token}`);
    expect(first.headers['cache-control']).toBe('no-store');
    const again = await raw({ path: new URL(link).pathname });
    expect(again.status).toBe(403);
    expect(again.body).not.toContain(host.token);
    const guessed = await raw({ path: '/auth/not-a-real-nonce-at-all-xxxx' });
    expect(guessed.status).toBe(403);
  });

  it('expires an unused link after 60 s', async () => {
    let now = 1_000_000;
    const h2 = await startHost({ api: engine.api, port: 0, rendererDir: path.join(dir, 'renderer'), version: '9.9.9-test', now: () => now });
    try {
      const link = h2.issueSignInUrl();
      now += 61_000;
      const res = await fetch(link, { redirect: 'manual' });
      expect(res.status).toBe(403);
      const fresh = h2.issueSignInUrl();
      now += 59_000;
      const ok = await fetch(fresh, { redirect: 'manual' });
      expect(ok.status).toBe(303);
    } finally {
      await h2.close();
    }
  });
});
