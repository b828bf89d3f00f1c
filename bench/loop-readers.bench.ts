// The loop's throughput while 50 readers use the real headless host: N echo tasks through the local backend
// (max_concurrent 2), once with nobody reading and once while 50 clients in another process call runs.list and
// runs.get (a page of 50 tasks of the run being executed) over HTTP, each pausing THINK_MS between calls like a
// UI refreshing. Issue target: loaded throughput >= 90 % of idle. The loaded phase runs twice: through a host
// whose reads go to the read worker (the shipped path), and through one that serves them on the engine's thread
// (the path before it), so both figures come from the same machine load. CPU time of the engine process (all its
// threads) and of the readers' process is recorded per phase: on a shared 2-core machine the readers' own
// client work competes with the loop too.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startEngine, type RunningEngine } from '../src-main/engine/start';
import { startHost, type Host } from '../src-main/host/server';
import { isTerminalRun } from '../src-shared/model/status';
import { writeBenchResult } from './lib/report';

const N = Number(process.env.SCRIPTHUT_BENCH_READERS_N ?? 400);
const READERS = Number(process.env.SCRIPTHUT_BENCH_READERS ?? 50);
const THINK_MS = Number(process.env.SCRIPTHUT_BENCH_READERS_THINK_MS ?? 1000);
// Other work on a shared machine comes and goes within seconds: the three phases are interleaved (in a rotating
// order) ROUNDS times and the medians reported, so a burst of outside load does not land on one phase only.
const ROUNDS = Number(process.env.SCRIPTHUT_BENCH_READERS_ROUNDS ?? 3);
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
  const cpu = process.cpuUsage();
  console.log(JSON.stringify({ requests, errors, seconds: (Date.now() - t0) / 1000, cpu_s: (cpu.user + cpu.system) / 1e6 }));
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

interface Phase {
  throughput: number;
  engineCpuS: number;
  seconds: number;
}

async function phase(eng: RunningEngine, dir: string, label: string): Promise<Phase> {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const throughput = await runTasks(eng, dir, label);
  const cpu = process.cpuUsage(cpu0);
  return { throughput, engineCpuS: (cpu.user + cpu.system) / 1e6, seconds: (performance.now() - t0) / 1000 };
}

interface ReaderStats {
  requests: number;
  errors: number;
  seconds: number;
  cpu_s: number;
}

async function withReaders(host: Host, run: () => Promise<Phase>): Promise<Phase & { readers: ReaderStats }> {
  const readers = spawn(process.execPath, ['-e', READER_SCRIPT, `http://127.0.0.1:${host.port}`, host.token, String(READERS), String(THINK_MS)], { stdio: ['pipe', 'pipe', 'inherit'] });
  let out = '';
  readers.stdout.on('data', (d: Buffer) => (out += d.toString()));
  while (!out.includes('ready')) await new Promise((r) => setTimeout(r, 20));
  const result = await run();
  readers.stdin.write('stop\n');
  await new Promise((r) => readers.once('exit', r));
  return { ...result, readers: JSON.parse(out.trim().split('\n').pop() as string) as ReaderStats };
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'scripthut-bench-readers-'));
const configPath = path.join(dir, 'scripthut.yaml');
fs.writeFileSync(configPath, 'backends:\n  - {name: local, type: local, max_concurrent: 2}\n');
const loadBefore = os.loadavg();
const eng = await startEngine({ dataDir: path.join(dir, 'data'), configPath, version: 'bench' });
const host = await startHost({ api: eng.api, port: 0, rendererDir: null, version: 'bench' });
// The same contract without invokeJson: every read is answered on the engine's thread.
const inThreadHost = await startHost({ api: { invoke: (n, i) => eng.api.invoke(n, i), subscribe: (l) => eng.api.subscribe(l) }, port: 0, rendererDir: null, version: 'bench' });
type Loaded = Phase & { readers: ReaderStats };
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
function medianPhase<P extends Phase>(ps: P[]): P {
  const m = median(ps.map((p) => p.throughput));
  return ps.find((p) => p.throughput === m) as P;
}
try {
  const idles: Phase[] = [];
  const workers: Loaded[] = [];
  const inThreads: Loaded[] = [];
  const steps: Array<(r: number) => Promise<void>> = [
    async (r) => void idles.push(await phase(eng, dir, `idle-${r}`)),
    async (r) => void workers.push(await withReaders(host, () => phase(eng, dir, `loaded-${r}`))),
    async (r) => void inThreads.push(await withReaders(inThreadHost, () => phase(eng, dir, `loaded-in-thread-${r}`))),
  ];
  for (let r = 0; r < ROUNDS; r++) for (let k = 0; k < steps.length; k++) await (steps[(r + k) % steps.length] as (r: number) => Promise<void>)(r);
  const idle = medianPhase(idles);
  const loaded = medianPhase(workers);
  const inThread = medianPhase(inThreads);
  const ratio = loaded.throughput / idle.throughput;
  const cpuNote = (p: Phase) => `engine process CPU ${round(p.engineCpuS / p.seconds)} cores`;
  const readersNote = (p: Loaded) => `readers' process ${round(p.readers.cpu_s / p.readers.seconds)} cores, ${round(p.readers.requests / p.readers.seconds)} requests/s, ${p.readers.errors} errors`;
  writeBenchResult(
    'loop-readers',
    [
      { name: 'loop throughput, idle', value: round(idle.throughput), unit: 'tasks/s', note: `median of ${ROUNDS}; ${N} echo tasks, local backend, max_concurrent 2; ${cpuNote(idle)}` },
      { name: `loop throughput, ${READERS} readers`, value: round(loaded.throughput), unit: 'tasks/s', note: `median of ${ROUNDS}; runs.list + runs.get over HTTP, ${THINK_MS} ms between calls per reader, reads in the read worker; ${cpuNote(loaded)}; ${readersNote(loaded)}` },
      { name: 'reads served', value: round(loaded.readers.requests / loaded.readers.seconds), unit: 'requests/s', note: `${loaded.readers.errors} errors` },
      { name: 'loaded / idle', value: round(ratio), unit: 'ratio', target: '>= 0.9', met: ratio >= 0.9 },
      { name: `loop throughput, ${READERS} readers, reads on the engine thread`, value: round(inThread.throughput), unit: 'tasks/s', note: `median of ${ROUNDS}; the same readers without the read worker (the path before issue 7's fix); ${cpuNote(inThread)}; ${readersNote(inThread)}` },
      { name: 'loaded / idle, reads on the engine thread', value: round(inThread.throughput / idle.throughput), unit: 'ratio' },
    ],
    {
      tasks: N,
      readers: READERS,
      think_ms: THINK_MS,
      rounds: { idle: idles.map((p) => round(p.throughput)), read_worker: workers.map((p) => round(p.throughput)), engine_thread: inThreads.map((p) => round(p.throughput)) },
      cpus: os.cpus().length,
      loadavg_before: loadBefore,
      loadavg: os.loadavg(),
    },
  );
} finally {
  await inThreadHost.close();
  await host.close();
  await eng.close();
  fs.rmSync(dir, { recursive: true, force: true });
}
