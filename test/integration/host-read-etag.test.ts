// Polled reads through the real host and engine: an unchanged page is answered 304 to a client that sends its
// ETag back, and the same read asked again between two commits is answered on the engine's thread (no hand-off to
// the read worker), while a write that has returned is still visible to the very next read.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startEngine, type RunningEngine } from '../../src-main/engine/start';
import { holdsCurrent, startHost, type Host } from '../../src-main/host/server';
import type { ReadReplica } from '../../src-main/engine/read-replica';
import { isTerminalRun } from '../../src-shared/model/status';

let dir: string;
let engine: RunningEngine;
let host: Host;
let reads: ReadReplica;
let runId: string;
let otherRunId: string;

function get(pathAndQuery: string, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`http://127.0.0.1:${host.port}/api/v1${pathAndQuery}`, { headers: { authorization: `Bearer ${host.token}`, ...headers } });
}

async function finish(id: string): Promise<void> {
  while (!isTerminalRun((await engine.api.invoke('runs.get', { id, limit: 1 })).status)) await new Promise((r) => setTimeout(r, 50));
}

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sh-read-etag-'));
  fs.writeFileSync(path.join(dir, 'cfg.yaml'), 'backends:\n  - name: here\n    type: local\n    max_concurrent: 2\n');
  engine = await startEngine({ dataDir: path.join(dir, 'data'), configPath: path.join(dir, 'cfg.yaml'), version: '9.9.9-test' });
  const replica = (engine.engine as unknown as { o: { reads?: ReadReplica } }).o.reads;
  if (!replica) throw new Error('startEngine gave the engine no read replica');
  reads = replica;
  host = await startHost({ api: engine.api, port: 0, rendererDir: null, version: '9.9.9-test' });
  const tasks = Array.from({ length: 6 }, (_, i) => ({ id: `t${i}`, command: 'true', working_dir: dir }));
  runId = (await engine.api.invoke('runs.createFromWorkflow', { document: { title: 'etag', tasks }, workflow_name: 'etag' })).id;
  otherRunId = (await engine.api.invoke('runs.createFromWorkflow', { document: { title: 'other', tasks: tasks.slice(0, 1) }, workflow_name: 'other' })).id;
  await finish(runId);
  await finish(otherRunId);
  await engine.engine.idle();
});

afterAll(async () => {
  await host?.close();
  await engine?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('conditional reads (ETag / If-None-Match)', () => {
  it('answers 304 without a body to a client holding the current page, and 200 with the same JSON otherwise', async () => {
    const url = `/runs/${runId}?limit=3`;
    const first = await get(url);
    expect(first.status).toBe(200);
    const etag = first.headers.get('etag');
    expect(etag).toMatch(/^"[A-Za-z0-9_-]{20,}"$/);
    const body = await first.json();
    // The 200 is the answer the engine's own thread gives, byte for byte in meaning.
    expect(body).toEqual(await engine.api.invoke('runs.get', { id: runId, limit: 3 }));

    const again = await get(url, { 'if-none-match': etag as string });
    expect(again.status).toBe(304);
    expect(again.headers.get('etag')).toBe(etag);
    expect(await again.text()).toBe('');
    // In a list, and weak, as browsers and proxies may send it.
    expect((await get(url, { 'if-none-match': `"nope", W/${etag as string}` })).status).toBe(304);
    // Another page has another tag: the client gets the page, not a 304 meant for a different one.
    const other = await get(`/runs/${runId}?limit=3&offset=3`, { 'if-none-match': etag as string });
    expect(other.status).toBe(200);
    expect(other.headers.get('etag')).not.toBe(etag);
    await other.arrayBuffer();
  });

  it('keeps the tag across commits that do not change the page, and changes it with the page', async () => {
    const url = `/runs/${runId}?limit=3`;
    const etag = (await get(url)).headers.get('etag') as string;
    // A write to another run: the database moved on, this page did not.
    await engine.api.invoke('runs.delete', { id: otherRunId });
    const unchanged = await get(url, { 'if-none-match': etag });
    expect(unchanged.status).toBe(304);
    // A rerun changes this run's page: a client holding the old one gets the new one with a new tag.
    await engine.api.invoke('runs.rerun', { id: runId });
    const changed = await get(url, { 'if-none-match': etag });
    expect(changed.status).toBe(200);
    expect(changed.headers.get('etag')).not.toBe(etag);
    const body = (await changed.json()) as { attempt: number };
    expect(body.attempt).toBeGreaterThan(1);
    await finish(runId);
    await engine.engine.idle();
  });
});

describe('reads kept on the engine thread', () => {
  it('answers the same read between two commits without a query or a hand-off, and sees a write at once', async () => {
    const url = `/runs?limit=5&workflow=etag`;
    await (await get(url)).arrayBuffer();
    const handedOff = () => reads.answered - reads.answeredOnEngineThread;
    const queried = () => reads.answered - reads.answeredFromCache;
    const before = { handedOff: handedOff(), queried: queried(), kept: reads.answeredOnEngineThread };
    const bodies = await Promise.all(Array.from({ length: 5 }, async () => (await get(url)).text()));
    expect(new Set(bodies).size).toBe(1);
    expect(reads.answeredOnEngineThread).toBe(before.kept + 5);
    expect(queried()).toBe(before.queried);
    expect(handedOff()).toBe(before.handedOff);

    // A write that has returned: the next read is computed again and shows it.
    const created = await engine.api.invoke('runs.createFromWorkflow', { document: { title: 'new while polled', tasks: [{ id: 'x', command: 'true', working_dir: dir }] }, workflow_name: 'etag' });
    const after = (await (await get(url)).json()) as { runs: Array<{ id: string; title: string }> };
    expect(after.runs[0]).toMatchObject({ id: created.id, title: 'new while polled' });
    // Computed once more, on the engine thread (a small page: read-on-thread.ts), not handed to the worker.
    expect(queried()).toBe(before.queried + 1);
    expect(handedOff()).toBe(before.handedOff);
    await finish(created.id);
  });

  it('matches If-None-Match as RFC 9110 says', () => {
    expect(holdsCurrent(undefined, '"a"')).toBe(false);
    expect(holdsCurrent('"a"', '"a"')).toBe(true);
    expect(holdsCurrent('W/"a"', '"a"')).toBe(true);
    expect(holdsCurrent('"b" , "a"', '"a"')).toBe(true);
    expect(holdsCurrent('"b"', '"a"')).toBe(false);
    expect(holdsCurrent('*', '"a"')).toBe(true);
    expect(holdsCurrent('"ab"', '"a"')).toBe(false);
  });
});
