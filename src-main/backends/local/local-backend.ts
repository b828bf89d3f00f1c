// The local backend: jobs run on this machine under a detached bash launcher that reaps them (or, on older bash, a
// bash supervisor per job), one spool folder each. The engine may be killed at any time; jobs keep running and a
// new engine adopts them by reading the spool (see spool.ts).
import { spawn } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { readdir, readFile, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { BackendKind } from '../../../src-shared/model/backend-kinds';
import { normaliseNewlines } from '../../transport/quote';
import { buildScript } from '../script-body';
import { taskFileName } from '../../../src-shared/workflow/task-file-name';
import { explainLostOnFullDisk } from '../../platform/disk-space';
import type { AccountingQuery, Backend, BackendCapabilities, FileListing, FileRead, ListFilesOptions, LogRead, LogReadOptions, PollResult, ScriptContext, SubmitRequest, SubmitResult } from '../types';
import type { BackendStatus } from '../../model/connection-state';
import type { QueueObservation } from '../../model/queue-observation';
import type { Verdict } from '../../model/verdict';
import { readLogFile } from './log-reader';
import { localMachineInfo } from './machine-info';
import type { ClusterInfo } from '../../model/cluster-info';
import { jobUmask } from '../../platform/private-data-dir';
import { isPidAlive, isSameProcessAlive, parsePidFile, parseReaperLine, processGroupExists, type RecordedProcess } from './process-identity';
import { JobLauncher, type ExitReport, type JobStart, type LauncherMode } from './launcher';
import {
  SPOOL_FILES,
  expandHome,
  exists,
  isValidJobId,
  jobIdForTag,
  parseExitCode,
  readMeta,
  readMetaSync,
  readTextOrNull,
  safeSegment,
  secondLine,
  writeFileAtomic,
  type JobMeta,
} from './spool';
import { supervisorScript } from './supervisor';
import { runLocalScript, type ScriptResult } from './run-script';
import { listLocalFiles, readLocalFiles } from './local-files';
import { latencyProbe } from '../../logging/latency-probe';

export interface LocalBackendOptions {
  name: string;
  dataDir: string;
  /** Jobs run at once; default: number of CPUs. */
  maxConcurrent?: number;
  pollIntervalMs?: number;
  /** Run job scripts with `bash -l` (login shell: ~/.bash_profile, modules…). */
  loginShell?: boolean;
  /** Time between SIGTERM and SIGKILL when cancelling (ms). */
  cancelGraceMs?: number;
  /** How long a spool folder may exist without its supervisor recording a pid before the job counts as lost. */
  startGraceMs?: number;
  /**
   * What starts supervisors (default: one long-lived bash launcher). When it refuses, each job gets a detached
   * bash of its own; tests pass a refusing one to prove that fallback.
   */
  launcher?: SupervisorStarter;
  /** 'supervisor' forces a bash supervisor per job even where the launcher could reap jobs itself (tests). */
  launcherMode?: LauncherMode;
}

/** The part of JobLauncher the backend uses. */
export interface SupervisorStarter {
  start(dir: string, job: JobStart): Promise<number>;
  close(): void;
}

export const LOST_REASON = 'lost: the process died without recording an exit code';
export const NEVER_STARTED_REASON = 'lost: the job never started (its supervisor did not record a pid)';

const READY: BackendStatus = { state: 'ready', detail: null, retryAt: null };

/** What the spool says about one job right now. */
interface JobEvidence {
  dir: string;
  meta: JobMeta | null;
  proc: RecordedProcess | null;
  alive: boolean;
  rc: number | null;
  cancelled: boolean;
  startedAt: string | null;
  finishedAt: string | null;
}

export class LocalBackend implements Backend {
  readonly name: string;
  readonly kind: BackendKind = 'local';
  readonly maxConcurrent: number;
  readonly pollIntervalMs: number;
  // No queue of its own to show; a few submissions at once overlap the spool writes with process start-up.
  readonly capabilities: BackendCapabilities = { sharedQueue: false, submitConcurrency: 4 };
  private readonly dataDir: string;
  private readonly jobEndListeners = new Set<() => void>();
  private readonly spoolRoot: string;
  private readonly loginShell: boolean;
  private readonly cancelGraceMs: number;
  private readonly startGraceMs: number;
  private readonly launcher: SupervisorStarter;
  /** Jobs this engine started through the launcher that have not reported their end yet: pid and start time. */
  private readonly live = new Map<string, { pid: number; startedAt: string; recorded: boolean }>();
  /** End reports not yet turned into verdicts. */
  private readonly reports = new Map<string, ExitReport>();
  /** Log folders already made by this engine (thousands of tasks of a run share one). */
  private readonly madeDirs = new Set<string>();
  /** Spool folders written ahead (see stage), by tag: what they hold, to check against the request submitted. */
  private readonly staged = new Map<string, { runId: string; dir: string; script: string; supervisor: string }>();

  constructor(opts: LocalBackendOptions) {
    if (process.platform === 'win32') {
      throw new Error(
        `local backend '${opts.name}' needs a POSIX system (bash, process groups); it is not available on Windows. ` +
          'Use a Slurm, PBS or AWS backend instead, or run ScriptHut under WSL.',
      );
    }
    this.name = opts.name;
    this.dataDir = path.resolve(expandHome(opts.dataDir));
    this.spoolRoot = path.join(this.dataDir, 'local-jobs', safeSegment(opts.name));
    this.maxConcurrent = Math.max(1, opts.maxConcurrent ?? (os.cpus().length || 4));
    this.pollIntervalMs = opts.pollIntervalMs ?? 1000;
    this.loginShell = opts.loginShell ?? false;
    this.cancelGraceMs = opts.cancelGraceMs ?? 3000;
    this.startGraceMs = opts.startGraceMs ?? 60_000;
    this.launcher = opts.launcher ?? new JobLauncher((r) => this.onExitReport(r), opts.launcherMode ?? 'auto');
  }

  status(): BackendStatus {
    return READY;
  }

  onStatusChange(): () => void {
    // Always ready: nothing to report.
    return () => {};
  }

  clusterInfo(): Promise<ClusterInfo> {
    return Promise.resolve(localMachineInfo(this.live.size));
  }

  /**
   * Supervisors this engine started are its children until they exit (after writing rc), so their exit is the
   * moment a verdict exists. Jobs adopted from an earlier engine are not our children: the poll still finds them.
   */
  onJobEnd(listener: () => void): () => void {
    this.jobEndListeners.add(listener);
    return () => this.jobEndListeners.delete(listener);
  }

  private jobEnded(): void {
    for (const l of this.jobEndListeners) l();
  }

  private onExitReport(r: ExitReport): void {
    // Only jobs this engine's launcher started report here. The report may come before the launcher's "started"
    // line has been read: it is kept either way, and startSupervisor then does not count the job as live.
    latencyProbe.jobDone(r.jobId);
    this.live.delete(r.jobId);
    if (this.reports.size > 100_000) this.reports.clear(); // verdicts not asked for: the spool still has them
    this.reports.set(r.jobId, r);
    this.jobEnded();
  }

  /** The launcher starts the job (a fork); if it cannot, a detached bash supervisor of its own does (a spawn). */
  private async startSupervisor(jobId: string, dir: string, logs: { output: string; error: string } | undefined): Promise<number> {
    let pid: number;
    try {
      // (A folder whose facts lack the log paths can only be started through its own supervisor.)
      if (!logs) throw new Error('no log paths');
      pid = await this.launcher.start(dir, { ...logs, loginShell: this.loginShell, umask: jobUmask() });
    } catch {
      // The supervisor's lock makes a second start harmless if the launcher did start it before failing.
      pid = await spawnDetached(dir, () => this.jobEnded());
      return pid;
    }
    // Pid 0: the folder's lock was already taken (started before) or it was cancelled before it started.
    if (pid > 1 && !this.reports.has(jobId)) this.live.set(jobId, { pid, startedAt: new Date().toISOString().replace(/\.\d+Z$/, 'Z'), recorded: false });
    return pid;
  }

  private mkdirOnce(dir: string): void {
    if (this.madeDirs.has(dir)) return;
    mkdirSync(dir, { recursive: true });
    if (this.madeDirs.size > 10_000) this.madeDirs.clear();
    this.madeDirs.add(dir);
  }

  defaultLogPaths(runId: string, taskId: string, attempt: number): { output: string; error: string } {
    const base = path.join(this.dataDir, 'logs', safeSegment(runId), `${taskFileName(taskId)}.${attempt}`);
    return { output: `${base}.out`, error: `${base}.err` };
  }

  outputDir(runId: string, taskId: string): string {
    return path.join(this.dataDir, 'outputs', safeSegment(runId), taskFileName(taskId));
  }

  buildScript(ctx: ScriptContext): string {
    // Log redirection is done by the supervisor, so the header only names the job for someone reading the spool.
    return buildScript(ctx, { header: [`# ScriptHut local job ${ctx.jobName.replace(/[\r\n]/g, ' ')}`], loginShell: this.loginShell });
  }

  /** Spool folder of a job id (exposed for diagnostics and tests). */
  jobDir(jobId: string): string {
    if (!isValidJobId(jobId)) throw new Error(`invalid local job id '${jobId}' on backend '${this.name}'`);
    return path.join(this.spoolRoot, jobId);
  }

  /**
   * Writes the spool folders of the requests likely to be submitted next while the slots are busy: the folder,
   * the script and the supervisor without its last line (the job's facts). A folder without that line is one an
   * engine stopped filling, which nothing starts (findByTags does not find it; submit writes it again), so a
   * staged folder is never a job, whatever happens to the engine. Submitting a staged request appends the line.
   */
  stage(reqs: SubmitRequest[]): void {
    const keep = new Set(reqs.map((r) => r.tag));
    for (const [tag, s] of this.staged) {
      if (keep.has(tag)) continue;
      this.staged.delete(tag);
      rmSync(s.dir, { recursive: true, force: true });
    }
    for (const req of reqs) {
      if (this.staged.has(req.tag)) continue;
      const f = this.spoolFiles(req);
      try {
        if (!this.makeSpoolFolder(f.dir)) continue; // already a submitted job: not ours to touch
        this.makeOutputDir(req);
        writeFileSync(path.join(f.dir, SPOOL_FILES.script), f.script, { mode: 0o700 });
        writeFileSync(path.join(f.dir, SPOOL_FILES.supervisor), f.body, { mode: 0o700 });
        this.staged.set(req.tag, { runId: req.runId, dir: f.dir, script: f.script, supervisor: f.body });
      } catch {
        // Staging only saves time: submit writes the folder as if it had never been staged.
        rmSync(f.dir, { recursive: true, force: true });
      }
    }
  }

  /** What a request's spool folder holds; `body` is the supervisor without the facts line, `full` with it. */
  private spoolFiles(req: SubmitRequest) {
    const jobId = jobIdForTag(req.tag);
    const dir = this.jobDir(jobId);
    const output = path.resolve(expandHome(req.logs.output));
    const error = path.resolve(expandHome(req.logs.error));
    // The file-system steps are synchronous: each is a few microseconds of page cache, and as promises their
    // thread-pool round trips cost the engine more CPU than the job itself when thousands of short jobs run.
    this.mkdirOnce(path.dirname(output));
    this.mkdirOnce(path.dirname(error));
    this.mkdirOnce(this.spoolRoot);
    const meta: JobMeta = {
      tag: req.tag,
      runId: req.runId,
      taskId: req.taskId,
      attempt: req.attempt,
      jobName: req.jobName,
      backend: this.name,
      submitted_at: new Date().toISOString(),
      logs: { output, error },
    };
    const sup = { output, error, loginShell: this.loginShell, jobUmask: jobUmask() };
    return { jobId, dir, output, error, script: normaliseNewlines(req.script), body: supervisorScript(sup), full: supervisorScript({ ...sup, meta }) };
  }

  /** Made by the engine, with its private umask, before the job (which runs with the user's) can create it. */
  private makeOutputDir(req: SubmitRequest): void {
    mkdirSync(this.outputDir(req.runId, req.taskId), { recursive: true });
  }

  /**
   * mkdir is the exclusive create (same tag = same attempt, never started twice). A folder that is already there
   * is either a submitted job (false: leave it) or one an engine stopped filling, made again empty.
   */
  private makeSpoolFolder(dir: string): boolean {
    try {
      mkdirSync(dir);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw new Error(`local backend '${this.name}': cannot create spool folder ${dir}: ${(e as Error).message}`);
      if (readMetaSync(dir)) return false;
      rmSync(dir, { recursive: true, force: true });
      mkdirSync(dir);
    }
    return true;
  }

  async submit(req: SubmitRequest): Promise<SubmitResult> {
    const staged = this.staged.get(req.tag);
    this.staged.delete(req.tag);
    const f = this.spoolFiles(req);
    const { jobId, dir } = f;
    // A staged folder that holds exactly this request becomes a job by its last line; anything else is written
    // the long way.
    const tail = f.full.startsWith(f.body) ? f.full.slice(f.body.length) : null;
    let written = false;
    if (staged && tail !== null && staged.dir === dir && staged.script === f.script && staged.supervisor === f.body) {
      try {
        appendFileSync(path.join(dir, SPOOL_FILES.supervisor), tail);
        written = true;
      } catch {
        // (removed meanwhile, disk full) written again below
      }
    }
    if (!written) {
      // No temporary folder and rename: the supervisor, whose last line carries the job's facts, is written last in
      // one write — a folder without that line is one an engine stopped filling, which nothing has started.
      this.makeOutputDir(req);
      if (!this.makeSpoolFolder(dir)) return { jobId, submitOutput: `already submitted: spool ${dir} exists` };
      try {
        writeFileSync(path.join(dir, SPOOL_FILES.script), f.script, { mode: 0o700 });
        writeFileSync(path.join(dir, SPOOL_FILES.supervisor), f.full, { mode: 0o700 });
      } catch (e) {
        // (e.g. a full disk) No half folder is left behind; a later submit would also redo one.
        rmSync(dir, { recursive: true, force: true });
        throw e;
      }
    }
    latencyProbe.submitStep(req.tag, 'spool');
    try {
      const started = this.startSupervisor(jobId, dir, { output: f.output, error: f.error });
      latencyProbe.submitStep(req.tag, 'startLine');
      const pid = await started;
      latencyProbe.submitStep(req.tag, 'pid');
      return { jobId, submitOutput: `started local job ${jobId} (pid ${pid}) in ${dir}` };
    } catch (e) {
      // Nothing runs: remove the evidence so a retry can submit again.
      await rm(dir, { recursive: true, force: true });
      throw new Error(`local backend '${this.name}': cannot start bash for job ${jobId}: ${(e as Error).message}. Is bash installed and on PATH?`);
    }
  }

  /**
   * Folders an earlier engine wrote ahead (or began for a submission) and never made jobs: no facts line, no pid,
   * no rc. Nothing can start them (a supervisor starts only after the facts line) and their tasks may since have
   * been cancelled or their run deleted, so nothing else would ever remove them. Only folders older than this
   * process are touched: whatever this engine writes ahead is its own to use or remove.
   */
  async removeLeftovers(): Promise<number> {
    const bornMs = performance.timeOrigin;
    let names: string[];
    try {
      names = await readdir(this.spoolRoot);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return 0;
      throw e;
    }
    let removed = 0;
    for (const name of names) {
      if (!isValidJobId(name)) continue;
      const dir = this.jobDir(name);
      // A cheap async look first; the decision itself is re-checked synchronously right before the removal, so no
      // submit of this engine can turn the folder into a job between the check and the rm.
      if (!(await this.isLeftover(dir, bornMs))) continue;
      if (!this.isLeftoverSync(dir, bornMs)) continue;
      rmSync(dir, { recursive: true, force: true });
      removed++;
    }
    return removed;
  }

  private async isLeftover(dir: string, bornMs: number): Promise<boolean> {
    try {
      const st = await stat(dir);
      if (!st.isDirectory() || st.mtimeMs >= bornMs) return false;
    } catch {
      return false;
    }
    for (const f of [SPOOL_FILES.pid, SPOOL_FILES.rc, SPOOL_FILES.launched, SPOOL_FILES.meta]) if (await exists(path.join(dir, f))) return false;
    return (await readMeta(dir)) === null;
  }

  private isLeftoverSync(dir: string, bornMs: number): boolean {
    try {
      const st = statSync(dir);
      if (!st.isDirectory() || st.mtimeMs >= bornMs) return false;
    } catch {
      return false;
    }
    for (const f of [SPOOL_FILES.pid, SPOOL_FILES.rc, SPOOL_FILES.launched, SPOOL_FILES.meta]) if (existsSync(path.join(dir, f))) return false;
    return readMetaSync(dir) === null;
  }

  async findByTags(tags: string[]): Promise<Map<string, string>> {
    const found = new Map<string, string>();
    await Promise.all(
      tags.map(async (tag) => {
        const jobId = jobIdForTag(tag);
        const dir = this.jobDir(jobId);
        const meta = await readMeta(dir);
        if (!meta || meta.tag !== tag) return;
        found.set(tag, jobId);
        // An engine killed between creating the spool and starting the supervisor left a job that never ran:
        // start it now (the supervisor's lock guarantees it runs at most once).
        if (!(await exists(path.join(dir, SPOOL_FILES.pid))) && !(await exists(path.join(dir, SPOOL_FILES.launched)))) await this.startSupervisor(jobId, dir, meta.logs).catch(() => undefined);
      }),
    );
    return found;
  }

  async poll(trackedJobIds: string[]): Promise<PollResult> {
    const jobs = new Map<string, QueueObservation>();
    await Promise.all(
      trackedJobIds.map(async (jobId) => {
        if (!isValidJobId(jobId)) return;
        // Ended (reported) jobs are out of the queue; jobs started here and still alive need no spool read.
        if (this.reports.has(jobId)) return;
        const mine = this.live.get(jobId);
        if (mine && isPidAlive(mine.pid)) {
          // Running once the supervisor has recorded itself (what cancel and a later engine rely on).
          mine.recorded ||= existsSync(path.join(this.jobDir(jobId), SPOOL_FILES.pid));
          jobs.set(jobId, mine.recorded ? { state: 'running', rawState: 'RUNNING', startedAt: mine.startedAt } : { state: 'pending', rawState: 'STARTING', pendingReason: 'supervisor starting' });
          return;
        }
        const ev = await this.evidence(jobId);
        if (!ev || ev.rc !== null) return;
        if (ev.alive) {
          jobs.set(jobId, { state: 'running', rawState: 'RUNNING', startedAt: ev.startedAt });
        } else if (!ev.proc && this.withinStartGrace(ev)) {
          jobs.set(jobId, { state: 'pending', rawState: 'STARTING', pendingReason: 'supervisor starting' });
        }
      }),
    );
    return { jobs, external: [] };
  }

  async accounting(queries: AccountingQuery[]): Promise<Map<string, Verdict>> {
    const verdicts = new Map<string, Verdict>();
    await Promise.all(
      queries.map(async ({ jobId }) => {
        if (!isValidJobId(jobId)) return;
        const report = this.reports.get(jobId);
        if (report) {
          this.reports.delete(jobId);
          // A cancel that reached the job after its supervisor looked for the marker still counts as a cancel.
          const cancelled = report.cancelled || (report.rc !== 0 && (await exists(path.join(this.jobDir(jobId), SPOOL_FILES.cancelled))));
          verdicts.set(jobId, verdictOf({ ...report, cancelled, proc: null }));
          return;
        }
        const ev = await this.evidence(jobId);
        if (!ev) return;
        // rc is the supervisor's last act, so an rc file is final even while the supervisor is still exiting.
        if (ev.rc === null && (ev.alive || (!ev.proc && this.withinStartGrace(ev)))) return;
        verdicts.set(jobId, explainLostOnFullDisk(verdictOf(ev), this.spoolRoot));
      }),
    );
    return verdicts;
  }

  async cancel(jobId: string): Promise<void> {
    const dir = this.jobDir(jobId);
    if (!(await exists(dir))) throw new Error(`local backend '${this.name}': no job ${jobId} (spool folder ${dir} does not exist)`);
    if (parseExitCode(await readTextOrNull(path.join(dir, SPOOL_FILES.rc))) !== null) return; // already finished
    // The marker first: whatever happens next, accounting reports this job as cancelled.
    await writeFileAtomic(path.join(dir, SPOOL_FILES.cancelled), new Date().toISOString() + '\n');

    const deadline = Date.now() + this.cancelGraceMs;
    // A supervisor that has not recorded its pid yet sees the marker and does not start the script; wait briefly
    // in case it is between the two.
    let proc = await this.recordedProcess(dir);
    while (!proc && Date.now() < deadline) {
      // Cancelled before it started: the launcher wrote its rc without a process to signal.
      if (parseExitCode(await readTextOrNull(path.join(dir, SPOOL_FILES.rc))) !== null) return;
      await sleep(50);
      proc = await this.recordedProcess(dir);
    }
    if (!proc || !(await isSameProcessAlive(proc))) return;
    // The recorded process (the job under a reaper, the supervisor otherwise) leads the job's process group.
    killGroup(proc.pid, 'SIGTERM');
    while (Date.now() < deadline && (await isSameProcessAlive(proc))) await sleep(50);
    // Anything still in the group (a script ignoring TERM, background children) is killed for good.
    if (processGroupExists(proc.pid)) killGroup(proc.pid, 'SIGKILL');
  }

  async removeRunFiles(runId: string, jobIds: string[]): Promise<void> {
    for (const [tag, st] of this.staged) {
      if (st.runId !== runId) continue;
      this.staged.delete(tag);
      jobIds = [...jobIds, path.basename(st.dir)];
    }
    const dirs = [path.join(this.dataDir, 'logs', safeSegment(runId)), path.join(this.dataDir, 'outputs', safeSegment(runId))];
    for (const jobId of jobIds) if (isValidJobId(jobId)) dirs.push(this.jobDir(jobId));
    await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
  }

  async readLog(file: string, opts: LogReadOptions): Promise<LogRead> {
    return readLogFile(path.resolve(expandHome(file)), opts);
  }

  async readFile(file: string): Promise<string> {
    const full = path.resolve(expandHome(file));
    try {
      return await readFile(full, 'utf8');
    } catch (e) {
      throw new Error(`local backend '${this.name}': cannot read ${full}: ${(e as Error).message}`);
    }
  }

  /** stacks feature: a one-off script on this machine (stack check/delete), like the shell backends' runScript. */
  runScript(script: string, opts: { stdin?: string; timeoutMs?: number } = {}): Promise<ScriptResult> {
    return runLocalScript(script, { ...opts, loginShell: this.loginShell });
  }

  listFiles(dir: string, opts: ListFilesOptions): Promise<FileListing> {
    return listLocalFiles(dir, opts);
  }

  readFiles(dir: string, paths: string[], maxBytes: number): Promise<FileRead[]> {
    return readLocalFiles(dir, paths, maxBytes);
  }

  async close(): Promise<void> {
    // Jobs are detached on purpose: they keep running and the next engine adopts them from the spool.
    this.launcher.close();
    // Folders written ahead are not jobs; the next engine would write them again anyway.
    for (const st of this.staged.values()) rmSync(st.dir, { recursive: true, force: true });
    this.staged.clear();
  }

  private async recordedProcess(dir: string): Promise<RecordedProcess | null> {
    const text = await readTextOrNull(path.join(dir, SPOOL_FILES.pid));
    return text === null ? null : parsePidFile(text);
  }

  private withinStartGrace(ev: JobEvidence): boolean {
    const submitted = ev.meta ? Date.parse(ev.meta.submitted_at) : NaN;
    return Number.isFinite(submitted) && Date.now() - submitted < this.startGraceMs;
  }

  private async evidence(jobId: string): Promise<JobEvidence | null> {
    const dir = this.jobDir(jobId);
    try {
      if (!(await stat(dir)).isDirectory()) return null;
    } catch {
      return null;
    }
    const pidText = await readTextOrNull(path.join(dir, SPOOL_FILES.pid));
    const proc = pidText === null ? null : parsePidFile(pidText);
    // Liveness BEFORE the rc file: a supervisor writes rc and then exits, so "dead, then no rc" really means lost.
    // Under a reaper the job exits first and its launcher writes rc after reaping it: while that launcher lives,
    // the rc is still coming; once it is gone too (SIGKILL), a job without rc is lost.
    const reaper = pidText === null ? null : parseReaperLine(pidText);
    const alive = proc ? (await isSameProcessAlive(proc)) || (reaper !== null && (await isSameProcessAlive(reaper))) : false;
    const [rcText, cancelled, meta] = await Promise.all([readTextOrNull(path.join(dir, SPOOL_FILES.rc)), exists(path.join(dir, SPOOL_FILES.cancelled)), readMeta(dir)]);
    // The stamps follow the pid and the rc; a folder written by an earlier version has them in files of their own.
    const stamp = async (inline: string | null, file: string) => inline ?? ((await readTextOrNull(path.join(dir, file)))?.trim() || null);
    return {
      dir,
      meta,
      proc,
      alive,
      rc: parseExitCode(rcText),
      cancelled,
      startedAt: await stamp(secondLine(pidText), SPOOL_FILES.startedAt),
      finishedAt: await stamp(secondLine(rcText), SPOOL_FILES.finishedAt),
    };
  }
}

/** The final word on a job that is no longer running. */
export function verdictOf(ev: Pick<JobEvidence, 'rc' | 'cancelled' | 'proc' | 'startedAt' | 'finishedAt'>): Verdict {
  const times = { startedAt: ev.startedAt, finishedAt: ev.finishedAt };
  const { rc } = ev;
  // A job that finished cleanly before the cancel reached it did complete.
  if (rc === 0) return { outcome: 'completed', exitCode: 0, reason: null, schedulerState: 'COMPLETED', ...times };
  if (ev.cancelled) return { outcome: 'cancelled', exitCode: rc, reason: 'Cancelled', schedulerState: 'CANCELLED', ...times };
  if (rc === null) {
    return { outcome: 'failed', exitCode: null, reason: ev.proc ? LOST_REASON : NEVER_STARTED_REASON, schedulerState: 'LOST', ...times };
  }
  if (rc > 128 && rc < 128 + 65) {
    return { outcome: 'failed', exitCode: rc, reason: `Killed by signal ${rc - 128}`, schedulerState: 'FAILED', ...times };
  }
  return { outcome: 'failed', exitCode: rc, reason: 'Non-zero exit code', schedulerState: 'FAILED', ...times };
}

function killGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ESRCH') throw e;
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Starts the supervisor in its own session (setsid), detached from the engine's lifetime and stdio. */
function spawnDetached(dir: string, onExit: () => void): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', [SPOOL_FILES.supervisor], { cwd: dir, detached: true, stdio: 'ignore' });
    child.once('error', reject);
    // unref() below only stops the child from keeping the engine alive; its exit is still reported while we run.
    child.once('exit', onExit);
    child.once('spawn', () => {
      child.unref();
      resolve(child.pid ?? -1);
    });
  });
}
