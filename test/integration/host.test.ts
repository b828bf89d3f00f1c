// The headless host: the contract over HTTP and one WebSocket, on 127.0.0.1, behind a bearer token.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import WebSocket from 'ws';
import { startEngine, type RunningEngine } from '../../src-main/engine/start';
import { startHost, type Host } from '../../src-main/host/server';
import { HttpEngineClient } from '../../src-main/host/client';
import { ApiError } from '../../src-shared/api/contract';

let dir: string;
let engine: RunningEngine;
let host: Host;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sh-host-'));
  fs.mkdirSync(path.join(dir, 'renderer'));
  fs.writeFileSync(path.join(dir, 'renderer', 'index.html'), '<!doctype html><title>ScriptHut</title>');
  fs.writeFileSync(path.join(dir, 'cfg.yaml'), 'backends:\n  - name: here\n    type: local\n    max_concurrent: 2\nsettings:\n  local_poll_interval_ms: 200\n');
  engine = await startEngine({ dataDir: path.join(dir, 'data'), configPath: path.join(dir, 'cfg.yaml'), version: '9.9.9-test', resourcesDir: path.resolve('resources') });
  host = await startHost({ api: engine.api, port: 0, rendererDir: path.join(dir, 'renderer'), version: '9.9.9-test' });
});

afterAll(async () => {
  await host?.close();
  await engine?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('headless host', () => {
  it('answers health without a token and nothing else', async () => {
    const pub = await fetch(`http://127.0.0.1:${host.port}/api/v1/health`);
    expect(pub.status).toBe(200);
    expect(await pub.json()).toEqual({ status: 'ok', version: '9.9.9-test' });
    const h = await fetch(`http://127.0.0.1:${host.port}/api/v1/health`, { headers: { authorization: `Bearer ${host.token}` } });
    expect(h.status).toBe(200);
    const body = (await h.json()) as { version: string; backends: Array<{ name: string }> };
    expect(body.version).toBe('9.9.9-test');
    expect(body.backends.map((b) => b.name)).toEqual(['here']);
    const runs = await fetch(`http://127.0.0.1:${host.port}/api/v1/runs`);
    expect(runs.status).toBe(401);
    const wrong = await fetch(`http://127.0.0.1:${host.port}/api/v1/runs`, { headers: { authorization: 'Bearer nope' } });
    expect(wrong.status).toBe(401);
    expect(((await wrong.json()) as { code: string }).code).toBe('unauthorized');
  });

  it('serves the renderer with a strict CSP and falls back to index.html', async () => {
    const res = await fetch(`http://127.0.0.1:${host.port}/runs/abc`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(await res.text()).toContain('<title>ScriptHut</title>');
    const escape = await fetch(`http://127.0.0.1:${host.port}/../../etc/passwd`);
    expect(await escape.text()).not.toContain('root:');
  });

  it('runs a workflow through the generated routes and streams events over one WebSocket', async () => {
    const client = new HttpEngineClient(`http://127.0.0.1:${host.port}`, host.token);
    const ws = new WebSocket(`ws://127.0.0.1:${host.port}/api/v1/events?token=${host.token}`);
    const events: Array<{ event: string; payload: { id?: string; status?: string } }> = [];
    ws.on('message', (m) => events.push(JSON.parse(String(m))));
    await new Promise((r) => ws.once('open', r));
    const run = await client.invoke('runs.createFromWorkflow', { document: [{ id: 'hello', command: 'echo hello from the host test' }], workflow_name: 'host-test' });
    for (let i = 0; i < 100; i++) {
      if (events.some((e) => e.event === 'run.changed' && e.payload.id === run.id && e.payload.status === 'completed')) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(events.some((e) => e.event === 'run.changed' && e.payload.status === 'completed')).toBe(true);
    expect(events.some((e) => e.event === 'notification')).toBe(true);
    const log = await client.invoke('tasks.log', { run_id: run.id, task_id: 'hello' });
    expect(log.content).toContain('hello from the host test');
    expect(log.complete).toBe(true);
    ws.close();
  });

  it('refuses a WebSocket without the token', async () => {
    const ws = new WebSocket(`ws://127.0.0.1:${host.port}/api/v1/events?token=wrong`);
    const outcome = await new Promise<string>((resolve) => {
      ws.on('open', () => resolve('open'));
      ws.on('error', () => resolve('refused'));
      ws.on('unexpected-response', () => resolve('refused'));
    });
    expect(outcome).toBe('refused');
  });

  it('maps contract errors to HTTP statuses with a code and a message', async () => {
    const client = new HttpEngineClient(`http://127.0.0.1:${host.port}`, host.token);
    await expect(client.invoke('runs.get', { id: 'nope' })).rejects.toMatchObject({ code: 'not_found' });
    const err = await client.invoke('runs.createFromWorkflow', { document: [{ id: 'a', command: 'x', deps: ['a'] }] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).code).toBe('bad_input');
    expect((err as ApiError).message).toMatch(/depends on itself/);
    const res = await fetch(`http://127.0.0.1:${host.port}/api/v1/runs`, { method: 'POST', headers: { authorization: `Bearer ${host.token}`, 'content-type': 'application/json' }, body: '{not json' });
    expect(res.status).toBe(422);
  });
});
