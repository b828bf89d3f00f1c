// Task outputs on the real local backend: real jobs write into $SCRIPTHUT_OUTPUT_DIR / $SCRIPTHUT_TASK_SUMMARY /
// $SCRIPTHUT_RUN_SUMMARY, the engine collects them when the tasks finish, serves them back (contract + host
// route), refuses paths outside the folder, assembles the run summary in task order, and deleting the run
// removes the files from the data folder.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiError } from '../../src-shared/api/contract';
import { startHost, type Host } from '../../src-main/host/server';
import { keptOutputDir, outputsRoot } from '../../src-main/outputs/collector';
import { startRun, startTestEngine, task, waitFor, waitRunDone, type EngineHarness } from '../helpers/engine-harness';

// A 1x1 PNG: binary bytes (NUL, high bytes) must survive the round trip.
const PNG_B64 = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==';

let h: EngineHarness;
let host: Host;
let runId: string;

async function rejection(p: Promise<unknown>): Promise<ApiError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ApiError);
  return err as ApiError;
}

beforeAll(async () => {
  h = await startTestEngine();
  host = await startHost({ api: h.eng.api, port: 0, rendererDir: null, version: 'test', outputs: h.eng.engine.outputs });
  const run = await startRun(h, [
    task(
      'plot',
      [
        'mkdir -p "$SCRIPTHUT_OUTPUT_DIR/img"',
        `echo '${PNG_B64}' | base64 -d > "$SCRIPTHUT_OUTPUT_DIR/img/p.png"`,
        'printf "# Plot\\n\\n![loss](img/p.png)\\n" > "$SCRIPTHUT_TASK_SUMMARY"',
        'printf "epoch,loss\\n1,0.5\\n2,0.25\\n" > "$SCRIPTHUT_OUTPUT_DIR/metrics.csv"',
        'head -c 6000000 /dev/zero > "$SCRIPTHUT_OUTPUT_DIR/big.bin"',
        'echo "- **plot**: loss 0.25" > "$SCRIPTHUT_RUN_SUMMARY"',
      ].join('\n'),
    ),
    task('quiet', 'echo nothing to show', { deps: ['plot'] }),
    task('odd:id+x', 'echo "- second fragment" > "$SCRIPTHUT_RUN_SUMMARY"; echo hi > "$SCRIPTHUT_OUTPUT_DIR/note.txt"', { deps: ['quiet'] }),
  ]);
  runId = run.id;
  const done = await waitRunDone(h, runId);
  expect(done.status).toBe('completed');
  await waitFor(async () => ((await h.eng.api.invoke('outputs.list', { run_id: runId })).collections.length === 3 ? true : null), 'three collections');
}, 60_000);

afterAll(async () => {
  await host?.close();
  await h?.close();
});

describe('outputs of a finished run on the local backend', () => {
  it('lists every file with size and kind, task-summary.md first, and says what was skipped', async () => {
    const res = await h.eng.api.invoke('outputs.list', { run_id: runId, task_id: 'plot' });
    expect(res.outputs.map((o) => [o.path, o.kind, o.size])).toEqual([
      ['task-summary.md', 'markdown', 27],
      ['big.bin', 'other', 6000000],
      ['img/p.png', 'image', Buffer.from(PNG_B64, 'base64').length],
      ['metrics.csv', 'csv', 24],
    ]);
    expect(res.outputs.find((o) => o.path === 'big.bin')?.skipped).toMatch(/larger than 5\.0 MiB/);
    expect(res.collections[0]?.notes.join('\n')).toMatch(/1 file larger than 5\.0 MiB not fetched: big\.bin/);
    expect(res.collections[0]?.has_run_summary).toBe(true);
    // The run-summary fragment is not an output of its own.
    const all = await h.eng.api.invoke('outputs.list', { run_id: runId });
    expect(all.outputs.map((o) => `${o.task_id}:${o.path}`)).toEqual(['plot:task-summary.md', 'plot:big.bin', 'plot:img/p.png', 'plot:metrics.csv', 'odd:id+x:note.txt']);
    expect(all.collections.find((c) => c.task_id === 'quiet')).toMatchObject({ has_run_summary: false, notes: [], error: null });
  });

  it('lists the outputs variables in the task env view with where they came from', async () => {
    const env = await h.eng.api.invoke('tasks.env', { run_id: runId, task_id: 'plot' });
    const byName = new Map(env.vars.map((v) => [v.name, v]));
    const dir = byName.get('SCRIPTHUT_OUTPUT_DIR');
    expect(dir?.ops[0]?.source).toBe('outputs');
    // The folder the task really wrote into: its summary is there.
    expect(fs.readFileSync(path.join(dir?.value as string, 'task-summary.md'), 'utf8')).toMatch(/^# Plot/);
    expect(byName.get('SCRIPTHUT_TASK_SUMMARY')?.value).toBe(`${dir?.value}/task-summary.md`);
    expect(byName.get('SCRIPTHUT_RUN_SUMMARY')?.value).toBe(`${dir?.value}/.run-summary.md`);
  });

  it('serves the bytes through the contract and the authenticated host route', async () => {
    const f = await h.eng.api.invoke('outputs.file', { run_id: runId, task_id: 'plot', path: 'img/p.png' });
    expect(f.mime).toBe('image/png');
    expect(Buffer.from(f.content_base64, 'base64').equals(Buffer.from(PNG_B64, 'base64'))).toBe(true);
    const url = `http://127.0.0.1:${host.port}/api/v1/runs/${encodeURIComponent(runId)}/tasks/${encodeURIComponent('odd:id+x')}/outputs/raw?path=note.txt`;
    const res = await fetch(url, { headers: { authorization: `Bearer ${host.token}` } });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('hi\n');
    expect(res.headers.get('content-disposition')).toContain('attachment');
    expect((await fetch(url)).status).toBe(401);
    const big = await fetch(url.replace(encodeURIComponent('odd:id+x'), 'plot').replace('note.txt', 'big.bin'), { headers: { authorization: `Bearer ${host.token}` } });
    expect(big.status).toBe(422);
    expect(((await big.json()) as { message: string }).message).toMatch(/larger than 5\.0 MiB/);
  });

  it('refuses paths outside the task output folder with a clear error', async () => {
    fs.writeFileSync(path.join(h.dataDir, 'outside.txt'), 'secret');
    for (const [p, why] of [
      ['../outside.txt', /leaves the task's output folder/],
      ['img/../../quiet/x', /leaves the task's output folder/],
      ['/etc/passwd', /is absolute/],
      ['a\u0000b', /NUL/],
      ['', /empty/],
    ] as const) {
      const err = await rejection(h.eng.api.invoke('outputs.file', { run_id: runId, task_id: 'plot', path: p }));
      expect(err.code, p).toBe('bad_input');
      expect(err.message, p).toMatch(why);
    }
    const res = await fetch(`http://127.0.0.1:${host.port}/api/v1/runs/${runId}/tasks/plot/outputs/raw?path=${encodeURIComponent('../../../outside.txt')}`, { headers: { authorization: `Bearer ${host.token}` } });
    expect(res.status).toBe(422);
    expect(await res.text()).not.toContain('secret');
    const missing = await rejection(h.eng.api.invoke('outputs.file', { run_id: runId, task_id: 'plot', path: 'nope.txt' }));
    expect(missing.code).toBe('not_found');
  });

  it('concatenates the run-summary fragments in task order under task headings', async () => {
    const s = await h.eng.api.invoke('outputs.summary', { run_id: runId });
    expect(s.sections.map((x) => x.task_id)).toEqual(['plot', 'odd:id+x']);
    expect(s.markdown).toBe('## Task plot\n\n- **plot**: loss 0.25\n\n## Task odd:id+x\n\n- second fragment\n');
  });

  it('deleting the run removes its outputs from the data folder', async () => {
    const kept = keptOutputDir(h.dataDir, runId, 'plot');
    expect(fs.existsSync(path.join(kept, 'img', 'p.png'))).toBe(true);
    await h.eng.api.invoke('runs.delete', { id: runId });
    await waitFor(() => (!fs.existsSync(outputsRoot(h.dataDir, runId)) ? true : null), 'outputs folder removed');
    const rows = h.eng.store.db.prepare('SELECT COUNT(*) AS n FROM task_outputs WHERE run_id = ?').get(runId) as { n: number };
    expect(rows.n).toBe(0);
  });
});

describe('outputs of a cancelled task on the local backend', () => {
  it('are collected: what it wrote before the cancel is listed; a task cancelled before submission gets no collection', async () => {
    const run = await startRun(h, [
      task('slow', 'echo "# Half way" > "$SCRIPTHUT_TASK_SUMMARY"; echo 1,2 > "$SCRIPTHUT_OUTPUT_DIR/partial.csv"; touch "$SCRIPTHUT_OUTPUT_DIR/started"; sleep 120'),
      task('after', 'echo never', { deps: ['slow'] }),
    ]);
    const kept = keptOutputDir(h.dataDir, run.id, 'slow');
    await waitFor(() => (fs.existsSync(path.join(kept, 'started')) ? true : null), 'the slow task to write its files');
    await h.eng.api.invoke('runs.cancel', { id: run.id });
    expect((await waitRunDone(h, run.id)).status).toBe('cancelled');
    const res = await waitFor(async () => {
      const r = await h.eng.api.invoke('outputs.list', { run_id: run.id });
      return r.collections.length ? r : null;
    }, 'the collection of the cancelled task');
    expect(res.collections.map((c) => [c.task_id, c.error])).toEqual([['slow', null]]);
    expect(res.outputs.map((o) => [o.path, o.kind, o.stored])).toEqual([
      ['task-summary.md', 'markdown', true],
      ['partial.csv', 'csv', true],
      ['started', 'other', true],
    ]);
    expect((await h.eng.api.invoke('tasks.summary', { run_id: run.id, task_id: 'slow' })).markdown).toBe('# Half way\n');
  });
});
