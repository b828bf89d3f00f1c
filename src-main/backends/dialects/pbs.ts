// The PBS dialect (Torque and PBS Pro): #PBS directives, qsub (script on stdin), `qstat -f` (queue),
// `qstat -x -f` (PBS Pro history; Torque prints XML of the jobs it still keeps) with `tracejob` for jobs qstat has
// forgotten, qdel, pbsnodes + `qstat -Q -f` for cluster info. Pure: no I/O. Formats: test/fixtures/pbs/.
import { cmd, shq } from '../../transport/quote';
import type { AccountingQuery, ExternalJob, ScriptContext } from '../types';
import type { QueueState } from '../../model/queue-observation';
import type { Verdict } from '../../model/verdict';
import { defineDialect, type DirectiveOptions, type QueueEntry, type SchedulerDialect, type TaggedJob } from '../shell/dialect';
import type { ClusterInfo, PartitionInfo } from '../../model/cluster-info';

export type PbsFlavor = 'torque' | 'pro';

const SCHED_ENV = 'TZ=UTC LC_ALL=C';
const QUEUES_MARKER = '--- scripthut queues ---';

/** qstat's one-letter job_state → queue state. C (Torque) / F, X (PBS Pro) = finished, verdict from Exit_status. */
const QUEUE_STATES: Record<string, QueueState> = {
  Q: 'pending', W: 'pending', T: 'pending',
  H: 'suspended', S: 'suspended', U: 'suspended',
  R: 'running', B: 'running', M: 'running',
  E: 'completing',
  C: 'left', F: 'left', X: 'left',
};
const STATE_WORDS: Record<string, string> = {
  Q: 'QUEUED', W: 'WAITING', T: 'TRANSIT', H: 'HELD', S: 'SUSPENDED', U: 'USER_SUSPENDED', R: 'RUNNING', B: 'ARRAY_RUNNING',
  M: 'MOVED', E: 'EXITING', C: 'COMPLETED', F: 'FINISHED', X: 'SUBJOB_FINISHED',
};

export interface PbsJob {
  jobId: string;
  /** Lower-cased attribute names (Torque writes exit_status, PBS Pro Exit_status). */
  attrs: Map<string, string>;
}

function lines(text: string): string[] {
  return text.replace(/\r\n?/g, '\n').split('\n');
}

/** `12345.server.example.org` → `12345`; array jobs keep their brackets (`12[].server` → `12[]`). */
export function bareJobId(full: string): string {
  const m = /^(\d+(?:\[\d*\])?)(?:\.\S+)?$/.exec(full.trim());
  return m ? (m[1] as string) : full.trim();
}

/** `Mon Nov 30 18:00:00 2026` (commands run with TZ=UTC) or epoch seconds → ISO. */
export function pbsTimeToIso(value: string | undefined): string | null {
  const v = (value ?? '').trim();
  if (/^\d{9,11}$/.test(v)) return new Date(Number(v) * 1000).toISOString().replace('.000Z', 'Z');
  const m = /^\w{3}\s+(\w{3})\s+(\d{1,2})\s+(\d{2}):(\d{2}):(\d{2})\s+(\d{4})$/.exec(v);
  if (!m) return null;
  const month = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'].indexOf(m[1] as string);
  if (month < 0) return null;
  const d = new Date(Date.UTC(Number(m[6]), month, Number(m[2]), Number(m[3]), Number(m[4]), Number(m[5])));
  return d.toISOString().replace('.000Z', 'Z');
}

/** `HH:MM:SS` (hours may exceed 24) → seconds. */
export function walltimeSeconds(value: string | undefined): number | null {
  const m = /^(\d+):(\d{1,2}):(\d{1,2})$/.exec((value ?? '').trim());
  return m ? Number(m[1]) * 3600 + Number(m[2]) * 60 + Number(m[3]) : null;
}

// ---------------------------------------------------------------- qstat -f text and XML

/**
 * `qstat -f` text: `Job Id: <id>` starts a block, `    key = value` lines follow, long values continue on lines
 * starting with a tab. Torque's `qstat -x -f` prints XML instead (`<Data><Job><Job_Id>…`); both are read.
 */
export function parseQstatFull(stdout: string): PbsJob[] {
  const jobs: PbsJob[] = [];
  for (const m of stdout.matchAll(/<Job>([\s\S]*?)<\/Job>/g)) {
    const attrs = new Map<string, string>();
    collectXml(m[1] as string, '', attrs);
    const id = attrs.get('job_id');
    if (id) jobs.push({ jobId: bareJobId(id), attrs });
  }
  const text = stdout.replace(/<\?xml[^>]*\?>/g, '').replace(/<Data>[\s\S]*?<\/Data>/g, '');
  // Text blocks (qstat -f); an XML answer (Torque's qstat -x) has none left after the strip above.
  for (const b of blocks(text, (line) => /^Job Id:\s*(\S+)\s*$/.exec(line)?.[1] ?? null)) jobs.push({ jobId: bareJobId(b.name), attrs: b.attrs });
  return jobs;
}

const XML_ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

/** Flatten `<Resource_List><walltime>…</walltime></Resource_List>` to `resource_list.walltime`. */
function collectXml(xml: string, prefix: string, out: Map<string, string>): void {
  for (const m of xml.matchAll(/<([A-Za-z_][\w.]*)>([\s\S]*?)<\/\1>/g)) {
    const key = `${prefix}${(m[1] as string).toLowerCase()}`;
    const body = m[2] as string;
    if (/<[A-Za-z_]/.test(body)) collectXml(body, `${key}.`, out);
    else out.set(key, body.replace(/&(amp|lt|gt|quot|apos);/g, (_x, e: string) => XML_ENTITIES[e] ?? _x).trim());
  }
}

// ---------------------------------------------------------------- directives

const SAFE_NAME = /[^A-Za-z0-9._+-]/g;

export function pbsJobName(jobName: string, tag: string): string {
  let base = jobName.replace(SAFE_NAME, '_').slice(0, 150) || 'scripthut';
  // PBS Pro refuses names that do not start with a letter.
  if (!/^[A-Za-z]/.test(base)) base = `j${base}`;
  const safeTag = tag.replace(SAFE_NAME, '_');
  if (base === safeTag || base.endsWith(`.${safeTag}`)) return base;
  return `${base}.${safeTag}`;
}

export function pbsNameHasTag(name: string, tag: string): boolean {
  const safeTag = tag.replace(SAFE_NAME, '_');
  return name === safeTag || name.endsWith(`.${safeTag}`);
}

/** Slurm-style memory (4G, 512M, 1024K, 1T, 1024) → PBS size (4gb, 512mb, 1024kb, 1tb, 1024b). */
export function pbsMemory(memory: string, taskId: string): string {
  const m = /^(\d+)\s*([KMGT]?)B?$/i.exec(memory.trim());
  if (!m) throw new Error(`task '${taskId}': memory '${memory}' is not a size PBS understands (use e.g. 512M, 4G or 1T)`);
  const unit = (m[2] as string).toLowerCase();
  return `${m[1]}${unit}b`;
}

/** Slurm-style time limit (M, M:S, H:M:S, D-H, D-H:M, D-H:M:S) → PBS walltime HH:MM:SS. */
export function pbsWalltime(limit: string, taskId: string): string {
  const t = limit.trim();
  const m = /^(?:(\d+)-)?(\d+)(?::(\d+))?(?::(\d+))?$/.exec(t);
  if (!m) throw new Error(`task '${taskId}': time_limit '${limit}' is not a time limit (use minutes, M:S, H:M:S or D-H:M:S)`);
  const days = Number(m[1] ?? 0);
  const parts = [m[2], m[3], m[4]].filter((x): x is string => x !== undefined).map(Number);
  let seconds: number;
  if (m[1] !== undefined) seconds = days * 86400 + (parts[0] ?? 0) * 3600 + (parts[1] ?? 0) * 60 + (parts[2] ?? 0);
  else if (parts.length === 1) seconds = (parts[0] ?? 0) * 60;
  else if (parts.length === 2) seconds = (parts[0] ?? 0) * 60 + (parts[1] ?? 0);
  else seconds = (parts[0] ?? 0) * 3600 + (parts[1] ?? 0) * 60 + (parts[2] ?? 0);
  const hh = Math.floor(seconds / 3600);
  const mm = Math.floor((seconds % 3600) / 60);
  const ss = seconds % 60;
  return `${String(hh).padStart(2, '0')}:${String(mm).padStart(2, '0')}:${String(ss).padStart(2, '0')}`;
}

/** `gpu:N` / `gpu:type:N` → N, bare `gpu` → 1, anything else → null (PBS has no generic resources here). */
export function gpusFromGres(gres: string | null | undefined): number | null {
  if (!gres) return null;
  const parts = gres.trim().split(':');
  if (parts[0] !== 'gpu') return null;
  const last = parts[parts.length - 1] ?? '';
  return parts.length > 1 && /^\d+$/.test(last) ? Number(last) : 1;
}

function plainValue(field: string, value: string, taskId: string): string {
  if (!/^[A-Za-z0-9_.@-]+$/.test(value)) throw new Error(`task '${taskId}': ${field} '${value}' is not a valid PBS value (only letters, digits and _.@- are allowed); fix the configuration or task definition`);
  return value;
}

function pathValue(field: string, value: string, taskId: string): string {
  // qsub splits #PBS lines on whitespace and has no quoting for -o/-e: such paths cannot be expressed.
  if (/[\s"'#\\:]/.test(value)) {
    throw new Error(`task '${taskId}': ${field} ${JSON.stringify(value)} cannot go into a #PBS directive (spaces, quotes, '#', ':' or backslashes are not allowed); change it in the task definition`);
  }
  return value;
}

export function pbsDirectives(flavor: PbsFlavor, ctx: ScriptContext, opts: DirectiveOptions): string[] {
  const { task } = ctx;
  const out = [`#PBS -N ${pbsJobName(ctx.jobName, ctx.tag)}`];
  const queue = opts.queue ?? task.partition ?? null;
  if (queue) out.push(`#PBS -q ${plainValue('queue', queue, task.id)}`);
  if (opts.account) out.push(`#PBS -A ${plainValue('account', opts.account, task.id)}`);
  const cpus = Math.max(1, Math.floor(task.cpus || 1));
  const gpus = gpusFromGres(task.gres);
  const mem = task.memory ? pbsMemory(task.memory, task.id) : null;
  if (flavor === 'pro') {
    out.push(`#PBS -l select=1:ncpus=${cpus}${gpus ? `:ngpus=${gpus}` : ''}${mem ? `:mem=${mem}` : ''}`);
  } else {
    out.push(`#PBS -l nodes=1:ppn=${cpus}${gpus ? `:gpus=${gpus}` : ''}`);
    if (mem) out.push(`#PBS -l mem=${mem}`);
  }
  if (task.time_limit) out.push(`#PBS -l walltime=${pbsWalltime(task.time_limit, task.id)}`);
  out.push(`#PBS -o ${pathValue('output path', opts.logs.output, task.id)}`);
  out.push(`#PBS -e ${pathValue('error path', opts.logs.error, task.id)}`);
  // Separate stdout/stderr files, as the task's log paths say.
  out.push('#PBS -j n');
  return out;
}

// ---------------------------------------------------------------- qsub

/** qsub prints `<id>.<server>` (or a bare id) on one line; anything else is refused rather than guessed. */
export function parseQsubOutput(stdout: string, stderr = ''): string {
  const ids = new Set<string>();
  for (const line of lines(stdout)) {
    const m = /^(\d+(?:\[\d*\])?)(?:\.[\w.-]+)?$/.exec(line.trim());
    if (m) ids.add(m[1] as string);
  }
  if (ids.size === 1) return [...ids][0] as string;
  const shown = `stdout: ${JSON.stringify(stdout.trim().slice(0, 500))}${stderr.trim() ? `, stderr: ${JSON.stringify(stderr.trim().slice(0, 500))}` : ''}`;
  if (ids.size > 1) throw new Error(`qsub output holds several job ids (${[...ids].join(', ')}); refusing to guess. ${shown}`);
  throw new Error(`Could not parse a job id from qsub output (expected a line like 12345.server). ${shown}`);
}

function checkIds(ids: string[]): string[] {
  for (const id of ids) if (!/^\d+(\[\d*\])?$/.test(id)) throw new Error(`invalid PBS job id '${id}'`);
  return ids;
}

// ---------------------------------------------------------------- queue

export function qstatQueueCommand(): string {
  // The login user first, so the parser keeps only their jobs (qstat -f has no portable -u).
  return `id -un; ${SCHED_ENV} qstat -f`;
}

function owner(job: PbsJob): string {
  return (job.attrs.get('job_owner') ?? '').split('@')[0] ?? '';
}

function toEntry(job: PbsJob): QueueEntry {
  const letter = (job.attrs.get('job_state') ?? '').trim().toUpperCase();
  const state = QUEUE_STATES[letter] ?? 'unknown';
  const rawState = STATE_WORDS[letter] ?? letter;
  const comment = job.attrs.get('comment') ?? null;
  const startedAt = pbsTimeToIso(job.attrs.get('start_time') ?? job.attrs.get('stime'));
  return {
    jobId: job.jobId,
    name: job.attrs.get('job_name') ?? '',
    user: owner(job),
    partition: job.attrs.get('queue') ?? null,
    rawState,
    observation: { state, rawState, pendingReason: state === 'pending' ? comment : null, startedAt },
    submittedAt: pbsTimeToIso(job.attrs.get('qtime') ?? job.attrs.get('ctime')),
    reason: comment,
  };
}

export function parseQstatQueue(stdout: string): QueueEntry[] {
  const [first = '', ...rest] = lines(stdout);
  const user = first.trim();
  const body = user.startsWith('Job Id:') ? stdout : rest.join('\n');
  const keepAll = user === '' || user.startsWith('Job Id:');
  return parseQstatFull(body)
    .filter((j) => keepAll || owner(j) === user)
    .map(toEntry);
}

export function pbsEntryToExternal(e: QueueEntry): ExternalJob {
  return { jobId: e.jobId, name: e.name, user: e.user, state: e.rawState, reason: e.reason, partition: e.partition, submittedAt: e.submittedAt, startedAt: e.observation.startedAt ?? null };
}

// ---------------------------------------------------------------- accounting

/**
 * One remote command for all jobs: `qstat -x -f <id>` per job (PBS Pro history; Torque while it keeps completed
 * jobs), and for a job qstat no longer knows, the last `Exit_status=` from `tracejob`, framed as a `Job Id:` block.
 */
export function pbsAccountingCommand(queries: AccountingQuery[]): string | null {
  const ids = checkIds([...new Set(queries.map((q) => q.jobId))]);
  if (ids.length === 0) return null;
  return (
    // Starts with a simple command: runners put their env prefix in front of the first word.
    `export ${SCHED_ENV}; for id in ${ids.join(' ')}; do ` +
    `qstat -x -f "$id" 2>/dev/null || { ` +
    `s=$(tracejob -q -n 7 "$id" 2>/dev/null | grep -o 'Exit_status=-\\?[0-9]*' | tail -n 1); ` +
    `if [ -n "$s" ]; then printf 'Job Id: %s\\n    job_state = C\\n    exit_status = %s\\n\\n' "$id" "\${s#Exit_status=}"; fi; }; ` +
    'done; true'
  );
}

/** CPUs the job held: PBS Pro's ncpus (used, else requested), Torque's nodes=N:ppn=M; 1 when nothing says. */
function jobCpus(a: Map<string, string>): number {
  const n = Number(a.get('resources_used.ncpus') ?? a.get('resource_list.ncpus'));
  if (Number.isFinite(n) && n > 0) return n;
  const nodes = /^(\d+)(?::ppn=(\d+))?/.exec(a.get('resource_list.nodes') ?? '');
  return nodes ? Number(nodes[1]) * Number(nodes[2] ?? 1) || 1 : 1;
}

/** CPU efficiency as Slurm's (TotalCPU / (elapsed × cpus), in %, one decimal) from `resources_used.cput` and
 * `.walltime`; null without both or for a job that used no wall time. */
export function pbsCpuEfficiency(a: Map<string, string>): number | null {
  const cput = walltimeSeconds(a.get('resources_used.cput'));
  const wall = walltimeSeconds(a.get('resources_used.walltime'));
  if (cput === null || wall === null || wall <= 0) return null;
  return Math.round((cput / (wall * jobCpus(a))) * 1000) / 10;
}

/** PBS and Torque size suffixes in bytes; a word is 8 bytes (64-bit hosts). A bare number is bytes. */
const SIZE_BYTES: Record<string, number> = {
  b: 1, kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3, tb: 1024 ** 4, pb: 1024 ** 5,
  w: 8, kw: 8 * 1024, mw: 8 * 1024 ** 2, gw: 8 * 1024 ** 3, tw: 8 * 1024 ** 4, pw: 8 * 1024 ** 5,
};

/** Bytes in a PBS size ("5120kb", "2gb", "1048576b", "300kw", "4096"); null when it is not one. */
export function pbsSizeBytes(value: string | undefined): number | null {
  const m = /^(\d+)\s*([kmgtp]?[bw])?$/i.exec((value ?? '').trim());
  if (!m) return null;
  const unit = SIZE_BYTES[(m[2] ?? 'b').toLowerCase()];
  return unit === undefined ? null : Number(m[1]) * unit;
}

/**
 * The job's peak memory as sacct's MaxRSS writes it (KiB, "5120K"), so the task table, right-sizing and cost read
 * PBS and Slurm alike: PBS Pro and Torque print `resources_used.mem` in their own units (bytes, words, kb…), and
 * some Torque hosts report only `resources_used.vmem`, which is then the best figure there is.
 */
export function pbsMaxRss(a: Map<string, string>): string | null {
  const bytes = pbsSizeBytes(a.get('resources_used.mem')) ?? pbsSizeBytes(a.get('resources_used.vmem'));
  return bytes === null ? null : `${Math.ceil(bytes / 1024)}K`;
}

/** PBS's reading of a finished job: exit 0 completed; 256+N killed by signal N (271 = qdel's SIGTERM). */
export function pbsVerdict(job: PbsJob): Verdict | null {
  const a = job.attrs;
  const raw = a.get('exit_status');
  // A job that left the queue without an Exit_status yet has no evidence: it stays settling.
  if (raw === undefined || !/^-?\d+$/.test(raw.trim())) return null;
  const code = Number(raw.trim());
  const startedAt = pbsTimeToIso(a.get('start_time') ?? a.get('stime'));
  const finishedAt = pbsTimeToIso(a.get('comp_time') ?? a.get('obittime') ?? a.get('mtime'));
  const used = walltimeSeconds(a.get('resources_used.walltime'));
  const limit = walltimeSeconds(a.get('resource_list.walltime'));
  const base = { startedAt, finishedAt, maxRss: pbsMaxRss(a), cpuEfficiency: pbsCpuEfficiency(a) };
  const exitCode = code >= 256 ? 128 + (code - 256) : code < 0 ? null : code;
  if (code !== 0 && used !== null && limit !== null && used >= limit) {
    return { outcome: 'failed', exitCode, reason: 'Exceeded walltime', schedulerState: 'WALLTIME_EXCEEDED', ...base };
  }
  if (code === 0) return { outcome: 'completed', exitCode: 0, reason: null, schedulerState: 'COMPLETED', ...base };
  if (code === 271 || code === -29) return { outcome: 'cancelled', exitCode, reason: 'Cancelled (qdel)', schedulerState: 'CANCELLED', ...base };
  if (code < 0) return { outcome: 'failed', exitCode: null, reason: `PBS could not run the job (Exit_status ${code})`, schedulerState: 'FAILED', ...base };
  if (code > 256) return { outcome: 'failed', exitCode, reason: `Killed by signal ${code - 256}`, schedulerState: 'FAILED', ...base };
  return { outcome: 'failed', exitCode, reason: 'Non-zero exit code', schedulerState: 'FAILED', ...base };
}

export function parsePbsAccounting(stdout: string): Map<string, Verdict> {
  const out = new Map<string, Verdict>();
  for (const job of parseQstatFull(stdout)) {
    const v = pbsVerdict(job);
    if (v) out.set(job.jobId, v);
  }
  return out;
}

// ---------------------------------------------------------------- findByTags, cancel

export function pbsRecentJobsCommand(): string {
  // PBS Pro keeps history for job_history_duration; Torque (-x = XML) for keep_completed. Either way, names in full.
  return `${SCHED_ENV} qstat -x -f 2>/dev/null; true`;
}

export function parsePbsRecentJobs(stdout: string): TaggedJob[] {
  return parseQstatFull(stdout).map((j) => ({ jobId: j.jobId, name: j.attrs.get('job_name') ?? '' }));
}

export function qdelCommand(jobId: string): string {
  return cmd('qdel', ...checkIds([jobId]));
}

export function qdelWasNoop(stdout: string, stderr: string): boolean {
  return /Unknown Job Id|Job has finished|has already finished|Request invalid for state of job/i.test(`${stdout}\n${stderr}`);
}

// ---------------------------------------------------------------- cluster info

export function pbsClusterInfoCommand(): string {
  return `${SCHED_ENV} pbsnodes -a; echo ${shq(QUEUES_MARKER)}; ${SCHED_ENV} qstat -Q -f`;
}

function blocks(text: string, isHead: (line: string) => string | null): Array<{ name: string; attrs: Map<string, string> }> {
  const out: Array<{ name: string; attrs: Map<string, string> }> = [];
  let cur: { name: string; attrs: Map<string, string> } | null = null;
  let lastKey: string | null = null;
  for (const line of lines(text)) {
    const name = isHead(line);
    if (name !== null) {
      cur = { name, attrs: new Map() };
      out.push(cur);
      lastKey = null;
      continue;
    }
    if (!cur) continue;
    if (line.startsWith('\t') && lastKey) {
      cur.attrs.set(lastKey, (cur.attrs.get(lastKey) ?? '') + line.slice(1).trimEnd());
      continue;
    }
    const kv = /^\s+([A-Za-z_][\w.]*)\s=\s?(.*)$/.exec(line);
    if (kv) {
      lastKey = (kv[1] as string).toLowerCase();
      cur.attrs.set(lastKey, (kv[2] as string).trimEnd());
    } else if (line.trim() === '') lastKey = null;
  }
  return out;
}

function memMb(value: string | undefined): number | null {
  const m = /^(\d+)\s*([kmgt]?)b?$/i.exec((value ?? '').trim());
  if (!m) return null;
  const scale: Record<string, number> = { '': 1 / (1024 * 1024), k: 1 / 1024, m: 1, g: 1024, t: 1024 * 1024 };
  return Math.floor(Number(m[1]) * (scale[(m[2] as string).toLowerCase()] ?? 0));
}

/** pbsnodes -a (Torque `np`/`jobs`/`status`, PBS Pro `resources_available.*`/`resources_assigned.*`) rolled into
 * one partition named after the first execution queue; pending counts from the queues' `state_count`. */
export function parsePbsClusterInfo(stdout: string): ClusterInfo {
  const [nodesPart = '', queuesPart = ''] = stdout.replace(/\r\n?/g, '\n').split(QUEUES_MARKER);
  const nodes = blocks(nodesPart, (l) => (/^\S+\s*$/.test(l) ? l.trim() : null));
  const queues = blocks(queuesPart, (l) => /^Queue:\s*(\S+)/.exec(l)?.[1] ?? null);
  const exec = queues.find((q) => (q.attrs.get('queue_type') ?? '').toLowerCase().startsWith('e')) ?? null;
  const p: PartitionInfo = {
    name: exec?.name ?? 'default',
    isDefault: true,
    available: exec ? exec.attrs.get('enabled') !== 'False' && exec.attrs.get('started') !== 'False' : nodes.length > 0,
    cpusAllocated: 0,
    cpusIdle: 0,
    cpusOther: 0,
    cpusTotal: 0,
    nodes: nodes.length,
    memPerNodeMb: null,
    timeLimit: exec?.attrs.get('resources_max.walltime') ?? null,
    gpusTotal: 0,
  };
  for (const n of nodes) {
    const a = n.attrs;
    const total = Number(a.get('resources_available.ncpus') ?? a.get('np') ?? a.get('pcpus') ?? 0) || 0;
    const assigned = a.get('resources_assigned.ncpus');
    const torqueJobs = a.get('jobs');
    const state = (a.get('state') ?? '').toLowerCase();
    let used = assigned !== undefined ? Number(assigned) || 0 : torqueJobs ? torqueJobs.split(',').filter((s) => s.trim()).length : 0;
    if (used === 0 && /job-exclusive|busy/.test(state)) used = total;
    p.cpusTotal += total;
    if (/down|offline|drain|unknown/.test(state)) p.cpusOther += total;
    else {
      p.cpusAllocated += Math.min(used, total);
      p.cpusIdle += Math.max(0, total - used);
    }
    const mem = memMb(a.get('resources_available.mem') ?? /(?:^|,)physmem=([^,]+)/.exec(a.get('status') ?? '')?.[1]);
    if (mem !== null) p.memPerNodeMb = Math.max(p.memPerNodeMb ?? 0, mem);
    p.gpusTotal += Number(a.get('resources_available.ngpus') ?? a.get('gpus') ?? 0) || 0;
  }
  const pendingReasons: Record<string, number> = {};
  for (const q of queues) {
    for (const part of (q.attrs.get('state_count') ?? '').split(/\s+/)) {
      const [k, v] = part.split(':');
      if (k && ['Queued', 'Held', 'Waiting'].includes(k) && Number(v) > 0) pendingReasons[k] = (pendingReasons[k] ?? 0) + Number(v);
    }
  }
  return { partitions: nodes.length || exec ? [p] : [], pendingReasons };
}

// ---------------------------------------------------------------- the dialect objects

export function makePbsDialect(flavor: PbsFlavor): SchedulerDialect {
  return defineDialect({
    kind: 'pbs',
    submitVerb: 'qsub',
    directivePrefix: '#PBS',
    directives: (ctx, opts) => pbsDirectives(flavor, ctx, opts),
    schedulerJobName: pbsJobName,
    nameHasTag: pbsNameHasTag,
    submitCommand: () => 'qsub',
    parseSubmit: parseQsubOutput,
    verifyCommands: (ids) => {
      const list = checkIds(ids.split(' '));
      return [cmd('qstat', '-f', ...list), cmd('qstat', '-x', '-f', ...list)];
    },
    // qstat takes several ids as separate words.
    jobIdList: (ids) => ids.join(' '),
    queueCommand: qstatQueueCommand,
    parseQueue: parseQstatQueue,
    toExternal: pbsEntryToExternal,
    isActive: (e) => e.observation.state !== 'left',
    accountingCommand: pbsAccountingCommand,
    parseAccounting: parsePbsAccounting,
    // Never "off": qstat -x / tracejob always answer, possibly with nothing (then the job keeps settling).
    accountingDisabled: () => false,
    fallbackAccountingCommand: (ids) => pbsAccountingCommand(ids.map((jobId) => ({ jobId, submittedAt: '' }))) ?? 'true',
    parseFallbackAccounting: (stdout) => parsePbsAccounting(stdout),
    recentJobsCommand: () => pbsRecentJobsCommand(),
    parseRecentJobs: parsePbsRecentJobs,
    cancelCommand: qdelCommand,
    cancelWasNoop: qdelWasNoop,
    clusterInfoCommand: pbsClusterInfoCommand,
    parseClusterInfo: parsePbsClusterInfo,
    noAccountingNote: 'Final states come from `qstat -x -f` while PBS keeps finished jobs, then from `tracejob`.',
    fallbackFoundNothing: (stdout, stderr) => /Unknown Job Id/i.test(`${stdout}\n${stderr}`),
  });
}

export const pbsDialect = makePbsDialect('torque');
export const pbsProDialect = makePbsDialect('pro');
