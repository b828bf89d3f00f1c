// Cancelling a run of 100,000 tasks (one running, the rest pending) through the engine on a real SQLite file
// and the real local backend. Issue target: < 2 s (the old engine took 81 s for 20,000: one transaction and a
// full re-read per task).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startEngine } from '../src-main/engine/start';
import { statusCountsOf } from '../src-main/store/queries/status-counts';
import { writeBenchResult } from './lib/report';

const N = Number(process.env.SCRIPTHUT_BENCH_CANCEL_N ?? 100_000);
const round = (x: number) => Math.round(x * 1000) / 1000;

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'scripthut-bench-cancel-'));
const configPath = path.join(dir, 'scripthut.yaml');
fs.writeFileSync(configPath, 'backends:\n  - {name: local, type: local, max_concurrent: 1}\n');
const eng = await startEngine({ dataDir: path.join(dir, 'data'), configPath, version: 'bench' });
try {
  const tasks = Array.from({ length: N }, (_, i) => ({ id: `t${i}`, name: `t${i}`, command: 'sleep 600', working_dir: dir }));
  const c0 = performance.now();
  const createCpu0 = process.cpuUsage();
  const run = await eng.api.invoke('runs.createFromWorkflow', { document: { title: 'bench', tasks }, workflow_name: 'bench' });
  const createS = (performance.now() - c0) / 1000;
  const createCpu = process.cpuUsage(createCpu0);
  await eng.engine.idle();
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  const res = await eng.api.invoke('runs.cancel', { id: run.id });
  const cancelS = (performance.now() - t0) / 1000;
  // CPU time of this process during the cancel: on a shared, overloaded machine the wall time mostly measures
  // the other tenants.
  const cpu = process.cpuUsage(cpu0);
  const cancelCpuS = (cpu.user + cpu.system) / 1e6;
  const counts = statusCountsOf(eng.store.db, run.id);
  if (!res.cancelled || (counts.cancelled ?? 0) !== N) throw new Error(`expected ${N} cancelled tasks, got ${JSON.stringify(counts)}`);
  writeBenchResult(
    'cancel',
    [
      { name: `cancel a run of ${N} tasks`, value: round(cancelS), unit: 's', target: '< 2', met: cancelS < 2 },
      { name: `cancel a run of ${N} tasks, CPU time`, value: round(cancelCpuS), unit: 's', note: 'user + system of the engine process' },
      { name: `create a run of ${N} tasks`, value: round(createS), unit: 's' },
      { name: `create a run of ${N} tasks, CPU time`, value: round((createCpu.user + createCpu.system) / 1e6), unit: 's', note: 'user + system of the engine process' },
    ],
    { tasks: N, cpus: os.cpus().length, loadavg: os.loadavg() },
  );
} finally {
  await eng.close();
  fs.rmSync(dir, { recursive: true, force: true });
}
