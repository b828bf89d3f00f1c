// The loop's throughput while 50 readers use the real headless host: N echo tasks through the local backend
// (max_concurrent 2), once with nobody reading and once while 50 clients in another process call runs.list and
// runs.get (a page of 50 tasks of the run being executed) over HTTP, each pausing THINK_MS between calls like a
// UI refreshing. Issue target: loaded throughput >= 90 % of idle.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startEngine, type RunningEngine } from '../src-main/engine/start';
import { startHost } from '../src-main/host/server';
import { isTerminalRun } from '../src-shared/model/status';
import { writeBenchResult } from './lib/report';

const N = Number(process.env.SCRIPTHUT_BENCH_READERS_N ?? 400);
const READERS = Number(process.env.SCRIPTHUT_BENCH_READERS ?? 50);
const THINK_MS = Number(process.env.SCRIPTHUT_BENCH_READERS_THINK_MS ?? 1000);
const round = (x: number) => Math.round(x * 100) / 100;

// The readers live in their own process so their HTTP client work is not counted as the engine's.
const READER_SCRIPT = `
const [base, token, n, think] = process.argv.slice(1);
const headers = { authorization: 'Bearer ' + token };
let requests = 0, errors = 0, stop = false;
process.stdin.on('data', () => { stop = true; });
async function reader(i) {
  while (!stop) {
    try {
      const list = await (await fetch(base + '/api/v1/runs?limit=20', { headers })).json();
      requests++;
      const id = list.runs?.[0]?.id;
      if (id) {
        const r = await fetch(base + '/api/v1/runs/' + encodeURIComponent(id) + '?limit=50&offset=' + (i * 7) % 300, { headers });
        if (!r.ok) errors++;
        await r.arrayBuffer();
        requests++;
      }
    } catch { errors++; }
    await new Promise((r) => setTimeout(r, Number(think)));
  }
}
const t0 = Date.now();
console.log('ready');
Promise.all(Array.from({ length: Number(n) }, (_, i) => reader(i))).then(() => {
  console.log(JSON.stringify({ requests, errors, seconds: (Date.now() - t0) / 1000 }));
  process.exit(0);
});
`;

async function runTasks(eng: RunningEngine, dir: string, label: string): Promise<number> {
  const tasks = Array.from({ length: N }, (_, i) => ({ id: `t${i}`, name: `t${i}`, command: `echo ${label}-${i}`, working_dir: dir }));
  const t0 = performance.now();
  const run = await eng.api.invoke('runs.createFromWorkflow', { document: { title: label, tasks }, workflow_name: label });
  for (;;) {
    const s = await eng.api.invoke('runs.get', { id: run.id, limit: 1 });
    if (isTerminalRun(s.status)) {
      if (s.status !== 'completed') throw new Error(`bench run ${label} ended ${s.status}`);
      break;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return N / ((performance.now() - t0) / 1000);
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'scripthut-bench-readers-'));
const configPath = path.join(dir, 'scripthut.yaml');
fs.writeFileSync(configPath, 'backends:\n  - {name: local, type: local, max_concurrent: 2}\n');
const eng = await startEngine({ dataDir: path.join(dir, 'data'), configPath, version: 'bench' });
const host = await startHost({ api: eng.api, port: 0, rendererDir: null, version: 'bench' });
try {
  const idle = await runTasks(eng, dir, 'idle');
  const readers = spawn(process.execPath, ['-e', READER_SCRIPT, `http://127.0.0.1:${host.port}`, host.token, String(READERS), String(THINK_MS)], { stdio: ['pipe', 'pipe', 'inherit'] });
  let out = '';
  readers.stdout.on('data', (d: Buffer) => (out += d.toString()));
  while (!out.includes('ready')) await new Promise((r) => setTimeout(r, 20));
  const loaded = await runTasks(eng, dir, 'loaded');
  readers.stdin.write('stop\n');
  await new Promise((r) => readers.once('exit', r));
  const stats = JSON.parse(out.trim().split('\n').pop() as string) as { requests: number; errors: number; seconds: number };
  const ratio = loaded / idle;
  writeBenchResult(
    'loop-readers',
    [
      { name: 'loop throughput, idle', value: round(idle), unit: 'tasks/s', note: `${N} echo tasks, local backend, max_concurrent 2` },
      { name: `loop throughput, ${READERS} readers`, value: round(loaded), unit: 'tasks/s', note: `runs.list + runs.get over HTTP, ${THINK_MS} ms between calls per reader` },
      { name: 'reads served', value: round(stats.requests / stats.seconds), unit: 'requests/s', note: `${stats.errors} errors` },
      { name: 'loaded / idle', value: round(ratio), unit: 'ratio', target: '>= 0.9', met: ratio >= 0.9 },
    ],
    { tasks: N, readers: READERS, think_ms: THINK_MS, cpus: os.cpus().length, loadavg: os.loadavg() },
  );
} finally {
  await host.close();
  await eng.close();
  fs.rmSync(dir, { recursive: true, force: true });
}
