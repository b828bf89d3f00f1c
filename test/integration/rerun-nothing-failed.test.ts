// `run rerun --failed` on a run where nothing failed, through the real CLI process and the real engine (`scripthut
// serve`, local jobs): a clear message and exit 2 (a request the run's state does not allow), the same as a JSON
// error under --json, and a 409 with that message from the HTTP API, never a 500. A run with a failure still reruns.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, cliJson, ensureCliBuilt, makeSandbox, serve, stopAll, stopServe, type CliSandbox, type ServeProcess } from '../helpers/cli';

let sb: CliSandbox;
let server: ServeProcess;

beforeAll(async () => {
  ensureCliBuilt();
  sb = makeSandbox();
  sb.writeConfig('backends:\n  - {name: local, type: local, max_concurrent: 2}\nsettings:\n  local_poll_interval_ms: 100\n');
  server = await serve(sb);
}, 180_000);

afterAll(async () => {
  if (server) await stopServe(server).catch(() => undefined);
  stopAll();
  if (sb) fs.rmSync(sb.root, { recursive: true, force: true });
});

async function finishedRun(name: string, commands: Record<string, string>): Promise<string> {
  const file = path.join(sb.root, `${name}.json`);
  fs.writeFileSync(file, JSON.stringify({ title: name, tasks: Object.entries(commands).map(([id, command]) => ({ id, command, working_dir: sb.root })) }));
  const started = await cliJson<{ id: string }>(sb, ['workflow', 'run', file, '--backend', 'local']);
  expect(started.code, started.stderr).toBe(0);
  const watched = await cli(sb, ['run', 'watch', started.body.id, '--interval', '1'], 120_000);
  expect(watched.code, watched.stderr).toBe(0);
  return started.body.id;
}

async function api(method: string, p: string, body?: unknown): Promise<{ status: number; body: unknown }> {
  const { token } = JSON.parse(fs.readFileSync(path.join(sb.dataDir, 'engine.json'), 'utf8')) as { token: string };
  const res = await fetch(`${new URL(server.url).origin}/api/v1${p}`, { method, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
  return { status: res.status, body: await res.json() };
}

describe('run rerun --failed with nothing failed', () => {
  it('says so and exits 2 (text and --json); the HTTP API answers 409 with the message; the run is left as it was', async () => {
    const id = await finishedRun('all-good', { a: 'true', b: 'true' });
    expect((await cliJson<{ status: string }>(sb, ['run', 'view', id])).body.status).toBe('completed');

    const text = await cli(sb, ['run', 'rerun', id, '--failed']);
    expect(text.code).toBe(2);
    expect(text.stdout).toBe('');
    expect(text.stderr).toBe(`scripthut: Run '${id}' has no failed task to rerun (cancelled tasks run again only with a full rerun, without --failed).\n`);

    const json = await cliJson<{ error: { code: string; message: string } }>(sb, ['run', 'rerun', id, '--failed']);
    expect(json.code).toBe(2);
    expect(json.body.error).toMatchObject({ code: 'conflict', message: expect.stringContaining('has no failed task to rerun') });

    const http = await api('POST', `/runs/${id}/rerun`, { failed_only: true });
    expect(http.status).toBe(409);
    expect(http.body).toMatchObject({ code: 'conflict', message: json.body.error.message });

    // Nothing was changed: same attempt, still completed.
    const after = await cliJson<{ status: string; attempt: number }>(sb, ['run', 'view', id]);
    expect(after.body).toMatchObject({ status: 'completed', attempt: 1 });
  }, 180_000);

  it('a run with a failed task still reruns it with --failed (exit 0)', async () => {
    const id = await finishedRun('one-bad', { ok: 'true', bad: 'exit 3' });
    const r = await cliJson<{ id: string; attempt: number }>(sb, ['run', 'rerun', id, '--failed']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.body).toMatchObject({ id, attempt: 2 });
  }, 180_000);
});
