// The polled reads (runs.list, runs.get) reach the host's clients from the read worker's own read-only
// connection, and say exactly what the engine's thread would say: same answers, same errors, and a write that
// has returned is visible to the next read.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startEngine, type RunningEngine } from '../../src-main/engine/start';
import { startHost, type Host } from '../../src-main/host/server';
import { ReadReplica } from '../../src-main/engine/read-replica';
import { isTerminalRun } from '../../src-shared/model/status';

let dir: string;
let engine: RunningEngine;
let host: Host;
let replicaAnswers: () => number;

async function get(pathAndQuery: string): Promise<{ status: number; body: unknown }> {
  const res = await fetch(`http://127.0.0.1:${host.port}/api/v1${pathAndQuery}`, { headers: { authorization: `Bearer ${host.token}` } });
  return { status: res.status, body: await res.json() };
}

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sh-read-worker-'));
  fs.writeFileSync(path.join(dir, 'cfg.yaml'), 'backends:\n  - name: here\n    type: local\n    max_concurrent: 2\nsettings:\n  local_poll_interval_ms: 200\n');
  engine = await startEngine({ dataDir: path.join(dir, 'data'), configPath: path.join(dir, 'cfg.yaml'), version: '9.9.9-test' });
  // The replica the engine was started with (private to it): read its counter through the options object.
  const reads = (engine.engine as unknown as { o: { reads?: ReadReplica } }).o.reads;
  if (!reads) throw new Error('startEngine gave the engine no read replica');
  replicaAnswers = () => reads.answered;
  host = await startHost({ api: engine.api, port: 0, rendererDir: null, version: '9.9.9-test' });
});

afterAll(async () => {
  await host?.close();
  await engine?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('reads served by the read worker', () => {
  it('answers runs.list and runs.get over HTTP exactly as the engine thread does', async () => {
    const tasks = Array.from({ length: 30 }, (_, i) => ({ id: `t${i}`, name: `task ${i}`, command: `echo ${i}`, working_dir: dir, deps: i ? [`t${i - 1}`] : [] }));
    const run = await engine.api.invoke('runs.createFromWorkflow', { document: { title: 'chain', tasks }, workflow_name: 'chain' });
    // A write that has returned is visible to the very next read, from the other connection.
    const before = replicaAnswers();
    const first = await get(`/runs/${run.id}?limit=5`);
    expect(first.status).toBe(200);
    expect((first.body as { id: string; total_items: number }).id).toBe(run.id);
    expect((first.body as { total_items: number }).total_items).toBe(30);
    expect(replicaAnswers()).toBe(before + 1);

    for (;;) {
      const s = await engine.api.invoke('runs.get', { id: run.id, limit: 1 });
      if (isTerminalRun(s.status)) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    await engine.engine.idle();
    const queries: Array<[string, string, Record<string, unknown>]> = [
      ['runs.list', '/runs?limit=20', { limit: 20 }],
      ['runs.list', '/runs?q=chain&status=completed', { q: 'chain', status: 'completed' }],
      ['runs.get', `/runs/${run.id}?limit=7&offset=11`, { id: run.id, limit: 7, offset: 11 }],
      ['runs.get', `/runs/${run.id}?sort=id&order=desc&limit=4`, { id: run.id, sort: 'id', order: 'desc', limit: 4 }],
      ['runs.get', `/runs/${run.id}?q=task%202`, { id: run.id, q: 'task 2' }],
    ];
    const served = replicaAnswers();
    for (const [name, url, input] of queries) {
      const viaWorker = await get(url);
      expect(viaWorker.status, url).toBe(200);
      expect(viaWorker.body, url).toEqual(await engine.api.invoke(name as 'runs.get', input));
    }
    expect(replicaAnswers()).toBe(served + queries.length);
    const page = (await get(`/runs/${run.id}?limit=7&offset=11`)).body as { items: Array<{ id: string; status: string; command: string }>; matched_items: number };
    expect(page.items.map((t) => t.id)).toEqual(['t11', 't12', 't13', 't14', 't15', 't16', 't17']);
    expect(page.items.every((t) => t.status === 'completed')).toBe(true);
    expect(page.items[0]?.command).toBe('echo 11');
  });

  it('answers small pages on the engine thread and hands big pages and text searches to the worker', async () => {
    const reads = (engine.engine as unknown as { o: { reads: ReadReplica } }).o.reads;
    const tasks = Array.from({ length: 12 }, (_, i) => ({ id: `s${i}`, name: `small ${i}`, command: 'true', working_dir: dir }));
    const run = await engine.api.invoke('runs.createFromWorkflow', { document: { title: 'sizes', tasks }, workflow_name: 'sizes' });
    const handedOff = () => reads.answered - reads.answeredOnEngineThread;
    const cases: Array<[string, number]> = [
      [`/runs/${run.id}?limit=5`, 0],
      ['/runs?limit=20', 0],
      [`/runs/${run.id}?limit=200&offset=3`, 0],
      // A task page bigger than the engine thread takes, the default page (1,000 tasks), and text searches.
      [`/runs/${run.id}?limit=201`, 1],
      [`/runs/${run.id}`, 1],
      [`/runs/${run.id}?limit=5&q=small`, 1],
      ['/runs?limit=20&q=sizes', 1],
      ['/runs?limit=101', 1],
    ];
    for (const [url, toWorker] of cases) {
      const before = handedOff();
      const res = await get(url);
      expect(res.status, url).toBe(200);
      expect(handedOff() - before, url).toBe(toWorker);
    }
    await engine.engine.idle();
  });

  it('sends non-ASCII answers byte for byte with their length declared, not chunked', async () => {
    const tasks = [{ id: 'é1', name: 'tâche ✓ 日本 🧪', command: 'true', working_dir: dir }];
    const run = await engine.api.invoke('runs.createFromWorkflow', { document: { title: 'résumé ✓', tasks }, workflow_name: 'unicode' });
    for (const url of [`/runs/${encodeURIComponent(run.id)}?limit=5`, '/runs?q=unicode']) {
      const res = await fetch(`http://127.0.0.1:${host.port}/api/v1${url}`, { headers: { authorization: `Bearer ${host.token}` } });
      const bytes = Buffer.from(await res.arrayBuffer());
      expect(res.status, url).toBe(200);
      expect(res.headers.get('content-length'), url).toBe(String(bytes.length));
      expect(res.headers.get('transfer-encoding'), url).toBeNull();
      const body = JSON.parse(bytes.toString('utf8')) as { title?: string; items?: Array<{ name: string }>; runs?: Array<{ title: string }> };
      if (body.items) expect(body.items[0]?.name).toBe('tâche ✓ 日本 🧪');
      else expect(body.runs?.[0]?.title).toBe('résumé ✓');
    }
  });

  it('reports errors with the same codes and located messages', async () => {
    const missing = await get('/runs/nope');
    expect(missing.status).toBe(404);
    expect(missing.body).toEqual({ code: 'not_found', message: "No run with id 'nope'." });
    const badSort = await get('/runs/nope?sort=colour');
    expect(badSort.status).toBe(422);
    expect((badSort.body as { code: string; message: string }).message).toMatch(/runs\.get[\s\S]*sort/);
    const badCursor = await get('/runs?cursor=zzz');
    expect(badCursor.status).toBe(422);
    expect((badCursor.body as { message: string }).message).toContain("Invalid cursor 'zzz'");
  });
});

describe('ReadReplica', () => {
  it('leaves other calls to the engine thread and falls back once closed', async () => {
    const replica = new ReadReplica({ file: path.join(dir, 'data', 'scripthut.db') });
    expect(replica.invokeJson('health', {})).toBeNull();
    const body = (await replica.invokeJson('runs.list', { limit: 1, q: 'chain' })) as Uint8Array;
    expect(body).toBeInstanceOf(Uint8Array);
    expect(JSON.parse(Buffer.from(body).toString('utf8'))).toMatchObject({ total: 1, runs: [{ workflow_name: 'chain' }] });
    await replica.close();
    expect(replica.invokeJson('runs.list', {})).toBeNull();
  });

  it.runIf(process.platform === 'linux')('runs the reads at a lower CPU priority than the loop', async () => {
    // Field 19 of /proc/<pid>/task/<tid>/stat is the thread's nice value (after the command name in parentheses).
    const niceOfThreads = () =>
      fs.readdirSync('/proc/self/task').map((tid) => {
        const stat = fs.readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
        return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]);
      });
    const lowered = Math.min(19, os.getPriority() + 10);
    // The engine of this file already has its read worker; one more replica adds exactly one lowered thread.
    const before = niceOfThreads().filter((n) => n === lowered).length;
    const replica = new ReadReplica({ file: path.join(dir, 'data', 'scripthut.db') });
    await replica.invokeJson('runs.list', { limit: 1 });
    expect(niceOfThreads().filter((n) => n === lowered).length).toBe(before + 1);
    expect(os.getPriority()).toBeLessThan(lowered);
    // The worker names its thread, so a bench can tell its CPU time from the loop's.
    const thread = replica.thread;
    expect(thread?.niced).toBe(true);
    expect(os.getPriority(thread?.tid as number)).toBe(lowered);
    await replica.close();
  });
});
