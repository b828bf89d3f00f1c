// An in-process engine on a fresh temp data folder with a fast local backend, plus the waiting and event
// recording the engine acceptance tests share.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { EngineEvent } from '../../src-shared/api/contract';
import type { RunDetail, TaskView } from '../../src-shared/api/schemas';
import { isTerminalRun } from '../../src-shared/model/status';
import { startEngine, type RunningEngine } from '../../src-main/engine/start';

export interface EngineHarness {
  root: string;
  dataDir: string;
  /** Scratch folder the test's tasks work in (their working_dir). */
  work: string;
  eng: RunningEngine;
  events: EngineEvent[];
  close(): Promise<void>;
}

export interface HarnessOptions {
  maxConcurrent?: number;
  pollMs?: number;
}

export async function startTestEngine(opts: HarnessOptions = {}): Promise<EngineHarness> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'scripthut-engine-'));
  const dataDir = path.join(root, 'data');
  const work = path.join(root, 'work');
  fs.mkdirSync(work, { recursive: true });
  const configPath = path.join(root, 'scripthut.yaml');
  fs.writeFileSync(
    configPath,
    [
      'backends:',
      `  - {name: local, type: local, max_concurrent: ${opts.maxConcurrent ?? 4}}`,
      'settings:',
      `  local_poll_interval_ms: ${opts.pollMs ?? 100}`,
      '',
    ].join('\n'),
  );
  const eng = await startEngine({ dataDir, configPath, version: 'test' });
  const events: EngineEvent[] = [];
  eng.engine.subscribe((e) => events.push(e));
  return {
    root,
    dataDir,
    work,
    eng,
    events,
    close: async () => {
      // Jobs are detached by design; cancel what is still active so no test leaves processes behind.
      try {
        const { runs } = await eng.api.invoke('runs.list', { limit: 1000 });
        for (const r of runs.filter((x) => !isTerminalRun(x.status))) await eng.api.invoke('runs.cancel', { id: r.id }).catch(() => undefined);
      } catch {
        /* the engine may already be closed */
      }
      await eng.close();
      // A cancelled job may still be writing its exit file while the folder is removed (ENOTEMPTY): retry.
      fs.rmSync(root, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 });
    },
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Poll `fn` until it returns a truthy value; fail with `what` after `timeoutMs`. */
export async function waitFor<T>(fn: () => T | Promise<T>, what: string, timeoutMs = 30_000): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v as NonNullable<T>;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? ` (last error: ${(last as Error).message})` : ''}`);
    await sleep(50);
  }
}

export async function waitRunDone(h: EngineHarness, id: string, timeoutMs = 30_000): Promise<RunDetail> {
  let last: RunDetail | null = null;
  try {
    return await waitFor(async () => {
      last = await h.eng.api.invoke('runs.get', { id });
      return isTerminalRun(last.status) ? last : null;
    }, `run ${id} to finish`, timeoutMs);
  } catch (err) {
    const r = last as RunDetail | null;
    const tasks = r ? r.items.map((t) => `${t.id}=${t.status}${t.job_id ? ` (job ${t.job_id})` : ''}${t.error ? `: ${t.error}` : ''}`).join(', ') : '?';
    throw new Error(`${(err as Error).message}; run status ${r?.status ?? '?'}, tasks: ${tasks}`);
  }
}

export function item(run: RunDetail, id: string): TaskView {
  const t = run.items.find((x) => x.id === id);
  if (!t) throw new Error(`run ${run.id} has no task '${id}' (tasks: ${run.items.map((x) => x.id).join(', ')})`);
  return t;
}

/** A raw workflow task (as a user writes it), working in `work`. */
export function task(id: string, command: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { id, name: `Task ${id}`, command, memory: '100M', time_limit: '0:05:00', ...extra };
}

/** Start a run of `tasks` on the harness backend; every task works in the harness scratch folder. */
export async function startRun(h: EngineHarness, tasks: Array<Record<string, unknown>>, extra: { env?: unknown; max_concurrent?: number; name?: string } = {}) {
  const document = { title: extra.name ?? 'test', env: extra.env ?? [], tasks: tasks.map((t) => ({ working_dir: h.work, ...t })) };
  return h.eng.api.invoke('runs.createFromWorkflow', { document, workflow_name: extra.name ?? 'test', max_concurrent: extra.max_concurrent });
}

/** Whether a process exists (zombies of killed jobs are reaped by init quickly; callers wait for false). */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
  try {
    // A zombie has exited; it only waits to be reaped.
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return true;
  }
}
