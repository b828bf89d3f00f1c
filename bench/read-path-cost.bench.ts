// CPU time the engine's threads spend per HTTP read (runs.list, and runs.get of a 50-task page), measured in CPU
// time per thread (/proc), not wall time, so the figure holds on a busy shared machine where throughput figures
// swing. The loop lives on the main thread: what a read costs there is what it can take from the loop when the
// machine is short of CPU. Paths: the shipped one (answers kept until the next commit, small reads answered on the engine's
// thread, big ones and searches in the read worker) and every read computed on the engine's thread.
// While a run executes nearly every read is a miss (any commit invalidates what was kept), so the cost of a miss is
// measured too, in this process without HTTP: before each read one task of the page asked for is written (as a loop
// turn moves a task), and the main thread's CPU beyond that of the writes alone is the reads' (the worker is not used).
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startEngine } from '../src-main/engine/start';
import { startHost, type Host } from '../src-main/host/server';
import type { ReadReplica } from '../src-main/engine/read-replica';
import type { EngineApi } from '../src-main/engine/dispatch';
import { isTerminalRun } from '../src-shared/model/status';
import { writeBenchResult } from './lib/report';

const READS = Number(process.env.SCRIPTHUT_BENCH_READ_COST_READS ?? 4000);
const CONCURRENCY = 50;
const ROUNDS = Number(process.env.SCRIPTHUT_BENCH_READ_COST_ROUNDS ?? 3);
const round = (x: number, d = 3) => Math.round(x * 10 ** d) / 10 ** d;

// Half the reads are runs.list (identical), half runs.get of a 50-task page at one of 50 offsets, as in loop-readers.
const READER_SCRIPT = `
const [base, token, total, conc, runId] = process.argv.slice(1);
const headers = { authorization: 'Bearer ' + token };
let left = Number(total), errors = 0;
async function reader(i) {
  while (left-- > 0) {
    const url = left % 2 ? base + '/api/v1/runs?limit=20' : base + '/api/v1/runs/' + runId + '?limit=50&offset=' + (i * 7) % 300;
    try { const r = await fetch(url, { headers }); if (!r.ok) errors++; await r.arrayBuffer(); } catch { errors++; }
  }
}
Promise.all(Array.from({ length: Number(conc) }, (_, i) => reader(i))).then(() => { console.log(JSON.stringify({ errors })); process.exit(0); });
`;

const TICKS = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
function threadCpu(tid: number | null | undefined): number {
  if (!tid) return 0;
  const s = fs.readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
  const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) / TICKS;
}

/** Times the thread went to sleep waiting (voluntary context switches): each is a wake-up to pay for. */
function threadSleeps(tid: number | null | undefined): number {
  if (!tid) return 0;
  const m = /^voluntary_ctxt_switches:\s+(\d+)/m.exec(fs.readFileSync(`/proc/self/task/${tid}/status`, 'utf8'));
  return m ? Number(m[1]) : 0;
}

async function readAll(host: Host, runId: string): Promise<void> {
  const child = spawn(process.execPath, ['-e', READER_SCRIPT, `http://127.0.0.1:${host.port}`, host.token, String(READS), String(CONCURRENCY), runId], { stdio: ['ignore', 'pipe', 'inherit'], detached: true });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  await new Promise((r) => child.once('exit', r));
  const { errors } = JSON.parse(out.trim()) as { errors: number };
  if (errors) throw new Error(`${errors} reads failed`);
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'scripthut-bench-read-cost-'));
fs.writeFileSync(path.join(dir, 'scripthut.yaml'), 'backends:\n  - {name: local, type: local, max_concurrent: 2}\n');
const eng = await startEngine({ dataDir: path.join(dir, 'data'), configPath: path.join(dir, 'scripthut.yaml'), version: 'bench' });
const replica = (eng.engine as unknown as { o: { reads?: ReadReplica } }).o.reads ?? null;
const host = await startHost({ api: eng.api, port: 0, rendererDir: null, version: 'bench' });
const plain = { invoke: eng.api.invoke.bind(eng.api), subscribe: eng.api.subscribe.bind(eng.api) } as EngineApi;
const inThreadHost = await startHost({ api: plain, port: 0, rendererDir: null, version: 'bench' });
try {
  const tasks = Array.from({ length: 400 }, (_, i) => ({ id: `t${i}`, command: 'true', working_dir: dir }));
  const run = await eng.api.invoke('runs.createFromWorkflow', { document: { title: 'read-cost', tasks }, workflow_name: 'read-cost' });
  while (!isTerminalRun((await eng.api.invoke('runs.get', { id: run.id, limit: 1 })).status)) await new Promise((r) => setTimeout(r, 200));
  await eng.engine.idle();
  await readAll(host, run.id); // warm-up: starts the worker, JIT
  const worker = { main: [] as number[], worker: [] as number[], mainSleeps: [] as number[], workerSleeps: [] as number[] };
  const inThreadSleeps: number[] = [];
  const inThread: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const m0 = threadCpu(process.pid);
    const w0 = threadCpu(replica?.thread?.tid);
    const s0 = { main: threadSleeps(process.pid), worker: threadSleeps(replica?.thread?.tid) };
    await readAll(host, run.id);
    worker.mainSleeps.push((threadSleeps(process.pid) - s0.main) / READS);
    worker.workerSleeps.push((threadSleeps(replica?.thread?.tid) - s0.worker) / READS);
    worker.main.push(((threadCpu(process.pid) - m0) * 1000) / READS);
    worker.worker.push(((threadCpu(replica?.thread?.tid) - w0) * 1000) / READS);
    const t0 = threadCpu(process.pid);
    const ts0 = threadSleeps(process.pid);
    await readAll(inThreadHost, run.id);
    inThreadSleeps.push((threadSleeps(process.pid) - ts0) / READS);
    inThread.push(((threadCpu(process.pid) - t0) * 1000) / READS);
  }
  // Misses: a write between two reads, as while the run executes. The main thread's own CPU time (schedstat, ns)
  // over MISSES writes each followed by a read, less the same writes without reads: other threads (the WAL
  // checkpoint, GC helpers) are not counted, and neither is the clock read per read.
  const MISSES = Number(process.env.SCRIPTHUT_BENCH_READ_COST_MISSES ?? 2000);
  const mainNs = (): number => Number(fs.readFileSync(`/proc/self/task/${process.pid}/schedstat`, 'utf8').split(' ')[0]);
  let writes = 0;
  const phase = (read: ((offset: number) => unknown) | null): number => {
    const t0 = mainNs();
    for (let i = 0; i < MISSES; i++) {
      const offset = (i * 7) % 300;
      eng.store.patchTask(run.id, `t${offset + (i % 50)}`, { pendingReason: `miss ${writes++}` });
      read?.(offset);
    }
    return (mainNs() - t0) / 1e6 / MISSES;
  };
  const missGet: number[] = [];
  const missList: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const base = phase(null);
    missGet.push(phase((offset) => eng.api.invokeJson?.('runs.get', { id: run.id, limit: '50', offset: String(offset) })) - base);
    missList.push(phase(() => eng.api.invokeJson?.('runs.list', { limit: '20' })) - base);
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
  const note = (xs: number[]) => `median of ${ROUNDS} rounds of ${READS} reads (${xs.map((x) => round(x)).join(', ')}); ${CONCURRENCY} clients without pause, half runs.list, half runs.get pages of 50 tasks`;
  writeBenchResult(
    'read-path-cost',
    [
      { name: 'main thread CPU per read, shipped path', value: round(median(worker.main)), unit: 'ms', note: note(worker.main) },
      { name: 'read worker thread CPU per read', value: round(median(worker.worker)), unit: 'ms', note: `${note(worker.worker)}; the engine is idle and these reads are small: after the first answer each is served from what the engine thread kept, and the worker is not used` },
      { name: 'main thread CPU per read, reads on the engine thread', value: round(median(inThread)), unit: 'ms', note: note(inThread) },
      { name: 'main thread wake-ups per read, shipped path', value: round(median(worker.mainSleeps), 2), unit: 'count', note: `voluntary context switches of the engine's main thread per read (${worker.mainSleeps.map((x) => round(x, 2)).join(', ')}); the read worker's thread: ${round(median(worker.workerSleeps), 2)} per read` },
      { name: 'engine thread CPU per runs.get miss', value: round(median(missGet)), unit: 'ms', note: `median of ${ROUNDS} rounds of ${MISSES} reads (${missGet.map((x) => round(x)).join(', ')}); a page of 50 tasks of a 400-task run at offsets 0–299, one task of that page written before each read (a miss, as nearly every read while a run executes); in process, without HTTP` },
      { name: 'engine thread CPU per runs.list miss', value: round(median(missList)), unit: 'ms', note: `median of ${ROUNDS} rounds of ${MISSES} reads (${missList.map((x) => round(x)).join(', ')}); a page of 20 runs, a task written before each read; in process, without HTTP` },
      { name: 'main thread wake-ups per read, reads on the engine thread', value: round(median(inThreadSleeps), 2), unit: 'count', note: `voluntary context switches of the engine's main thread per read (${inThreadSleeps.map((x) => round(x, 2)).join(', ')})` },
    ],
    { reads: READS, concurrency: CONCURRENCY, rounds: ROUNDS, cpus: os.cpus().length, loadavg: os.loadavg().map((x) => round(x, 2)) },
  );
} finally {
  await inThreadHost.close();
  await host.close();
  await eng.close();
  fs.rmSync(dir, { recursive: true, force: true });
}
