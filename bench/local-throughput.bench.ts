// Local throughput: N `echo` tasks through the whole app (engine → SQLite → local supervisors, max_concurrent 2)
// versus `xargs -P 2` running the same commands with bash. Issue target: app ≥ 0.5 × xargs.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startEngine } from '../src-main/engine/start';
import { isTerminalRun } from '../src-shared/model/status';
import { LATENCY_STAGES, latencyProbe, type StageFigures } from '../src-main/logging/latency-probe';
import { writeBenchResult } from './lib/report';

const N = Number(process.env.SCRIPTHUT_BENCH_LOCAL_N ?? 2000);
const round = (x: number) => Math.round(x * 100) / 100;

function xargsBaseline(dir: string): number {
  const lines = Array.from({ length: N }, (_, i) => `echo task-${i}`).join('\n') + '\n';
  const input = path.join(dir, 'commands.txt');
  fs.writeFileSync(input, lines);
  const t0 = performance.now();
  const r = spawnSync('bash', ['-c', `xargs -P 2 -d '\\n' -n 1 bash -c < ${input} > /dev/null`], { stdio: ['ignore', 'ignore', 'inherit'] });
  if (r.status !== 0) throw new Error(`xargs baseline failed (exit ${r.status})`);
  return N / ((performance.now() - t0) / 1000);
}

/** The engine's own CPU time per task (main thread and thread pool), the part the job processes do not explain. */
let engineCpuMsPerTask = 0;
/** Done line → next job recorded, per step (the probe is on for the app run only). */
let stageFigures: StageFigures | null = null;

async function appThroughput(dir: string): Promise<number> {
  const dataDir = path.join(dir, 'data');
  const configPath = path.join(dir, 'scripthut.yaml');
  fs.writeFileSync(configPath, 'backends:\n  - {name: local, type: local, max_concurrent: 2}\n');
  const eng = await startEngine({ dataDir, configPath, version: 'bench' });
  try {
    const tasks = Array.from({ length: N }, (_, i) => ({ id: `t${i}`, name: `t${i}`, command: `echo task-${i}`, working_dir: dir }));
    latencyProbe.enable();
    const t0 = performance.now();
    const cpu0 = process.cpuUsage();
    // The end is learnt from the run's events (as a window does), not by polling runs.list: the engine's CPU
    // figure should be the loop's, not the bench's reads.
    let runId: string | null = null;
    let endedAs: string | null = null;
    let ended: () => void = () => {};
    const end = new Promise<void>((resolve) => (ended = resolve));
    const off = eng.engine.subscribe((e) => {
      if (e.event !== 'run.changed') return;
      const s = e.payload as { id: string; status: string };
      if (s.id === runId && isTerminalRun(s.status as never)) {
        endedAs = s.status;
        ended();
      }
    });
    const run = await eng.api.invoke('runs.createFromWorkflow', { document: { title: 'bench', tasks }, workflow_name: 'bench' });
    runId = run.id;
    // Finished before the id was known (never with this many tasks, but a bench must not hang on it).
    const now = (await eng.api.invoke('runs.list', { limit: 5 })).runs.find((r) => r.id === run.id);
    if (now && isTerminalRun(now.status)) endedAs = now.status;
    else await end;
    off();
    if (endedAs !== 'completed') throw new Error(`bench run ended ${endedAs}`);
    const cpu = process.cpuUsage(cpu0);
    const rate = N / ((performance.now() - t0) / 1000);
    engineCpuMsPerTask = (cpu.user + cpu.system) / 1000 / N;
    stageFigures = latencyProbe.report();
    return rate;
  } finally {
    latencyProbe.disable();
    await eng.close();
  }
}

/** The slot's idle gap step by step: median and p90 of each step, ms from the step before it. */
function stageRows(f: StageFigures | null) {
  if (!f) return [];
  const note = (k: string) => `p90 ${f.stages[k as (typeof LATENCY_STAGES)[number]].p90} ms; ${f.pairs} ended→started pairs`;
  return [
    ...LATENCY_STAGES.map((k) => ({ name: `gap step ${k} (median)`, value: f.stages[k].median, unit: 'ms', note: note(k) })),
    { name: 'gap done line → next job recorded (median)', value: f.total.median, unit: 'ms', note: `p90 ${f.total.p90} ms` },
  ];
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'scripthut-bench-local-'));
try {
  const loadBefore = os.loadavg();
  const xargs = xargsBaseline(dir);
  const app = await appThroughput(dir);
  const ratio = app / xargs;
  writeBenchResult(
    'local-throughput',
    [
      { name: 'app throughput', value: round(app), unit: 'tasks/s', note: `${N} echo tasks, max_concurrent 2` },
      { name: 'xargs -P 2 throughput', value: round(xargs), unit: 'tasks/s' },
      { name: 'app / xargs', value: round(ratio), unit: 'ratio', target: '>= 0.5', met: ratio >= 0.5 },
      { name: 'engine CPU per task', value: round(engineCpuMsPerTask), unit: 'ms', note: 'the engine process only; the job processes are on top' },
      ...stageRows(stageFigures),
    ],
    { tasks: N, cpus: os.cpus().length, loadavg_before: loadBefore, loadavg: os.loadavg() },
  );
} finally {
  fs.rmSync(dir, { recursive: true, force: true });
}
