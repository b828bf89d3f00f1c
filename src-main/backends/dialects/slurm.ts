// The Slurm dialect: #SBATCH directives, and the exact commands/parsers for sbatch, squeue, sacct, scontrol,
// scancel and sinfo. Pure: no I/O. Formats recorded from a real Slurm 22.05 (test/fixtures/slurm/).
import { cmd, shq } from '../../transport/quote';
import type { AccountingQuery, ExternalJob, ScriptContext } from '../types';
import type { QueueObservation, QueueState } from '../../model/queue-observation';
import type { Verdict } from '../../model/verdict';
import { defineDialect, type DirectiveOptions, type QueueEntry, type SchedulerDialect, type TaggedJob } from '../shell/dialect';
import type { ClusterInfo, PartitionInfo } from '../../model/cluster-info';

// Explicit env on each part of compound commands: runners prefix only the first simple command.
const SCHED_ENV = 'TZ=UTC LC_ALL=C';

/** squeue fields; the free-text job name is LAST so a `|` inside it cannot shift the other fields. */
export const SQUEUE_FORMAT = '%i|%T|%u|%P|%V|%S|%r|%j';
/** sacct fields; JobName last for the same reason. */
export const SACCT_FIELDS = 'JobID,State,ExitCode,Start,End,ElapsedRaw,AllocCPUS,TotalCPU,MaxRSS,AllocTRES,JobName';
export const SINFO_FORMAT = '%P|%a|%C|%D|%m|%l|%G';
const PENDING_MARKER = '--- scripthut pending reasons ---';

/** Long state names and squeue's short codes → queue state. */
const QUEUE_STATES: Record<string, QueueState> = {
  PENDING: 'pending', PD: 'pending',
  CONFIGURING: 'pending', CF: 'pending',
  REQUEUED: 'pending', RQ: 'pending',
  REQUEUE_FED: 'pending', RF: 'pending',
  REQUEUE_HOLD: 'pending', RH: 'pending',
  RESV_DEL_HOLD: 'pending', RD: 'pending',
  RUNNING: 'running', R: 'running',
  RESIZING: 'running', RS: 'running',
  SIGNALING: 'running', SI: 'running',
  COMPLETING: 'completing', CG: 'completing',
  STAGE_OUT: 'completing', SO: 'completing',
  SUSPENDED: 'suspended', S: 'suspended',
  STOPPED: 'suspended', ST: 'suspended',
  // Finished but still listed (squeue -t all keeps them for MinJobAge): the verdict comes from accounting.
  COMPLETED: 'left', CD: 'left',
  FAILED: 'left', F: 'left',
  CANCELLED: 'left', CA: 'left',
  TIMEOUT: 'left', TO: 'left',
  OUT_OF_MEMORY: 'left', OOM: 'left',
  NODE_FAIL: 'left', NF: 'left',
  PREEMPTED: 'left', PR: 'left',
  BOOT_FAIL: 'left', BF: 'left',
  DEADLINE: 'left', DL: 'left',
  SPECIAL_EXIT: 'left', SE: 'left',
  REVOKED: 'left', RV: 'left',
};

/** Final states and the human reason a failed/cancelled job gets. */
export const FAILURE_REASONS: Record<string, string> = {
  FAILED: 'Non-zero exit code',
  TIMEOUT: 'Exceeded walltime',
  OUT_OF_MEMORY: 'Out of memory (OOM killed)',
  CANCELLED: 'Cancelled',
  NODE_FAIL: 'Node failure',
  PREEMPTED: 'Preempted',
  DEADLINE: 'Deadline reached before the job could finish',
  BOOT_FAIL: 'Node boot failure',
  SPECIAL_EXIT: 'Special exit (job held for requeue)',
  REVOKED: 'Revoked (federated job ran elsewhere)',
};
const TERMINAL = new Set(['COMPLETED', ...Object.keys(FAILURE_REASONS)]);

/** First word, normalised: "CANCELLED by 1001" → CANCELLED; sacct's truncated "OUT_OF_ME+" → OUT_OF_MEMORY. */
export function normaliseState(raw: string): string {
  const t = raw.trim();
  const space = t.indexOf(' ');
  const word = (space < 0 ? t : t.slice(0, space)).toUpperCase();
  if (word.startsWith('OUT_OF_ME')) return 'OUT_OF_MEMORY';
  return word.replace(/\+$/, '');
}

export function queueStateOf(raw: string): QueueState {
  return QUEUE_STATES[normaliseState(raw)] ?? 'unknown';
}

/** Slurm prints local time without zone; scheduler commands run with TZ=UTC, so these are UTC. */
export function slurmTimeToIso(value: string | undefined): string | null {
  const v = (value ?? '').trim();
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}:\d{2})$/.exec(v);
  return m ? `${m[1]}T${m[2]}Z` : null;
}

/** `[[D-]HH:]MM:SS[.mmm]` → seconds. */
export function parseDuration(value: string | undefined): number | null {
  const v = (value ?? '').trim();
  const m = /^(?:(\d+)-)?(\d+(?::\d+){0,2})(?:\.(\d+))?$/.exec(v);
  if (!m) return null;
  const parts = (m[2] ?? '').split(':').map(Number);
  while (parts.length < 3) parts.unshift(0);
  const [h = 0, mi = 0, s = 0] = parts;
  return Number(m[1] ?? 0) * 86400 + h * 3600 + mi * 60 + s + (m[3] ? Number(`0.${m[3]}`) : 0);
}

const RSS_UNITS: Record<string, number> = { '': 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3, T: 1024 ** 4, P: 1024 ** 5 };
/** "2980K" → bytes (null when empty). */
export function parseRss(value: string | undefined): number | null {
  const m = /^([\d.]+)([KMGTP]?)$/i.exec((value ?? '').trim());
  if (!m) return null;
  return Number(m[1]) * (RSS_UNITS[(m[2] ?? '').toUpperCase()] ?? 1);
}

/** "3:0" → {exit 3, signal 0}. */
export function parseExitCode(value: string | undefined): { exit: number; signal: number } | null {
  const m = /^(\d+):(\d+)$/.exec((value ?? '').trim());
  return m ? { exit: Number(m[1]), signal: Number(m[2]) } : null;
}

function lines(text: string): string[] {
  return text.replace(/\r\n?/g, '\n').split('\n').map((l) => l.trimEnd()).filter((l) => l.trim() !== '');
}

/** Split `a|b|…|name` into `fixed` fields and a free-text last field that may itself contain `|`. */
function splitWithFreeLast(line: string, fixed: number): string[] | null {
  const out: string[] = new Array<string>(fixed + 1);
  let from = 0;
  for (let i = 0; i < fixed; i += 1) {
    const bar = line.indexOf('|', from);
    if (bar < 0) return null;
    out[i] = line.slice(from, bar);
    from = bar + 1;
  }
  out[fixed] = line.slice(from);
  return out;
}

// ---------------------------------------------------------------- directives

const SAFE_NAME = /[^A-Za-z0-9._+-]/g;

function pathDirectiveValue(field: string, value: string, taskId: string): string {
  if (/[\r\n"]/.test(value)) {
    throw new Error(`task '${taskId}': ${field} ${JSON.stringify(value)} cannot go into an #SBATCH directive (it contains a newline or a double quote); change it in the task definition`);
  }
  // Slurm expands %j, %u… in log paths: a literal % is written %%.
  const v = value.replace(/%/g, '%%');
  return /[\s'\\#]/.test(v) ? `"${v}"` : v;
}

function plainValue(field: string, value: string, taskId: string): string {
  if (!/^[A-Za-z0-9_.:,=+\-/@%()[\]]+$/.test(value)) {
    throw new Error(`task '${taskId}': ${field} '${value}' is not a valid Slurm value (only letters, digits and _.:,=+-/@%() are allowed); fix the task definition`);
  }
  return value;
}

export function slurmJobName(jobName: string, tag: string): string {
  const base = jobName.replace(SAFE_NAME, '_').slice(0, 150) || 'scripthut';
  const safeTag = tag.replace(SAFE_NAME, '_');
  if (base === safeTag || base.endsWith(`.${safeTag}`)) return base;
  return `${base}.${safeTag}`;
}

export function slurmNameHasTag(name: string, tag: string): boolean {
  const safeTag = tag.replace(SAFE_NAME, '_');
  return name === safeTag || name.endsWith(`.${safeTag}`);
}

export function slurmDirectives(ctx: ScriptContext, opts: DirectiveOptions): string[] {
  const { task } = ctx;
  const out = [`#SBATCH --job-name=${slurmJobName(ctx.jobName, ctx.tag)}`];
  const partition = task.partition ? (opts.partitionMap?.[task.partition] ?? task.partition) : (opts.defaultPartition ?? null);
  if (partition) out.push(`#SBATCH --partition=${plainValue('partition', partition, task.id)}`);
  if (opts.account) out.push(`#SBATCH --account=${plainValue('account', opts.account, task.id)}`);
  out.push(`#SBATCH --cpus-per-task=${Math.max(1, Math.floor(task.cpus || 1))}`);
  if (task.memory) out.push(`#SBATCH --mem=${plainValue('memory', task.memory, task.id)}`);
  if (task.time_limit) out.push(`#SBATCH --time=${plainValue('time_limit', task.time_limit, task.id)}`);
  if (task.gres) out.push(`#SBATCH --gres=${plainValue('gres', task.gres, task.id)}`);
  out.push(`#SBATCH --output=${pathDirectiveValue('output path', opts.logs.output, task.id)}`);
  out.push(`#SBATCH --error=${pathDirectiveValue('error path', opts.logs.error, task.id)}`);
  return out;
}

// ---------------------------------------------------------------- sbatch

/** `sbatch --parsable` prints `<id>` or `<id>;<cluster>`; plain sbatch prints `Submitted batch job <id>`. */
export function parseSbatchOutput(stdout: string, stderr = ''): string {
  const ids = new Set<string>();
  for (const line of lines(stdout)) {
    const t = line.trim();
    const parsable = /^(\d+)(?:;[\w.-]+)?$/.exec(t);
    const classic = /^Submitted batch job (\d+)(?:\s+on cluster \S+)?$/.exec(t);
    const id = parsable?.[1] ?? classic?.[1];
    if (id) ids.add(id);
  }
  if (ids.size === 1) return [...ids][0] as string;
  const shown = `stdout: ${JSON.stringify(stdout.trim().slice(0, 500))}${stderr.trim() ? `, stderr: ${JSON.stringify(stderr.trim().slice(0, 500))}` : ''}`;
  if (ids.size > 1) throw new Error(`sbatch output holds several job ids (${[...ids].join(', ')}); refusing to guess. ${shown}`);
  throw new Error(`Could not parse a job id from sbatch output (expected a line with only the job id). ${shown}`);
}

// ---------------------------------------------------------------- squeue

export function squeueCommand(): string {
  // -u "$(id -un)" rather than --me: works on Slurm older than 20.11 too. -t all: finished jobs stay visible
  // for MinJobAge, so their final state shows up one poll earlier.
  return `squeue -h -t all -u "$(id -un)" -o ${shq(SQUEUE_FORMAT)}`;
}

export function parseSqueue(stdout: string): QueueEntry[] {
  const out: QueueEntry[] = [];
  for (const line of lines(stdout)) {
    const f = splitWithFreeLast(line.trim(), 7);
    if (!f) continue;
    const [jobId = '', rawStateField = '', user = '', partition = '', submit = '', start = '', reasonField = '', name = ''] = f;
    if (!/^\d/.test(jobId)) continue;
    const rawState = normaliseState(rawStateField);
    const state = queueStateOf(rawState);
    const reason = reasonField && reasonField !== 'None' && reasonField !== '(null)' ? reasonField : null;
    const observation: QueueObservation = {
      state,
      rawState,
      pendingReason: state === 'pending' ? reason : null,
      // For finished or pending jobs %S is not a start (a job cancelled while pending shows its cancel time).
      startedAt: state === 'running' || state === 'completing' || state === 'suspended' ? slurmTimeToIso(start) : null,
    };
    out.push({ jobId, name, user, partition: partition || null, rawState, observation, submittedAt: slurmTimeToIso(submit), reason });
  }
  return out;
}

export function queueEntryToExternal(e: QueueEntry): ExternalJob {
  return {
    jobId: e.jobId,
    name: e.name,
    user: e.user,
    state: e.rawState,
    reason: e.reason,
    partition: e.partition,
    submittedAt: e.submittedAt,
    startedAt: e.observation.startedAt ?? null,
  };
}

// ---------------------------------------------------------------- sacct

function isoToSlurm(iso: string): string {
  return iso.replace(/\.\d+/, '').replace(/Z$|[+-]\d{2}:\d{2}$/, '');
}

/** ONE sacct call for all ids, starting at the oldest submission (minus an hour of clock skew). */
export function sacctCommand(queries: AccountingQuery[]): string | null {
  const ids = [...new Set(queries.map((q) => q.jobId).filter((id) => /^\d+(_\d+)?$/.test(id)))];
  if (ids.length === 0) return null;
  const times = queries.map((q) => Date.parse(q.submittedAt)).filter((t) => Number.isFinite(t));
  const oldest = times.length ? Math.min(...times) : Date.now() - 7 * 86400_000;
  const start = isoToSlurm(new Date(oldest - 3600_000).toISOString());
  return cmd('sacct', '-n', '-P', '-j', ids.join(','), '-S', start, '-o', SACCT_FIELDS);
}

interface SacctRow {
  jobId: string;
  state: string;
  exitCode: string;
  start: string;
  end: string;
  elapsedRaw: string;
  allocCpus: string;
  totalCpu: string;
  maxRss: string;
  allocTres: string;
  name: string;
}

function parseSacctRows(stdout: string): SacctRow[] {
  const rows: SacctRow[] = [];
  for (const line of lines(stdout)) {
    const f = splitWithFreeLast(line.trim(), 10);
    if (!f) continue;
    const [jobId = '', state = '', exitCode = '', start = '', end = '', elapsedRaw = '', allocCpus = '', totalCpu = '', maxRss = '', allocTres = '', name = ''] = f;
    rows.push({ jobId, state, exitCode, start, end, elapsedRaw, allocCpus, totalCpu, maxRss, allocTres, name });
  }
  return rows;
}

interface JobEvidence {
  state: string;
  exitCode: { exit: number; signal: number } | null;
  hasBatch: boolean;
  batchState: string | null;
  startedAt: string | null;
  finishedAt: string | null;
  maxRss: string | null;
  cpuEfficiency: number | null;
  /** What the allocation was charged on (`billing=4,cpu=4,mem=8G,node=1`); null when not reported. */
  allocTres?: string | null;
}

/** Map final evidence to a Verdict; null while the job is not finished. */
export function verdictFrom(ev: JobEvidence): Verdict | null {
  let state = ev.state;
  if (!TERMINAL.has(state)) return null;
  // A step that died (e.g. OUT_OF_MEMORY on .batch) while the allocation reads COMPLETED is still a failure.
  if (state === 'COMPLETED' && ev.batchState && ev.batchState !== 'COMPLETED' && FAILURE_REASONS[ev.batchState] && ev.batchState !== 'CANCELLED') {
    state = ev.batchState;
  }
  const code = ev.exitCode;
  // A signal becomes the shell's 128+N; Slurm's pseudo-signals above 64 (0:125 on OOM) are not signals: unknown.
  let exitCode: number | null = code ? (code.exit !== 0 ? code.exit : code.signal === 0 ? 0 : code.signal <= 64 ? 128 + code.signal : null) : null;
  // Never ran (cancelled while pending, boot failure…): there is no exit code to report.
  if (!ev.hasBatch && state !== 'COMPLETED' && state !== 'FAILED') exitCode = null;
  if (state === 'COMPLETED' && exitCode !== null && exitCode !== 0) state = 'FAILED';
  let reason: string | null = null;
  let outcome: Verdict['outcome'] = 'completed';
  if (state === 'CANCELLED') {
    outcome = 'cancelled';
    reason = FAILURE_REASONS.CANCELLED ?? 'Cancelled';
  } else if (state !== 'COMPLETED') {
    outcome = 'failed';
    reason = state === 'FAILED' && code && code.exit === 0 && code.signal !== 0 ? `Killed by signal ${code.signal}` : (FAILURE_REASONS[state] ?? `Slurm state ${state}`);
  }
  return {
    outcome,
    exitCode,
    reason,
    schedulerState: state,
    startedAt: ev.startedAt,
    finishedAt: ev.finishedAt,
    maxRss: ev.maxRss,
    cpuEfficiency: ev.cpuEfficiency,
    ...(ev.allocTres ? { allocTres: ev.allocTres } : {}),
  };
}

export function parseSacct(stdout: string): Map<string, Verdict> {
  type Acc = { main: SacctRow; batch: SacctRow | null; steps: SacctRow[] };
  const jobs = new Map<string, Acc>();
  for (const row of parseSacctRows(stdout)) {
    const dot = row.jobId.indexOf('.');
    if (dot < 0) {
      // A later main row for the same id (requeue, recycled id) replaces the earlier one with its steps.
      jobs.set(row.jobId, { main: row, batch: null, steps: [] });
      continue;
    }
    const acc = jobs.get(row.jobId.slice(0, dot));
    if (!acc) continue;
    acc.steps.push(row);
    if (row.jobId.slice(dot + 1) === 'batch') acc.batch = row;
  }
  const out = new Map<string, Verdict>();
  for (const [id, { main, batch, steps }] of jobs) {
    let maxRss: string | null = null;
    let maxBytes = -1;
    for (const r of [main, ...steps]) {
      const b = parseRss(r.maxRss);
      if (b !== null && b > maxBytes) {
        maxBytes = b;
        maxRss = r.maxRss.trim();
      }
    }
    const elapsed = Number(main.elapsedRaw);
    const cpus = Math.max(1, Number(main.allocCpus) || 1);
    const total = parseDuration(batch?.totalCpu) ?? parseDuration(main.totalCpu);
    const cpuEfficiency = total !== null && elapsed > 0 ? Math.round((total / (elapsed * cpus)) * 1000) / 10 : null;
    const verdict = verdictFrom({
      state: normaliseState(main.state),
      exitCode: parseExitCode(batch?.exitCode) ?? parseExitCode(main.exitCode),
      hasBatch: batch !== null,
      batchState: batch ? normaliseState(batch.state) : null,
      startedAt: slurmTimeToIso(main.start),
      finishedAt: slurmTimeToIso(main.end),
      maxRss,
      cpuEfficiency,
      // The allocation row carries what was charged; a job cancelled while pending has none.
      allocTres: main.allocTres.trim() || null,
    });
    if (verdict) out.set(id, verdict);
  }
  return out;
}

export function isAccountingDisabled(stdout: string, stderr: string): boolean {
  return /accounting storage is disabled/i.test(`${stdout}\n${stderr}`);
}

// ---------------------------------------------------------------- scontrol (no accounting)

export function scontrolJobsCommand(): string {
  // One call for all jobs (one line each); jobs stay there for MinJobAge after they end.
  return 'scontrol -o show job';
}

export function parseScontrolJobs(stdout: string, jobIds: string[]): Map<string, Verdict> {
  const wanted = new Set(jobIds);
  const out = new Map<string, Verdict>();
  for (const line of lines(stdout)) {
    const id = /(?:^|\s)JobId=(\d+)/.exec(line)?.[1];
    if (!id || !wanted.has(id)) continue;
    const field = (key: string) => new RegExp(`(?:^|\\s)${key}=(\\S*)`).exec(line)?.[1];
    const state = normaliseState(field('JobState') ?? '');
    const start = slurmTimeToIso(field('StartTime'));
    const verdict = verdictFrom({
      state,
      exitCode: parseExitCode(field('ExitCode')),
      // scontrol has no step rows: a job that started has run its batch script.
      hasBatch: start !== null,
      batchState: null,
      startedAt: start,
      finishedAt: slurmTimeToIso(field('EndTime')),
      maxRss: null,
      cpuEfficiency: null,
    });
    if (verdict) out.set(id, verdict);
  }
  return out;
}

// ---------------------------------------------------------------- findByTags, cancel, cluster info

export function recentJobsCommand(days: number): string {
  return cmd('sacct', '-n', '-P', '-X', '-S', `now-${Math.max(1, Math.ceil(days))}days`, '-o', 'JobID,JobName');
}

export function parseRecentJobs(stdout: string): TaggedJob[] {
  const out: TaggedJob[] = [];
  for (const line of lines(stdout)) {
    const f = splitWithFreeLast(line.trim(), 1);
    if (f && /^\d/.test(f[0] ?? '')) out.push({ jobId: f[0] as string, name: f[1] ?? '' });
  }
  return out;
}

export function scancelCommand(jobId: string): string {
  if (!/^\d+(_\d+)?$/.test(jobId)) throw new Error(`invalid Slurm job id '${jobId}'`);
  return cmd('scancel', jobId);
}

export function scancelWasNoop(stdout: string, stderr: string): boolean {
  return /already completing or completed|Invalid job id specified/i.test(`${stdout}\n${stderr}`);
}

export function clusterInfoCommand(): string {
  return `${SCHED_ENV} sinfo -h -o ${shq(SINFO_FORMAT)}; echo ${shq(PENDING_MARKER)}; ${SCHED_ENV} squeue -h -t PD -o %r`;
}

function gpusInGres(gres: string): number {
  let n = 0;
  for (const item of gres.split(/,(?![^(]*\))/)) {
    // gpu | gpu:N | gpu:type:N, optionally followed by (S:0-1) socket info.
    const parts = (item.trim().split('(')[0] ?? '').split(':');
    if (parts[0] !== 'gpu') continue;
    const last = parts[parts.length - 1] ?? '';
    n += parts.length > 1 && /^\d+$/.test(last) ? Number(last) : 1;
  }
  return n;
}

export function parseClusterInfo(stdout: string): ClusterInfo {
  const [sinfoPart = '', pendingPart = ''] = stdout.replace(/\r\n?/g, '\n').split(PENDING_MARKER);
  const byName = new Map<string, PartitionInfo>();
  for (const line of lines(sinfoPart)) {
    const [rawName = '', avail = '', cpus = '', nodes = '', mem = '', limit = '', gres = ''] = line.trim().split('|');
    const c = cpus.split('/').map(Number);
    if (!rawName || c.length !== 4 || c.some((x) => !Number.isFinite(x))) continue;
    const name = rawName.replace(/\*$/, '');
    const nodeCount = Number(nodes) || 0;
    const memMb = Number.parseInt(mem, 10);
    const p = byName.get(name) ?? {
      name,
      isDefault: rawName.endsWith('*'),
      available: avail === 'up',
      cpusAllocated: 0,
      cpusIdle: 0,
      cpusOther: 0,
      cpusTotal: 0,
      nodes: 0,
      memPerNodeMb: null,
      timeLimit: limit || null,
      gpusTotal: 0,
    };
    p.cpusAllocated += c[0] ?? 0;
    p.cpusIdle += c[1] ?? 0;
    p.cpusOther += c[2] ?? 0;
    p.cpusTotal += c[3] ?? 0;
    p.nodes += nodeCount;
    if (Number.isFinite(memMb)) p.memPerNodeMb = Math.max(p.memPerNodeMb ?? 0, memMb);
    p.gpusTotal += gpusInGres(gres) * nodeCount;
    byName.set(name, p);
  }
  const pendingReasons: Record<string, number> = {};
  for (const line of lines(pendingPart)) {
    const r = line.trim();
    pendingReasons[r] = (pendingReasons[r] ?? 0) + 1;
  }
  return { partitions: [...byName.values()], pendingReasons };
}

// ---------------------------------------------------------------- the dialect object

export const slurmDialect: SchedulerDialect = defineDialect({
  kind: 'slurm',
  submitVerb: 'sbatch',
  directivePrefix: '#SBATCH',
  directives: slurmDirectives,
  schedulerJobName: slurmJobName,
  nameHasTag: slurmNameHasTag,
  // No TZ/LC_ALL here on purpose: sbatch exports its environment into the job, and the user's locale must win.
  submitCommand: () => 'sbatch --parsable',
  parseSubmit: parseSbatchOutput,
  verifyCommands: (jobId) => [cmd('squeue', '-h', '-j', jobId, '-o', '%i'), cmd('sacct', '-n', '-P', '-X', '-j', jobId, '-o', 'JobID')],
  queueCommand: squeueCommand,
  parseQueue: parseSqueue,
  toExternal: queueEntryToExternal,
  isActive: (e) => e.observation.state !== 'left',
  accountingCommand: sacctCommand,
  parseAccounting: parseSacct,
  accountingDisabled: isAccountingDisabled,
  fallbackAccountingCommand: () => scontrolJobsCommand(),
  parseFallbackAccounting: parseScontrolJobs,
  recentJobsCommand,
  parseRecentJobs,
  cancelCommand: scancelCommand,
  cancelWasNoop: scancelWasNoop,
  clusterInfoCommand,
  parseClusterInfo,
  noAccountingNote:
    'Slurm accounting is disabled on this cluster: final states come from `scontrol show job` while the controller still ' +
    'remembers a job (MinJobAge); after that a finished job without a verdict is failed by the settling timer.',
  inspectCommand: (jobId) => `scontrol show job ${jobId}`,
  fallbackFoundNothing: (stdout, stderr) => /no jobs in the system/i.test(`${stdout}\n${stderr}`),
  // Slurm's word is `<id>` or `<id>;<cluster>`; `<id>.` would wrongly accept step ids.
  mentionsJob: (stdout, jobId) => stdout.split(/\s+/).some((w) => w === jobId || w.startsWith(`${jobId};`)),
  resolveHomeInDirective: (line, home) => line.replace(/=(")?~\//g, (_m, q: string | undefined) => `=${q ?? ''}${home}/`),
});
