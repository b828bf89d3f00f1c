// Issue 12: a task's whole log used to be read into one string (a 700 MB log gave a 500 and a memory spike).
// The host now streams it from GET /api/v1/runs/:run/tasks/:task/log/raw; the JSON call refuses it clearly.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { startEngine, type RunningEngine } from '../../src-main/engine/start';
import { startHost, type Host } from '../../src-main/host/server';
import { HttpEngineClient } from '../../src-main/host/client';

let dir: string;
let engine: RunningEngine;
let host: Host;
let runId: string;
const BIG = 560 * 1024 * 1024; // past V8's longest string

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sh-rawlog-'));
  fs.writeFileSync(path.join(dir, 'cfg.yaml'), 'backends:\n  - name: here\n    type: local\n    max_concurrent: 2\nsettings:\n  local_poll_interval_ms: 200\n');
  engine = await startEngine({ dataDir: path.join(dir, 'data'), configPath: path.join(dir, 'cfg.yaml'), version: '9.9.9-test', resourcesDir: path.resolve('resources') });
  host = await startHost({ api: engine.api, port: 0, rendererDir: null, version: '9.9.9-test', logs: { store: engine.store, backends: engine.backends } });
  const client = new HttpEngineClient(`http://127.0.0.1:${host.port}`, host.token);
  const run = await client.invoke('runs.createFromWorkflow', { document: [{ id: 'big', command: 'echo first line of a big log' }], workflow_name: 'raw-log' });
  runId = run.id;
  for (let i = 0; i < 150; i++) {
    if ((await client.invoke('runs.get', { id: runId })).status === 'completed') break;
    await new Promise((r) => setTimeout(r, 100));
  }
}, 60_000);

afterAll(async () => {
  await host?.close();
  await engine?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

function get(p: string, headers: Record<string, string> = { authorization: `Bearer ${host.token}` }): Promise<{ status: number; headers: http.IncomingHttpHeaders; bytes: number; head: string }> {
  return new Promise((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port: host.port, path: p, headers }, (res) => {
        let bytes = 0;
        let head = '';
        res.on('data', (c: Buffer) => {
          if (head.length < 4096) head += c.subarray(0, 4096).toString('utf8');
          bytes += c.length;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, bytes, head }));
        res.on('error', reject);
      })
      .on('error', reject);
  });
}

describe('whole task logs', () => {
  it('streams a log larger than any string, with its exact size, behind the token', async () => {
    const attempt = engine.store.getAttempt(runId, 'big', engine.store.getTask(runId, 'big')!.attempt)!;
    const file = attempt.log_output!;
    expect(fs.readFileSync(file, 'utf8')).toContain('first line of a big log');
    fs.truncateSync(file, BIG); // sparse: no disk is used for the zeros
    const res = await get(`/api/v1/runs/${runId}/tasks/big/log/raw`);
    expect(res.status).toBe(200);
    expect(res.headers['content-length']).toBe(String(BIG));
    expect(res.headers['content-disposition']).toMatch(/^attachment; filename=".*big.*\.out\.log"$/);
    expect(res.bytes).toBe(BIG);
    expect(res.head).toContain('first line of a big log');
    const anon = await get(`/api/v1/runs/${runId}/tasks/big/log/raw`, {});
    expect(anon.status).toBe(401);
  }, 120_000);

  it('the JSON call refuses a whole read of it with a 4xx that names the download route, not a 500', async () => {
    const res = await fetch(`http://127.0.0.1:${host.port}/api/v1/runs/${runId}/tasks/big/logs`, { headers: { authorization: `Bearer ${host.token}` } });
    expect(res.status).toBe(422);
    expect(((await res.json()) as { message: string }).message).toMatch(/too large to read whole.*log\/raw/);
    const tail = await fetch(`http://127.0.0.1:${host.port}/api/v1/runs/${runId}/tasks/big/logs?tail=1`, { headers: { authorization: `Bearer ${host.token}` } });
    expect(tail.status).toBe(200);
  });

  it('answers unknown runs, tasks and types with 4xx', async () => {
    expect((await get(`/api/v1/runs/nope/tasks/big/log/raw`)).status).toBe(404);
    expect((await get(`/api/v1/runs/${runId}/tasks/nope/log/raw`)).status).toBe(404);
    expect((await get(`/api/v1/runs/${runId}/tasks/big/log/raw?type=secret`)).status).toBe(422);
  });
});
