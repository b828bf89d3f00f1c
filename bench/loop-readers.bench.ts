// The loop's throughput while 50 readers use the real headless host: N echo tasks through the local backend
// (max_concurrent 2), with nobody reading and while 50 clients in another process call runs.list and runs.get (a
// page of 50 tasks of the run being executed) over HTTP, each pausing THINK_MS between calls like a UI
// refreshing. Issue target: loaded throughput >= 90 % of idle.
//
// Phases, interleaved in a rotating order for ROUNDS rounds so outside load (a shared 2-core machine) falls on
// every phase alike: idle; readers through the shipped path (answers kept until the next commit; small pages
// answered on the engine's thread with its in-memory counts, big pages and text searches in the read worker: own
// connection, nice 10); readers with every read on the engine's thread and nothing kept (the path before the read
// worker); the shipped path with the readers' client using undici's fetch.
// SCRIPTHUT_BENCH_READERS_VARIANTS=1 adds the worker without its cache and without its lower priority, to measure
// what each saves, and the shipped path with the readers' process at nice 19, to tell the clients' own CPU apart.
// Per phase: the 1-minute loadavg at its start, and where the CPU went — the engine's main
// thread, the read worker's thread, the process's other threads (libuv pool, GC), the jobs (reaped children:
// the local launcher and the echo processes) and the readers' process. On Linux with autogroup scheduling each
// session gets a fair share of the CPU: the engine's threads share one, the local launcher and its jobs (their own
// session) another, the readers' process a third, and every other program on the machine its own.
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { startEngine, type RunningEngine } from '../src-main/engine/start';
import { startHost, type Host } from '../src-main/host/server';
import { ReadReplica } from '../src-main/engine/read-replica';
import type { EngineApi } from '../src-main/engine/dispatch';
import { isTerminalRun } from '../src-shared/model/status';
import { writeBenchResult } from './lib/report';

const N = Number(process.env.SCRIPTHUT_BENCH_READERS_N ?? 400);
const READERS = Number(process.env.SCRIPTHUT_BENCH_READERS ?? 50);
const THINK_MS = Number(process.env.SCRIPTHUT_BENCH_READERS_THINK_MS ?? 1000);
const ROUNDS = Number(process.env.SCRIPTHUT_BENCH_READERS_ROUNDS ?? 5);
const VARIANTS = process.env.SCRIPTHUT_BENCH_READERS_VARIANTS === '1';
const round = (x: number) => Math.round(x * 100) / 100;

// The readers live in their own process so their HTTP client work is not counted as the engine's. Their client is
// node:http with a keep-alive agent (one socket per reader, as a browser keeps one): the load the engine sees is
// the same whichever client asks, but on 2 shared cores the client's own CPU is taken from the jobs too, and
// undici's fetch costs several times more per request. The fetch client stays as its own phase ('fetch_readers')
// so the two can be told apart.
const READER_SCRIPT = `
const http = require('node:http');
const [base, token, n, think, client] = process.argv.slice(1);
const headers = { authorization: 'Bearer ' + token };
const agent = new http.Agent({ keepAlive: true, maxSockets: Number(n) });
let requests = 0, errors = 0, stop = false;
process.stdin.on('data', () => { stop = true; });
process.stdin.on('end', () => { stop = true; });
function get(url) {
  if (client === 'fetch') return fetch(url, { headers }).then(async (r) => ({ ok: r.ok, body: Buffer.from(await r.arrayBuffer()) }));
  return new Promise((resolve, reject) => {
    http.get(url, { agent, headers }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ ok: res.statusCode >= 200 && res.statusCode < 300, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    }).on('error', reject);
  });
}
async function reader(i) {
  while (!stop) {
    try {
      const list = await get(base + '/api/v1/runs?limit=20');
      requests++;
      if (!list.ok) errors++;
      const id = JSON.parse(list.body.toString('utf8')).runs?.[0]?.id;
      if (id) {
        const r = await get(base + '/api/v1/runs/' + encodeURIComponent(id) + '?limit=50&offset=' + (i * 7) % 300);
        if (!r.ok) errors++;
        JSON.parse(r.body.toString('utf8'));
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

// CPU seconds from /proc (Linux): utime+stime of one thread, and of this process's reaped children.
const TICKS = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();
function statFields(file: string): string[] | null {
  try {
    const s = fs.readFileSync(file, 'utf8');
    return s.slice(s.lastIndexOf(')') + 2).split(' ');
  } catch {
    return null;
  }
}
const threadCpu = (tid: number | null | undefined): number => {
  const f = tid ? statFields(`/proc/self/task/${tid}/stat`) : null;
  return f ? (Number(f[11]) + Number(f[12])) / TICKS : 0;
};
/**
 * The jobs' CPU: reaped children of this process, plus the live ones (the launcher) with their own reaped children.
 * The readers' process is a live child too while a phase runs: its CPU is counted on its own, not here.
 */
const jobsCpu = (notPid: number | null = null): number => {
  const total = (f: string[] | null) => (f ? (Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14])) / TICKS : 0);
  const self = statFields('/proc/self/stat');
  let s = self ? (Number(self[13]) + Number(self[14])) / TICKS : 0;
  let kids: string[] = [];
  try {
    kids = fs.readFileSync(`/proc/self/task/${process.pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean);
  } catch {
    /* not exposed by this kernel: reaped children only */
  }
  for (const pid of kids) if (Number(pid) !== notPid) s += total(statFields(`/proc/${pid}/stat`));
  return s;
};

interface CpuSplit {
  main: number;
  read_worker: number;
  other_threads: number;
  jobs: number;
  readers: number;
}

interface Phase {
  throughput: number;
  seconds: number;
  loadavg1: number;
  /** Share of wall time the engine's main thread was running JavaScript or callbacks (event loop utilisation). */
  main_elu: number;
  cores: CpuSplit;
  reads_per_s: number;
  read_errors: number;
  cached_share: number | null;
  /** Share of the reads answered on the engine's thread from its kept answers, with no hand-off to the worker. */
  kept_share: number | null;
  /** Reads the readers made during the phase. */
  reads: number;
}

interface ReaderStats {
  requests: number;
  errors: number;
  seconds: number;
  cpu_s: number;
}

async function runTasks(eng: RunningEngine, dir: string, label: string): Promise<void> {
  const tasks = Array.from({ length: N }, (_, i) => ({ id: `t${i}`, name: `t${i}`, command: `echo ${label}-${i}`, working_dir: dir }));
  const run = await eng.api.invoke('runs.createFromWorkflow', { document: { title: label, tasks }, workflow_name: label });
  for (;;) {
    const s = await eng.api.invoke('runs.get', { id: run.id, limit: 1 });
    if (isTerminalRun(s.status)) {
      if (s.status !== 'completed') throw new Error(`bench run ${label} ended ${s.status}`);
      return;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

type Client = 'http' | 'fetch';

async function startReaders(host: Host, niceReaders: boolean, client: Client): Promise<{ pid: number | null; stop: () => Promise<ReaderStats> }> {
  // A session of their own, like any real client (a browser, a script in another terminal): with Linux's
  // autogroup scheduling, a process in the engine's session would share the engine's CPU share instead of
  // competing for the machine as one more program.
  const readers = spawn(process.execPath, ['-e', READER_SCRIPT, `http://127.0.0.1:${host.port}`, host.token, String(READERS), String(THINK_MS), client], { stdio: ['pipe', 'pipe', 'inherit'], detached: true });
  // With autogroup scheduling a process's nice value only ranks it within its own session: the session's weight
  // is set through /proc/<pid>/autogroup (Linux), which is what makes the readers yield to the jobs.
  if (niceReaders && readers.pid) {
    os.setPriority(readers.pid, 19);
    try {
      fs.writeFileSync(`/proc/${readers.pid}/autogroup`, '19');
    } catch {
      /* no autogroup here: the process nice value is what ranks it */
    }
  }
  let out = '';
  readers.stdout.on('data', (d: Buffer) => (out += d.toString()));
  while (!out.includes('ready')) await new Promise((r) => setTimeout(r, 20));
  return { pid: readers.pid ?? null, stop: async () => {
    const exited = new Promise((r) => readers.once('exit', r));
    readers.stdin.write('stop\n');
    await exited;
    return JSON.parse(out.trim().split('\n').pop() as string) as ReaderStats;
  } };
}

async function phase(eng: RunningEngine, dir: string, label: string, host: Host | null, replica: ReadReplica | null, niceReaders = false, client: Client = 'http'): Promise<Phase> {
  const readersProc = host ? await startReaders(host, niceReaders, client) : null;
  const stopReaders = readersProc?.stop ?? null;
  const notReaders = readersProc?.pid ?? null;
  const loadavg1 = os.loadavg()[0] as number;
  const workerTid = () => replica?.thread?.tid ?? null;
  const cpu0 = { proc: process.cpuUsage(), main: threadCpu(process.pid), worker: threadCpu(workerTid()), jobs: jobsCpu(notReaders) };
  const served0 = { all: replica?.answered ?? 0, cached: replica?.answeredFromCache ?? 0, kept: replica?.answeredOnEngineThread ?? 0 };
  const elu0 = performance.eventLoopUtilization();
  const t0 = performance.now();
  await runTasks(eng, dir, label);
  const seconds = (performance.now() - t0) / 1000;
  const elu = performance.eventLoopUtilization(elu0);
  const proc = process.cpuUsage(cpu0.proc);
  const main = threadCpu(process.pid) - cpu0.main;
  const worker = threadCpu(workerTid()) - cpu0.worker;
  const jobs = Math.max(0, jobsCpu(notReaders) - cpu0.jobs);
  const readers = stopReaders ? await stopReaders() : null;
  const all = (replica?.answered ?? 0) - served0.all;
  const perS = (x: number) => x / seconds;
  return {
    throughput: N / seconds,
    seconds,
    loadavg1,
    main_elu: round(elu.utilization),
    cores: {
      main: perS(main),
      read_worker: perS(worker),
      other_threads: perS(Math.max(0, (proc.user + proc.system) / 1e6 - main - worker)),
      jobs: perS(jobs),
      readers: readers ? readers.cpu_s / readers.seconds : 0,
    },
    reads_per_s: readers ? round(readers.requests / readers.seconds) : 0,
    read_errors: readers?.errors ?? 0,
    cached_share: replica && all ? round(((replica.answeredFromCache ?? 0) - served0.cached) / all) : null,
    kept_share: replica && all ? round(((replica.answeredOnEngineThread ?? 0) - served0.kept) / all) : null,
    reads: readers?.requests ?? 0,
  };
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
};
const spread = (xs: number[]) => `${round(Math.min(...xs))}–${round(Math.max(...xs))}`;
const CORE_KEYS: Array<keyof CpuSplit> = ['main', 'read_worker', 'other_threads', 'jobs', 'readers'];
const roundCores = (c: CpuSplit) => Object.fromEntries(CORE_KEYS.map((k) => [k, round(c[k])])) as unknown as CpuSplit;
/** CPU of the engine process (all its threads) per finished task, in ms. */
const engineMsPerTask = (p: Phase) => ((p.cores.main + p.cores.read_worker + p.cores.other_threads) * 1000) / p.throughput;
/**
 * What one read cost the engine process (all its threads, or its main thread), in µs: the phase's CPU beyond what
 * the same tasks cost in the idle phase of the same round, over the reads made. A difference of two noisy figures,
 * so only its median over rounds means much.
 */
const usPerRead = (p: Phase, idle: Phase, cpu: (q: Phase) => number) => (p.reads ? Math.round(((cpu(p) * p.seconds - cpu(idle) * idle.seconds) * 1e6) / p.reads) : 0);
const engineCores = (q: Phase) => q.cores.main + q.cores.read_worker + q.cores.other_threads;
const mainCores = (q: Phase) => q.cores.main;
function medianCores(ps: Phase[]): CpuSplit {
  return Object.fromEntries(CORE_KEYS.map((k) => [k, round(median(ps.map((p) => p.cores[k])))])) as unknown as CpuSplit;
}
const coresNote = (c: CpuSplit) => `CPU (cores, medians): engine main thread ${c.main}, read worker ${c.read_worker}, other engine threads ${c.other_threads}, jobs ${c.jobs}, readers' process ${c.readers}`;

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'scripthut-bench-readers-'));
const configPath = path.join(dir, 'scripthut.yaml');
fs.writeFileSync(configPath, 'backends:\n  - {name: local, type: local, max_concurrent: 2}\n');
const loadBefore = os.loadavg();
const eng = await startEngine({ dataDir: path.join(dir, 'data'), configPath, version: 'bench' });
const dbFile = path.join(dir, 'data', 'scripthut.db');
// The replica startEngine gave the engine (private to it), to read its thread id and answer counts.
const shipped = (eng.engine as unknown as { o: { reads?: ReadReplica } }).o.reads ?? null;
// Without the built worker (out/main/read-worker.cjs) every read would quietly be answered on the engine's thread
// and the figure would measure something else: say so and stop.
if (!shipped) {
  await eng.close();
  throw new Error('loop-readers: the engine has no read worker (out/main/read-worker.cjs missing?): run `npm run build:main` first');
}
const host = await startHost({ api: eng.api, port: 0, rendererDir: null, version: 'bench' });
const plain = { invoke: eng.api.invoke.bind(eng.api), subscribe: eng.api.subscribe.bind(eng.api) } as EngineApi;
// The same contract without invokeJson: every read is answered on the engine's thread.
const inThreadHost = await startHost({ api: plain, port: 0, rendererDir: null, version: 'bench' });
const variantReplicas = VARIANTS ? { no_cache: new ReadReplica({ file: dbFile, cache: false }), no_nice: new ReadReplica({ file: dbFile, niceness: 0 }) } : null;
const variantHosts = variantReplicas
  ? Object.fromEntries(await Promise.all(Object.entries(variantReplicas).map(async ([k, r]) => [k, await startHost({ api: { ...plain, invokeJson: (n, i) => r.invokeJson(n, i) }, port: 0, rendererDir: null, version: 'bench' })] as const)))
  : {};

type Kind = 'idle' | 'read_worker' | 'engine_thread' | 'fetch_readers' | 'no_cache' | 'no_nice' | 'nice_readers';
const kinds: Kind[] = ['idle', 'read_worker', 'engine_thread', 'fetch_readers', ...(VARIANTS ? (['no_cache', 'no_nice', 'nice_readers'] as Kind[]) : [])];
const results: Record<Kind, Phase[]> = { idle: [], read_worker: [], engine_thread: [], fetch_readers: [], no_cache: [], no_nice: [], nice_readers: [] };
// Per round, loaded / idle of that round: drift in outside load between rounds cancels out of the pair.
const pairs: Record<Kind, number[]> = { idle: [], read_worker: [], engine_thread: [], fetch_readers: [], no_cache: [], no_nice: [], nice_readers: [] };
const perRead: Record<Kind, Array<{ engine_us: number; main_us: number }>> = { idle: [], read_worker: [], engine_thread: [], fetch_readers: [], no_cache: [], no_nice: [], nice_readers: [] };
function run(kind: Kind, r: number): Promise<Phase> {
  const label = `${kind}-${r}`;
  if (kind === 'idle') return phase(eng, dir, label, null, null);
  if (kind === 'read_worker') return phase(eng, dir, label, host, shipped);
  if (kind === 'engine_thread') return phase(eng, dir, label, inThreadHost, null);
  if (kind === 'nice_readers') return phase(eng, dir, label, host, shipped, true);
  if (kind === 'fetch_readers') return phase(eng, dir, label, host, shipped, false, 'fetch');
  return phase(eng, dir, label, variantHosts[kind] as Host, variantReplicas?.[kind as 'no_cache' | 'no_nice'] ?? null);
}
try {
  // A warm-up run: the first one pays for starting the launcher and the read worker.
  await phase(eng, dir, 'warm-up', host, shipped);
  for (let r = 0; r < ROUNDS; r++) {
    const byKind: Partial<Record<Kind, Phase>> = {};
    for (let k = 0; k < kinds.length; k++) {
      const kind = kinds[(r + k) % kinds.length] as Kind;
      const p = await run(kind, r);
      byKind[kind] = p;
      results[kind].push(p);
      console.log(`round ${r + 1}/${ROUNDS} ${kind}: ${round(p.throughput)} tasks/s, loadavg ${round(p.loadavg1)}, main ELU ${p.main_elu}, ${JSON.stringify(roundCores(p.cores))}${p.cached_share === null ? '' : `, cached ${p.cached_share}`}`);
    }
    const idleRound = byKind.idle as Phase;
    for (const kind of kinds) {
      if (kind === 'idle') continue;
      const p = byKind[kind] as Phase;
      pairs[kind].push(p.throughput / idleRound.throughput);
      perRead[kind].push({ engine_us: usPerRead(p, idleRound, engineCores), main_us: usPerRead(p, idleRound, mainCores) });
    }
  }
  const tput = (k: Kind) => results[k].map((p) => p.throughput);
  const idle = median(tput('idle'));
  const loadedFigures = (k: Kind, title: string, how: string) => {
    const ps = results[k];
    const reads = median(ps.map((p) => p.reads_per_s));
    const errors = ps.reduce((s, p) => s + p.read_errors, 0);
    const cached = ps[0]?.cached_share === null ? '' : `; ${Math.round(median(ps.map((p) => p.cached_share ?? 0)) * 100)} % of reads answered from the cache, ${Math.round(median(ps.map((p) => p.kept_share ?? 0)) * 100)} % on the engine thread without a hand-off`;
    return [
      { name: `loop throughput, ${READERS} readers, ${title}`, value: round(median(tput(k))), unit: 'tasks/s', note: `median of ${ROUNDS} (spread ${spread(tput(k))}); ${how}; ${reads} reads/s, ${errors} errors${cached}; main thread ELU ${median(ps.map((p) => p.main_elu))}; ${coresNote(medianCores(ps))}` },
      { name: `engine CPU per read, ${title}`, value: median(perRead[k].map((x) => x.engine_us)), unit: 'µs', note: `median of ${ROUNDS} rounds (${perRead[k].map((x) => x.engine_us).join(', ')}): the engine process's CPU (all threads) in the phase beyond the idle phase of the same round, over the reads made; of which its main thread ${median(perRead[k].map((x) => x.main_us))} µs (${perRead[k].map((x) => x.main_us).join(', ')})` },
      { name: `loaded / idle, ${title}`, value: round(median(pairs[k])), unit: 'ratio', note: `median of the ${ROUNDS} per-round ratios (spread ${spread(pairs[k])}); ratio of the medians ${round(median(tput(k)) / idle)}`, ...(k === 'read_worker' ? { target: '>= 0.9', met: median(pairs[k]) >= 0.9 } : {}) },
    ];
  };
  writeBenchResult(
    'loop-readers',
    [
      { name: 'loop throughput, idle', value: round(idle), unit: 'tasks/s', note: `median of ${ROUNDS} (spread ${spread(tput('idle'))}); ${N} echo tasks, local backend, max_concurrent 2; main thread ELU ${median(results.idle.map((p) => p.main_elu))}; ${coresNote(medianCores(results.idle))}` },
      ...loadedFigures('read_worker', 'shipped read path', `runs.list + runs.get over HTTP (node:http keep-alive client, both answers parsed), ${THINK_MS} ms between calls per reader; answers kept until the next commit, small pages answered on the engine thread, big ones and searches in the read worker (nice 10)`),
      ...loadedFigures('engine_thread', 'reads on the engine thread', 'the same readers, every read answered on the engine thread (the path before the read worker)'),
      ...loadedFigures('fetch_readers', 'readers using fetch', "the shipped path, the readers' client undici's fetch instead of node:http (the same requests; the client's own CPU is the difference)"),
      ...(VARIANTS ? [...loadedFigures('no_cache', 'read worker without cache', 'the read worker at nice 10, every read queried'), ...loadedFigures('no_nice', 'read worker at the engine priority', 'the read worker with its cache, not niced'), ...loadedFigures('nice_readers', 'readers at nice 19', "the shipped path, the readers' own process at nice 19 (as if the clients ran elsewhere)")] : []),
    ],
    {
      tasks: N,
      readers: READERS,
      think_ms: THINK_MS,
      variants: VARIANTS,
      rounds: Object.fromEntries(kinds.map((k) => [k, results[k].map((p) => ({ tasks_per_s: round(p.throughput), loadavg1: round(p.loadavg1), main_elu: p.main_elu, cores: roundCores(p.cores), engine_ms_per_task: round(engineMsPerTask(p)), reads_per_s: p.reads_per_s, reads: p.reads, cached_share: p.cached_share, kept_share: p.kept_share, ...(k === 'idle' ? {} : { per_read_us: perRead[k][results[k].indexOf(p)] }) }))])),
      cpus: os.cpus().length,
      loadavg_before: loadBefore.map(round),
      loadavg_after: os.loadavg().map(round),
    },
  );
} finally {
  for (const h of Object.values(variantHosts)) await h.close();
  for (const r of Object.values(variantReplicas ?? {})) await r.close();
  await inThreadHost.close();
  await host.close();
  await eng.close();
  fs.rmSync(dir, { recursive: true, force: true });
}
