// Cancel latency of one running local task, as a user meets it: from `runs.cancel` to (a) the job's process
// gone, (b) the task reading `cancelled` through the API, (c) the call returning. Idle, and with both cores kept
// busy by two shell loops (the "under load" case of the try-out). Also a script that ignores SIGTERM, which is
// killed after the backend's grace period (3 s) by design.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startEngine } from '../src-main/engine/start';
import { writeBenchResult, type BenchFigure } from './lib/report';

const K = Number(process.env.SCRIPTHUT_BENCH_CANCEL_LATENCY_K ?? 8);
const round = (x: number) => Math.round(x * 1000) / 1000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** Running (not a zombie waiting for init to reap it: its work has stopped, kill(pid, 0) still succeeds). */
const alive = (pid: number) => {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
};
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'scripthut-bench-cancel-latency-'));
const configPath = path.join(dir, 'scripthut.yaml');
fs.writeFileSync(configPath, 'backends:\n  - {name: local, type: local, max_concurrent: 4}\n');
const eng = await startEngine({ dataDir: path.join(dir, 'data'), configPath, version: 'bench' });

async function waitFor<T>(f: () => T | null | Promise<T | null>, what: string, ms = 30_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await f();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(5);
  }
}

async function once(i: number, ignoreTerm: boolean): Promise<{ gone: number; cancelled: number; returned: number }> {
  const pidFile = path.join(dir, `pid-${i}-${ignoreTerm}`);
  const command = `${ignoreTerm ? "trap '' TERM; " : ''}sleep 300 & echo $! > ${pidFile}; wait`;
  const run = await eng.api.invoke('runs.createFromWorkflow', { document: { title: 'cancel', tasks: [{ id: 't', name: 't', command, working_dir: dir }] }, workflow_name: 'cancel' });
  const pid = await waitFor(() => {
    const t = fs.existsSync(pidFile) ? fs.readFileSync(pidFile, 'utf8') : '';
    return t.endsWith('\n') ? Number(t.trim()) : null;
  }, 'the sleep pid');
  await waitFor(async () => (await eng.api.invoke('runs.get', { id: run.id })).items[0]?.status === 'running', 'running');
  const t0 = performance.now();
  let returned = 0;
  const call = eng.api.invoke('runs.cancel', { id: run.id }).then(() => (returned = performance.now() - t0));
  let gone = 0;
  let cancelled = 0;
  while (!gone || !cancelled) {
    if (!gone && !alive(pid)) gone = performance.now() - t0;
    if (!cancelled && (await eng.api.invoke('runs.get', { id: run.id })).items[0]?.status === 'cancelled') cancelled = performance.now() - t0;
    if (performance.now() - t0 > 30_000) throw new Error('cancel took over 30 s');
    await sleep(2);
  }
  await call;
  return { gone, cancelled, returned };
}

const hogs: ChildProcess[] = [];
const figures: BenchFigure[] = [];
try {
  for (const mode of ['idle', 'both cores busy'] as const) {
    if (mode !== 'idle') for (let i = 0; i < 2; i++) hogs.push(spawn('bash', ['-c', 'end=$((SECONDS+120)); while [ $SECONDS -lt $end ]; do :; done'], { stdio: 'ignore' }));
    const xs: Array<{ gone: number; cancelled: number; returned: number }> = [];
    for (let i = 0; i < K; i++) xs.push(await once(i + (mode === 'idle' ? 0 : 100), false));
    for (const key of ['gone', 'cancelled', 'returned'] as const) {
      const what = key === 'gone' ? 'process gone' : key === 'cancelled' ? 'task reads cancelled in the API' : 'runs.cancel returned';
      figures.push({ name: `cancel → ${what} (${mode}), median of ${K}`, value: round(median(xs.map((x) => x[key])) / 1000), unit: 's' });
      figures.push({ name: `cancel → ${what} (${mode}), max of ${K}`, value: round(Math.max(...xs.map((x) => x[key])) / 1000), unit: 's' });
    }
  }
  for (const h of hogs.splice(0)) if (h.pid) process.kill(h.pid, 'SIGTERM');
  const stubborn = await once(999, true);
  figures.push({ name: 'cancel → task cancelled, script ignoring SIGTERM (killed after the 3 s grace)', value: round(stubborn.cancelled / 1000), unit: 's' });
  writeBenchResult('cancel-latency', figures, { runs_per_mode: K, cpus: os.cpus().length, loadavg: os.loadavg() });
} finally {
  for (const h of hogs) if (h.pid) process.kill(h.pid, 'SIGTERM');
  await eng.close();
  fs.rmSync(dir, { recursive: true, force: true });
}
