// Folders the local backend wrote ahead (see engine-local-staging.test.ts) belong to the engine that wrote them.
// One killed with kill -9 cannot remove them; the next engine of the data folder must, without touching jobs.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { metaFromSupervisor } from '../../src-main/backends/local/spool';
import { cli, cliJson, ensureCliBuilt, makeSandbox, serve, stopAll, stopServe, type CliSandbox, type ServeProcess } from '../helpers/cli';

const sandboxes: CliSandbox[] = [];
const serving: ServeProcess[] = [];

beforeAll(() => ensureCliBuilt(), 180_000);
afterAll(async () => {
  for (const s of serving) await stopServe(s).catch(() => undefined);
  stopAll();
  for (const sb of sandboxes) fs.rmSync(sb.root, { recursive: true, force: true });
});

async function start(sb: CliSandbox): Promise<ServeProcess> {
  const s = await serve(sb);
  serving.push(s);
  return s;
}

/** Spool folders by kind: jobs (the supervisor has its facts line) and folders written ahead (it has not). */
function spool(sb: CliSandbox): { jobs: string[]; ahead: string[] } {
  const root = path.join(sb.dataDir, 'local-jobs', 'local');
  const out = { jobs: [] as string[], ahead: [] as string[] };
  if (!fs.existsSync(root)) return out;
  for (const name of fs.readdirSync(root)) {
    const sup = path.join(root, name, 'supervise.sh');
    if (!fs.existsSync(sup)) continue;
    (metaFromSupervisor(fs.readFileSync(sup, 'utf8')) ? out.jobs : out.ahead).push(name);
  }
  return out;
}

async function waitFor<T>(fn: () => T | null | Promise<T | null>, what: string, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== null) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

interface RunView {
  status: string;
  items: Array<{ id: string; status: string; job_id: string | null }>;
}

describe('folders written ahead by an engine killed with kill -9', () => {
  it('the next engine removes them; the job that was running is adopted and its folder kept', { timeout: 120_000 }, async () => {
    const sb = makeSandbox();
    sandboxes.push(sb);
    // Two slots: while b0 and b1 hold them, b2 and b3 are written ahead.
    sb.writeConfig('backends:\n  - {name: local, type: local, max_concurrent: 2}\nsettings:\n  local_poll_interval_ms: 100\n');
    let engine = await start(sb);
    const gate = path.join(sb.root, 'gate');
    const wf = path.join(sb.root, 'wf.json');
    const tasks = ['b0', 'b1', 'b2', 'b3', 'b4'].map((id) => ({ id, name: id, command: id === 'b0' || id === 'b1' ? `while [ ! -e ${gate} ]; do sleep 0.05; done` : `echo ${id}`, working_dir: sb.root }));
    fs.writeFileSync(wf, JSON.stringify({ title: 'ahead', tasks }));
    const created = await cliJson<{ id: string }>(sb, ['workflow', 'run', wf]);
    expect(created.code, created.stderr).toBe(0);
    const id = created.body.id;
    const ahead = await waitFor(() => {
      const s = spool(sb);
      return s.jobs.length === 2 && s.ahead.length === 2 ? s.ahead.sort() : null;
    }, 'b2 and b3 written ahead while b0 and b1 hold the slots');
    const running = spool(sb).jobs.sort();
    await stopServe(engine, 'SIGKILL');
    expect(spool(sb).ahead.sort()).toEqual(ahead);

    // One slot now: the new engine writes ahead one task only (b2, whose folder it takes over). b3 is never written
    // ahead or submitted again (the run is cancelled below), so only a sweep can remove its old folder.
    sb.writeConfig('backends:\n  - {name: local, type: local, max_concurrent: 1}\nsettings:\n  local_poll_interval_ms: 100\n');
    engine = await start(sb);
    const adopted = await waitFor(async () => {
      const r = await cliJson<RunView>(sb, ['run', 'view', id]);
      const held = r.body.items.filter((t) => t.status === 'running');
      return held.length === 2 ? held : null;
    }, 'b0 and b1 adopted as running');
    expect(adopted.map((t) => t.job_id).sort()).toEqual(running);
    const cancelled = await cli(sb, ['run', 'cancel', id]);
    expect(cancelled.code, cancelled.stderr).toBe(0);
    const view = await waitFor(async () => {
      const r = await cliJson<RunView>(sb, ['run', 'view', id]);
      return r.body.status === 'cancelled' ? r.body : null;
    }, 'the run cancelled');
    expect(view.items.map((t) => [t.id, t.status])).toEqual([
      ['b0', 'cancelled'],
      ['b1', 'cancelled'],
      ['b2', 'cancelled'],
      ['b3', 'cancelled'],
      ['b4', 'cancelled'],
    ]);
    await waitFor(() => (spool(sb).ahead.length === 0 ? true : null), 'the folder written ahead by the killed engine removed', 10_000);
    // The real jobs' folders stay, with their ends recorded.
    expect(spool(sb).jobs.sort()).toEqual(running);
    for (const job of running) expect(fs.existsSync(path.join(sb.dataDir, 'local-jobs', 'local', job, 'rc'))).toBe(true);
    await stopServe(engine);
  });
});
