// The read worker's cache against a real database file: the same query between two commits costs one query, and
// a commit from another connection (the engine's) is visible to the very next read.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startEngine } from '../../src-main/engine/start';
import { ReadReplica } from '../../src-main/engine/read-replica';
import { openDatabase } from '../../src-main/store/db';
import { isTerminalRun } from '../../src-shared/model/status';
import { warmReads } from '../../src-main/engine/read-warmup';
import { buildHttpRequest } from '../../src-shared/api/routes';
import { FIRST_RUNS_PAGE } from '../../src-shared/api/first-page';

let dir: string;
/** The worker answers UTF-8 JSON bytes; as text to compare and parse. */
const text = async (body: Promise<Uint8Array> | null): Promise<string> => Buffer.from((await body) as Uint8Array).toString('utf8');
let dbFile: string;
let runId: string;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sh-read-cache-'));
  fs.writeFileSync(path.join(dir, 'cfg.yaml'), 'backends:\n  - name: here\n    type: local\n    max_concurrent: 2\n');
  const engine = await startEngine({ dataDir: path.join(dir, 'data'), configPath: path.join(dir, 'cfg.yaml'), version: '9.9.9-test' });
  try {
    const tasks = Array.from({ length: 5 }, (_, i) => ({ id: `t${i}`, command: 'true', working_dir: dir }));
    const run = await engine.api.invoke('runs.createFromWorkflow', { document: { title: 'cached', tasks }, workflow_name: 'cached' });
    runId = run.id;
    while (!isTerminalRun((await engine.api.invoke('runs.get', { id: run.id, limit: 1 })).status)) await new Promise((r) => setTimeout(r, 50));
  } finally {
    // Closed, so that nothing but this test writes to the file while it counts cache hits.
    await engine.close();
  }
  dbFile = path.join(dir, 'data', 'scripthut.db');
});

afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('read worker cache', () => {
  it('answers the same query between two commits from its cache, and a commit elsewhere is seen at once', async () => {
    const replica = new ReadReplica({ file: dbFile });
    const writer = openDatabase(dbFile);
    try {
      const first = await text(replica.invokeJson('runs.get', { id: runId, limit: 2 }));
      expect(JSON.parse(first)).toMatchObject({ id: runId, item_limit: 2 });
      expect(replica.answeredFromCache).toBe(0);
      // The host passes query strings: '2' and 2 are the same query once parsed, whatever the order of the keys.
      const second = await text(replica.invokeJson('runs.get', { limit: '2', id: runId }));
      expect(second).toBe(first);
      expect(replica.answeredFromCache).toBe(1);
      // Each answer's buffer is transferred to the caller: the cache keeps its own copy, whole, for the next hit.
      expect(await text(replica.invokeJson('runs.get', { id: runId, limit: 2 }))).toBe(first);
      expect(replica.answeredFromCache).toBe(2);
      // Another query is computed, not served from another's answer.
      const other = JSON.parse(await text(replica.invokeJson('runs.get', { id: runId, limit: 2, offset: 2 }))) as { items: Array<{ id: string }> };
      expect(other.items.map((t) => t.id)).toEqual(['t2', 't3']);
      expect(replica.answeredFromCache).toBe(2);

      writer.prepare('UPDATE runs SET title = ? WHERE id = ?').run('renamed', runId);
      const after = JSON.parse(await text(replica.invokeJson('runs.get', { id: runId, limit: 2 }))) as { title: string };
      expect(after.title).toBe('renamed');
      expect(replica.answeredFromCache).toBe(2);
      const list = JSON.parse(await text(replica.invokeJson('runs.list', { limit: 5 }))) as { runs: Array<{ title: string }> };
      expect(list.runs[0]?.title).toBe('renamed');
      expect(replica.answered).toBe(6);
    } finally {
      writer.close();
      await replica.close();
    }
  });

  it('a host start warms it with the runs page the renderer asks for first, whose read is then a cache hit', async () => {
    const replica = new ReadReplica({ file: dbFile });
    try {
      const ms = await warmReads(replica);
      expect(ms).not.toBeNull();
      expect(replica.answered).toBe(1);
      // The renderer's first read as the host receives it: the query string of its HTTP request.
      const url = new URL(buildHttpRequest('runs.list', { ...FIRST_RUNS_PAGE }).url, 'http://h');
      const list = JSON.parse(await text(replica.invokeJson('runs.list', Object.fromEntries(url.searchParams)))) as { runs: Array<{ id: string }> };
      expect(list.runs.map((r) => r.id)).toEqual([runId]);
      expect(replica.answeredFromCache).toBe(1);
    } finally {
      await replica.close();
    }
  });

  it('nothing to warm when reads are served on the engine thread; a failing read does not fail the start', async () => {
    expect(await warmReads({})).toBeNull();
    expect(await warmReads({ invokeJson: () => null })).toBeNull();
    expect(await warmReads({ invokeJson: () => Promise.reject(new Error('database is locked')) })).toBeNull();
    // A read that never answers is given up on (the cap), so the host still listens.
    expect(await warmReads({ invokeJson: () => new Promise<string>(() => {}) }, 50)).toBeNull();
  });

  it('queries every time when its cache is turned off', async () => {
    const replica = new ReadReplica({ file: dbFile, cache: false });
    try {
      const a = await text(replica.invokeJson('runs.list', { limit: 5 }));
      const b = await text(replica.invokeJson('runs.list', { limit: 5 }));
      expect(b).toBe(a);
      expect(replica.answered).toBe(2);
      expect(replica.answeredFromCache).toBe(0);
    } finally {
      await replica.close();
    }
  });
});
