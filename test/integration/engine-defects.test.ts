// Engine defects of issue 7 (section 3), each reproduced against the real engine and the real local backend.
// Where a race has to be forced, the local backend is wrapped so its poll waits at a gate the test opens: the
// jobs, files, signals and SQLite file stay real.
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Backend } from '../../src-main/backends/types';
import { LocalBackend } from '../../src-main/backends/local/local-backend';
import { item, startRun, startTestEngine, task, waitFor, waitRunDone, type EngineHarness } from '../helpers/engine-harness';

let h: EngineHarness | null = null;
afterEach(async () => {
  vi.restoreAllMocks();
  await h?.close();
  h = null;
});

/** Replace the harness's local backend by a wrapper that changes some of its methods (the rest is the real one). */
function wrapBackend(e: EngineHarness, over: (real: LocalBackend) => Partial<Backend>): LocalBackend {
  const real = e.eng.backends.get('local') as LocalBackend;
  const extra = over(real);
  const wrapped = new Proxy(real, {
    get(target, prop, receiver) {
      if (prop in extra) return (extra as Record<string | symbol, unknown>)[prop];
      const v = Reflect.get(target, prop, receiver) as unknown;
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
  e.eng.backends.set('local', wrapped);
  return real;
}

describe('a cycle never writes a stale snapshot over a cancel', () => {
  it('a task cancelled while the cycle waited on the backend stays cancelled', async () => {
    const e = (h = await startTestEngine({ pollMs: 100 }));
    let gate: Promise<void> | null = null;
    let open = () => {};
    let waiting = false;
    const real = wrapBackend(e, (b) => ({
      poll: async (ids: string[]) => {
        if (gate) {
          waiting = true;
          await gate;
        }
        return b.poll(ids);
      },
    }));
    const run = await startRun(e, [task('t', 'sleep 1; echo done')]);
    const running = await waitFor(async () => {
      const r = await e.eng.api.invoke('runs.get', { id: run.id });
      return item(r, 't').status === 'running' ? item(r, 't') : null;
    }, 'the task to run');
    // Hold the next cycle before it looks at the queue, let the job finish, then cancel the task.
    gate = new Promise<void>((r) => (open = r));
    await waitFor(() => waiting, 'a cycle to wait at the gate');
    await waitFor(() => fs.existsSync(path.join(real.jobDir(running.job_id as string), 'rc')), 'the job to finish');
    const res = await e.eng.api.invoke('runs.cancel', { id: run.id, task: 't' });
    expect(res.cancelled).toBe(true);
    gate = null;
    open();
    await e.eng.engine.idle();
    e.eng.engine.wake('local');
    await e.eng.engine.idle();
    const done = await waitRunDone(e, run.id);
    expect(item(done, 't').status).toBe('cancelled');
    const { transitions } = await e.eng.api.invoke('tasks.transitions', { run_id: run.id, task_id: 't' });
    // Nothing after the cancel: no running → settling → completed written from the cycle's old snapshot.
    expect(transitions.at(-1)?.to_status).toBe('cancelled');
  });
});

describe('cancelling a finished run', () => {
  it('is a no-op that says so: the outcome and the stored row stay as they were', async () => {
    const e = (h = await startTestEngine());
    const run = await startRun(e, [task('bad', 'exit 4'), task('ok', 'true')]);
    const before = await waitRunDone(e, run.id);
    expect(before.status).toBe('failed');
    const res = await e.eng.api.invoke('runs.cancel', { id: run.id });
    expect(res).toMatchObject({ run_id: run.id, cancelled: false });
    expect(res.message).toMatch(/already finished \(failed\)/);
    const after = await e.eng.api.invoke('runs.get', { id: run.id });
    expect(after.status).toBe('failed');
    expect(after.finished_at).toBe(before.finished_at);
    expect(e.eng.store.getRun(run.id)?.cancel_requested).toBe(0);
    const one = await e.eng.api.invoke('runs.cancel', { id: run.id, task: 'ok' });
    expect(one.cancelled).toBe(false);
    expect(item(await e.eng.api.invoke('runs.get', { id: run.id }), 'ok').status).toBe('completed');
  });
});

describe('deleting a run', () => {
  it('removes its logs, outputs and job folders from the data folder', async () => {
    const e = (h = await startTestEngine());
    const run = await startRun(e, [task('w', 'echo hello; mkdir -p "$SCRIPTHUT_OUTPUT_DIR" 2>/dev/null; echo x > "${SCRIPTHUT_OUTPUT_DIR:-/dev/null}"')]);
    const done = await waitRunDone(e, run.id);
    const local = e.eng.backends.get('local') as LocalBackend;
    const spool = local.jobDir(item(done, 'w').job_id as string);
    const logs = path.join(e.dataDir, 'logs', run.id);
    const outputs = path.join(e.dataDir, 'outputs', run.id);
    fs.mkdirSync(outputs, { recursive: true }); // whether or not the task wrote any, the folder must go
    expect(fs.existsSync(spool)).toBe(true);
    expect(fs.existsSync(logs)).toBe(true);
    const res = await e.eng.api.invoke('runs.delete', { id: run.id });
    expect(res.deleted).toBe(true);
    await waitFor(() => !fs.existsSync(spool) && !fs.existsSync(logs) && !fs.existsSync(outputs), 'the run folders to be removed');
  });
});

describe('an unreachable backend', () => {
  it('logs its poll failure once per state, not once per cycle, and its recovery once', async () => {
    const e = (h = await startTestEngine());
    const lines: string[] = [];
    vi.spyOn(console, 'error').mockImplementation((...args: unknown[]) => void lines.push(args.map(String).join(' ')));
    let down = true;
    let attempt = 0;
    wrapBackend(e, (b) => ({
      capabilities: { sharedQueue: true, submitConcurrency: 1 },
      poll: async (ids: string[]) => {
        attempt++;
        if (down) throw new Error(`connect ECONNREFUSED 127.0.0.1:22 (retry ${attempt} in ${attempt * 5}s)`);
        return b.poll(ids);
      },
    }));
    for (let i = 0; i < 5; i++) {
      e.eng.engine.wake('local');
      await e.eng.engine.idle();
    }
    expect(attempt).toBeGreaterThanOrEqual(3);
    expect(lines.filter((l) => l.includes('ECONNREFUSED'))).toHaveLength(1);
    down = false;
    e.eng.engine.wake('local');
    await e.eng.engine.idle();
    e.eng.engine.wake('local');
    await e.eng.engine.idle();
    expect(lines.filter((l) => l.includes('works again'))).toHaveLength(1);
  });
});

describe('the limit on tasks per run', () => {
  it('refuses a 1,000,000-task workflow up front with a clear error', async () => {
    const e = (h = await startTestEngine());
    const tasks = Array.from({ length: 1_000_000 }, (_, i) => ({ id: `t${i}`, command: 'true' }));
    const err = await e.eng.api.invoke('runs.createFromWorkflow', { document: { title: 'huge', tasks }, workflow_name: 'huge' }).catch((x: Error) => x);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toMatch(/1,000,000 tasks; a run may have at most 100,000 \(settings\.max_tasks_per_run\)/);
    expect((await e.eng.api.invoke('runs.list', {})).runs).toHaveLength(0);
  });
});
