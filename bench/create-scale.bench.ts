// Creating runs while thousands are active: 10,000 runs × 100 tasks on a backend that submits nothing more
// (its one slot is held by a long job), the way runs pile up behind an unreachable cluster. A cycle must cost
// what changed, not every task of every active run. Issue target: time(last 100 creations) /
// time(first 100) <= 1.5.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startEngine } from '../src-main/engine/start';
import { machineLoad, writeBenchResult } from './lib/report';

const RUNS = Number(process.env.SCRIPTHUT_BENCH_CREATE_RUNS ?? 10_000);
const TASKS = 100;
const WINDOW = 100;
const round = (x: number) => Math.round(x * 1000) / 1000;

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'scripthut-bench-create-'));
const configPath = path.join(dir, 'scripthut.yaml');
fs.writeFileSync(configPath, 'backends:\n  - {name: local, type: local, max_concurrent: 1}\n');
const eng = await startEngine({ dataDir: path.join(dir, 'data'), configPath, version: 'bench' });
try {
  const document = { title: 'bench', tasks: Array.from({ length: TASKS }, (_, i) => ({ id: `t${i}`, name: `t${i}`, command: 'sleep 600', working_dir: dir })) };
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now();
    await eng.api.invoke('runs.createFromWorkflow', { document, workflow_name: 'bench' });
    // The loop the creation woke runs before the next creation, as it would between two user actions.
    await eng.engine.idle();
    times.push(performance.now() - t0);
  }
  const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / 1000;
  const first = sum(times.slice(0, WINDOW));
  const last = sum(times.slice(-WINDOW));
  const ratio = last / first;
  writeBenchResult(
    'create-scale',
    [
      { name: `first ${WINDOW} creations`, value: round(first), unit: 's' },
      { name: `last ${WINDOW} creations (${RUNS} runs × ${TASKS} tasks active)`, value: round(last), unit: 's' },
      { name: 'last / first', value: round(ratio), unit: 'ratio', target: '<= 1.5', met: ratio <= 1.5 },
    ],
    { runs: RUNS, tasks_per_run: TASKS, ...machineLoad() },
  );
} finally {
  // Only the oldest run holds a job (the backend's one slot); cancelling it stops its process.
  for (const r of eng.store.activeRuns()) if (eng.store.inFlightTasks('local').some((t) => t.run_id === r.id)) await eng.api.invoke('runs.cancel', { id: r.id }).catch(() => undefined);
  await eng.close();
  fs.rmSync(dir, { recursive: true, force: true });
}
