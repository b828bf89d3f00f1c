// A batch-scheduler backend = a dialect (pure commands + parsers) run over a CommandRunner (SSH or local bash).
// Budget per call: poll = 1 queue command, accounting = 1 accounting command (+1 fallback on clusters without
// accounting), submit = sbatch + a verification (both shared by submissions that overlap), findByTags = 1 queue + 1 accounting.
import { randomBytes } from 'node:crypto';
import type { BackendKind } from '../../../src-shared/model/backend-kinds';
import { buildScript as buildScriptBody } from '../script-body';
import { taskFileName } from '../../../src-shared/workflow/task-file-name';
import { heredoc, shPath, shq } from '../../transport/quote';
import type { CommandRunner, RunResult } from '../../transport/runner';
import type { CommandKind } from '../../model/command-log-entry';
import { listFilesCommand, parseFileListing, parseReadFiles, readFilesCommand } from './remote-files';
import type { AccountingQuery, Backend, BackendCapabilities, FileListing, FileRead, ListFilesOptions, LogRead, LogReadOptions, PollResult, ScriptContext, SubmitRequest, SubmitResult } from '../types';
import type { BackendStatus } from '../../model/connection-state';
import type { QueueObservation } from '../../model/queue-observation';
import type { Verdict } from '../../model/verdict';
import type { SchedulerDialect } from './dialect';
import type { ClusterInfo } from '../../model/cluster-info';
import { MAX_READ_BYTES, MAX_WHOLE_READ_BYTES } from '../local/log-reader';
import { ApiError } from '../../../src-shared/api/contract';

export interface ShellBackendOptions {
  maxConcurrent: number;
  pollIntervalMs: number;
  /** Where logs and task outputs go on the cluster. `~` means the login user's $HOME. */
  logRoot?: string;
  account?: string | null;
  partitionMap?: Record<string, string>;
  defaultPartition?: string | null;
  /** Queue every job goes to, whatever the task's partition says (PBS backends' `queue`). */
  queue?: string | null;
  loginShell?: boolean;
  /** How far back findByTags looks in accounting (days). */
  tagLookbackDays?: number;
  commandTimeoutMs?: number;
  /** Close the runner in close() (false when the runner is shared, e.g. an SSH pool). Default true. */
  closeRunner?: boolean;
}

/** Coalescing limits: scripts per batched submit command, its size (Linux caps one argv word at 128 KiB), and
 * how many submit commands may be on the wire at once. */
const SUBMIT_BATCH_MAX = 32;
const SUBMIT_BATCH_BYTES = 96 * 1024;
const SUBMIT_COMMANDS_IN_FLIGHT = 2;
/** Fewer queued submissions than this go in one command: splitting them saves less than a command costs. */
const SUBMIT_SPLIT_FROM = 16;

interface QueuedSubmit {
  dirs: string[];
  script: string;
  resolve: (r: SubmitResult) => void;
  reject: (e: Error) => void;
}

const DEFAULT_LOG_ROOT = '~/.cache/scripthut/logs';
/** Run ids name folders that `rm -rf` acts on: no `/`, no `..`, no leading dot or dash. */
const RUN_ID = /^[A-Za-z0-9][A-Za-z0-9_-]*$/;
const MISSING = 'SCRIPTHUT_LOG_MISSING';
const SIZE = 'SCRIPTHUT_LOG_SIZE';
const TOO_BIG = 'SCRIPTHUT_LOG_TOO_BIG';

function oneLine(text: string, max = 2000): string {
  const t = text.trim();
  return t.length > max ? `${t.slice(0, max)}…` : t;
}

function dirname(path: string): string {
  const i = path.lastIndexOf('/');
  if (i < 0) return '.';
  return i === 0 ? '/' : path.slice(0, i);
}

export class ShellBackend implements Backend {
  readonly kind: BackendKind;
  readonly maxConcurrent: number;
  readonly pollIntervalMs: number;
  // A wave of the engine fills one submit command; one more wave than there are commands waits, queued, so a
  // command that ends takes the next wave at once instead of waiting for the engine to record its answers.
  readonly capabilities: BackendCapabilities = { sharedQueue: true, submitConcurrency: SUBMIT_BATCH_MAX, submitWavesInFlight: SUBMIT_COMMANDS_IN_FLIGHT + 1, backfill: true };
  private readonly logRoot: string;
  private home: string | null = null;
  private homeLookup: Promise<string> | null = null;
  private accountingOff = false;
  private state: BackendStatus = { state: 'ready', detail: null, retryAt: null };
  private readonly listeners = new Set<(s: BackendStatus) => void>();
  private readonly submitQueue: QueuedSubmit[] = [];
  private submitsInFlight = 0;
  private pumpScheduled = false;

  constructor(
    readonly name: string,
    private readonly dialect: SchedulerDialect,
    private readonly runner: CommandRunner,
    private readonly opts: ShellBackendOptions,
  ) {
    this.kind = dialect.kind;
    this.maxConcurrent = opts.maxConcurrent;
    this.pollIntervalMs = opts.pollIntervalMs;
    this.logRoot = (opts.logRoot ?? DEFAULT_LOG_ROOT).replace(/\/+$/, '');
  }

  // ------------------------------------------------------------ status

  status(): BackendStatus {
    return this.state;
  }

  onStatusChange(listener: (s: BackendStatus) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private setStatus(state: BackendStatus['state'], detail: string | null): void {
    if (this.state.state === state && this.state.detail === detail) return;
    this.state = { state, detail, retryAt: null };
    for (const l of this.listeners) l(this.state);
  }

  private async exec(command: string, kind: CommandKind, stdin?: string): Promise<RunResult> {
    let res: RunResult;
    try {
      res = await this.runner.run(command, { kind, stdin, timeoutMs: this.opts.commandTimeoutMs ?? 60_000 });
    } catch (err) {
      this.setStatus('error', `${this.runner.label}: ${(err as Error)?.message ?? String(err)}`);
      throw err;
    }
    if (res.exitCode === -1) this.setStatus('error', `${this.runner.label}: could not run a command: ${oneLine(res.stderr, 300)}`);
    else if (res.timedOut) this.setStatus('error', `${this.runner.label}: command timed out`);
    else this.setStatus('ready', this.accountingOff ? this.dialect.noAccountingNote : null);
    return res;
  }

  // ------------------------------------------------------------ paths and scripts

  defaultLogPaths(runId: string, taskId: string, attempt: number): { output: string; error: string } {
    const base = `${this.logRoot}/${runId}/${taskFileName(taskId)}.${attempt}`;
    return { output: `${base}.out`, error: `${base}.err` };
  }

  outputDir(runId: string, taskId: string): string | null {
    return `${this.logRoot}/outputs/${runId}/${taskFileName(taskId)}`;
  }

  /** $HOME of the login user, learned once (Slurm does not expand `~` in #SBATCH paths). */
  async remoteHome(): Promise<string> {
    if (this.home) return this.home;
    // Submissions start in bursts: they share one lookup instead of each asking.
    this.homeLookup ??= this.lookUpHome().finally(() => {
      this.homeLookup = null;
    });
    return this.homeLookup;
  }

  private async lookUpHome(): Promise<string> {
    const res = await this.exec(`printf '%s\\n' "$HOME"`, 'io');
    const home = res.stdout.trim().split('\n').pop()?.trim() ?? '';
    if (res.exitCode !== 0 || !home.startsWith('/')) {
      throw new Error(`${this.name}: could not learn $HOME on ${this.runner.label} (exit ${res.exitCode}): ${oneLine(res.stdout + res.stderr, 300)}`);
    }
    this.home = home;
    return home;
  }

  /**
   * For previews (see Backend.learnScriptPaths): $HOME is looked up only on a live connection — a preview must not
   * open one, or wait on a prompt, while the backend is down.
   */
  async learnScriptPaths(connected = this.status().state === 'ready' || this.status().state === 'connected'): Promise<string | null> {
    if (this.home) return null;
    const why = 'paths under ~ in directives are expanded at submission';
    if (!connected) return `backend '${this.name}': ${why}: its home directory is not known while it is disconnected`;
    try {
      await this.remoteHome();
      return null;
    } catch (err) {
      return `backend '${this.name}': ${why}: ${(err as Error).message}`;
    }
  }

  /** `~/x` → `<home>/x` when home is known; relative paths are taken relative to the task's working dir. */
  private absolute(path: string, workingDir: string): string {
    let p = path;
    if (!p.startsWith('/') && !p.startsWith('~')) p = `${workingDir.replace(/\/+$/, '')}/${p}`;
    if (this.home && (p === '~' || p.startsWith('~/'))) p = this.home + p.slice(1);
    return p;
  }

  buildScript(ctx: ScriptContext): string {
    const logs = { output: this.absolute(ctx.logs.output, ctx.workingDir), error: this.absolute(ctx.logs.error, ctx.workingDir) };
    const header = this.dialect.directives(ctx, {
      account: this.opts.account ?? null,
      partitionMap: this.opts.partitionMap,
      defaultPartition: this.opts.defaultPartition ?? null,
      queue: this.opts.queue ?? null,
      logs,
    });
    const outputDir = ctx.outputDir && this.home ? this.absolute(ctx.outputDir, ctx.workingDir) : ctx.outputDir;
    let script = buildScriptBody({ ...ctx, outputDir }, { header, loginShell: this.opts.loginShell });
    if (outputDir && outputDir.startsWith('~/')) {
      // script-body quotes the value with shq; a quoted `~` would be a folder literally named `~`.
      script = script.replace(`export SCRIPTHUT_OUTPUT_DIR=${shq(outputDir)}`, `export SCRIPTHUT_OUTPUT_DIR=${shPath(outputDir)}`);
    }
    return script;
  }

  /** Replace `~/` left in directive lines (script built before $HOME was known). */
  private resolveDirectiveHome(script: string, home: string): string {
    const prefix = this.dialect.directivePrefix;
    return script
      .split('\n')
      .map((line) => (line.startsWith(prefix) ? this.dialect.resolveHomeInDirective(line, home) : line))
      .join('\n');
  }

  // ------------------------------------------------------------ submit / find / cancel

  /**
   * Submissions that arrive while earlier ones are still on the wire are coalesced: one remote command runs
   * several sbatch calls and one queue query verifies all their ids. A lone submission keeps the plain
   * `mkdir && sbatch` + verify shape. Every id is still parsed strictly and verified before it is returned.
   */
  async submit(req: SubmitRequest): Promise<SubmitResult> {
    const home = await this.remoteHome();
    const script = this.resolveDirectiveHome(req.script, home);
    const wd = req.task.working_dir || '~';
    const dirs = [...new Set([dirname(this.absolute(req.logs.output, wd)), dirname(this.absolute(req.logs.error, wd))])];
    return new Promise<SubmitResult>((resolve, reject) => {
      this.submitQueue.push({ dirs, script, resolve, reject });
      this.schedulePump();
    });
  }

  /** Pump on the next macrotask: submissions queued in the same burst (workers freed by the batch that just
   * finished) then leave together instead of the first one going alone. */
  private schedulePump(): void {
    if (this.pumpScheduled) return;
    this.pumpScheduled = true;
    setImmediate(() => {
      this.pumpScheduled = false;
      this.pumpSubmits();
    });
  }

  private pumpSubmits(): void {
    while (this.submitsInFlight < SUBMIT_COMMANDS_IN_FLIGHT && this.submitQueue.length > 0) {
      // A burst is shared evenly by the free commands (32 → 16 + 16, not 25 + 7): it is answered when its longest
      // command ends, and a command's sbatch calls run one after another. A small one stays in one command.
      const queued = this.submitQueue.length;
      const share = queued < SUBMIT_SPLIT_FROM ? queued : Math.ceil(queued / (SUBMIT_COMMANDS_IN_FLIGHT - this.submitsInFlight));
      const max = Math.min(SUBMIT_BATCH_MAX, share);
      const batch = [this.submitQueue.shift() as QueuedSubmit];
      let bytes = batch[0]?.script.length ?? 0;
      while (batch.length < max && this.submitQueue.length > 0 && bytes + (this.submitQueue[0]?.script.length ?? 0) <= SUBMIT_BATCH_BYTES) {
        const next = this.submitQueue.shift() as QueuedSubmit;
        bytes += next.script.length;
        batch.push(next);
      }
      this.submitsInFlight += 1;
      const done = batch.length === 1 ? this.submitAlone(batch[0] as QueuedSubmit) : this.submitBatch(batch);
      void done.finally(() => {
        this.submitsInFlight -= 1;
        this.schedulePump();
      });
    }
  }

  private async submitAlone(item: QueuedSubmit): Promise<void> {
    try {
      const command = `mkdir -p ${item.dirs.map(shPath).join(' ')} && ${heredoc(this.dialect.submitCommand(), item.script)}`;
      const res = await this.exec(command, 'scheduler');
      const output = [res.stdout.trim(), res.stderr.trim()].filter(Boolean).join('\n');
      if (res.exitCode !== 0) throw new Error(`${this.dialect.submitVerb} failed (exit ${res.exitCode}): ${oneLine(output)}`);
      const jobId = this.dialect.parseSubmit(res.stdout, res.stderr);
      if (!(await this.verifyOne(jobId))) throw this.notVerified(jobId);
      item.resolve({ jobId, submitOutput: output, script: item.script });
    } catch (err) {
      item.reject(err as Error);
    }
  }

  /**
   * Several sbatch calls in ONE remote command, each result framed by a per-batch random marker on both streams.
   * sbatch writes straight to the command's stdout and stderr: capturing its output in `$(…)` and a temporary
   * file made each job cost a third more than a plain sbatch on a loaded machine.
   */
  private async submitBatch(items: QueuedSubmit[]): Promise<void> {
    const mark = `SCRIPTHUT_SUBMIT_${randomBytes(8).toString('hex')}`;
    const dirs = [...new Set(items.flatMap((i) => i.dirs))];
    const parts = [`mkdir -p ${dirs.map(shPath).join(' ')} || exit 1`];
    items.forEach((item, n) => {
      parts.push(`printf '\\n%s %s\\n' ${mark}_OUT ${n}; printf '\\n%s %s\\n' ${mark}_ERR ${n} >&2`);
      parts.push(heredoc(this.dialect.submitCommand(), item.script));
      parts.push(`printf '\\n%s %s %s\\n' ${mark}_END ${n} "$?"`);
    });
    let res: RunResult;
    try {
      res = await this.exec(parts.join('\n'), 'scheduler');
    } catch (err) {
      for (const item of items) item.reject(err as Error);
      return;
    }
    const results = parseBatchOutput(res.stdout, res.stderr, mark);
    if (results.size === 0) {
      // Nothing was submitted (mkdir failed, no shell, timeout before the first sbatch): same error as a lone submit.
      const output = [res.stdout.trim(), res.stderr.trim()].filter(Boolean).join('\n');
      for (const item of items) item.reject(new Error(`${this.dialect.submitVerb} failed (exit ${res.exitCode}): ${oneLine(output)}`));
      return;
    }
    const submitted: Array<{ item: QueuedSubmit; jobId: string; output: string }> = [];
    items.forEach((item, n) => {
      const r = results.get(n);
      if (!r) {
        // The command stopped part-way: this sbatch may or may not have run. Transient = the engine keeps the
        // intent and finds the job by its tag instead of failing the task or submitting it twice.
        const err = new Error(`${this.dialect.submitVerb} outcome unknown: the batched submit command stopped early (exit ${res.exitCode}) on ${this.runner.label}: ${oneLine(res.stderr, 300)}`);
        item.reject(Object.assign(err, { transient: true }));
        return;
      }
      const output = [r.stdout.trim(), r.stderr.trim()].filter(Boolean).join('\n');
      if (r.exitCode !== 0) {
        item.reject(new Error(`${this.dialect.submitVerb} failed (exit ${r.exitCode}): ${oneLine(output)}`));
        return;
      }
      try {
        submitted.push({ item, jobId: this.dialect.parseSubmit(r.stdout, r.stderr), output });
      } catch (err) {
        item.reject(err as Error);
      }
    });
    if (!submitted.length) return;
    let verified: Set<string>;
    try {
      verified = await this.verifyMany(submitted.map((s) => s.jobId));
    } catch (err) {
      for (const s of submitted) s.item.reject(err as Error);
      return;
    }
    for (const s of submitted) {
      if (verified.has(s.jobId)) s.item.resolve({ jobId: s.jobId, submitOutput: s.output, script: s.item.script });
      else s.item.reject(this.notVerified(s.jobId));
    }
  }

  private async verifyOne(jobId: string): Promise<boolean> {
    for (const verify of this.dialect.verifyCommands(jobId)) {
      const v = await this.exec(verify, 'scheduler');
      if (v.exitCode === 0 && this.dialect.mentionsJob(v.stdout, jobId)) return true;
    }
    return false;
  }

  /**
   * One queue (then accounting) query for many fresh ids, using the dialect's id-list form (`squeue -j 1,2,3`, `qstat -f 1 2 3`).
   * Any id the list form does not confirm is verified on its own, so a dialect without list syntax is only slower.
   */
  private async verifyMany(jobIds: string[]): Promise<Set<string>> {
    const found = new Set<string>();
    const missing = () => jobIds.filter((id) => !found.has(id));
    const list = this.dialect.jobIdList(jobIds);
    if (jobIds.length > 1 && list !== null) {
      const steps = this.dialect.verifyCommands(list).length;
      for (let i = 0; i < steps && missing().length > 0; i++) {
        const ids = missing();
        const v = await this.exec(this.dialect.verifyCommands(this.dialect.jobIdList(ids) as string)[i] as string, 'scheduler');
        if (v.exitCode === 0) for (const id of ids) if (this.dialect.mentionsJob(v.stdout, id)) found.add(id);
      }
    }
    for (const id of missing()) if (await this.verifyOne(id)) found.add(id);
    return found;
  }

  private notVerified(jobId: string): Error {
    return new Error(
      `${this.dialect.submitVerb} returned job ID ${jobId} but it does not appear in the queue or in accounting on ${this.runner.label}; check the cluster (e.g. '${this.dialect.inspectCommand(jobId)}') before resubmitting`,
    );
  }

  async findByTags(tags: string[]): Promise<Map<string, string>> {
    const found = new Map<string, string>();
    if (tags.length === 0) return found;
    const candidates: Array<{ jobId: string; name: string }> = [];
    const q = await this.exec(this.dialect.queueCommand(), 'scheduler');
    if (q.exitCode !== 0) throw new Error(`${this.name}: queue query failed (exit ${q.exitCode}) on ${this.runner.label}: ${oneLine(q.stdout + q.stderr)}`);
    candidates.push(...this.dialect.parseQueue(q.stdout));
    if (!this.accountingOff) {
      const a = await this.exec(this.dialect.recentJobsCommand(this.opts.tagLookbackDays ?? 7), 'scheduler');
      if (a.exitCode === 0) candidates.push(...this.dialect.parseRecentJobs(a.stdout));
      else if (this.dialect.accountingDisabled(a.stdout, a.stderr)) this.accountingOff = true;
      else throw new Error(`${this.name}: accounting query failed (exit ${a.exitCode}) on ${this.runner.label}: ${oneLine(a.stdout + a.stderr)}`);
    }
    for (const tag of tags) {
      // Several matches (a resubmission by hand?): the newest job id wins.
      let best: string | null = null;
      for (const c of candidates) {
        if (this.dialect.nameHasTag(c.name, tag) && (best === null || compareJobIds(c.jobId, best) > 0)) best = c.jobId;
      }
      if (best) found.set(tag, best);
    }
    return found;
  }

  async cancel(jobId: string): Promise<void> {
    const res = await this.exec(this.dialect.cancelCommand(jobId), 'scheduler');
    if (res.exitCode !== 0 && !this.dialect.cancelWasNoop(res.stdout, res.stderr)) {
      throw new Error(`cancel of job ${jobId} failed (exit ${res.exitCode}) on ${this.runner.label}: ${oneLine(res.stdout + res.stderr)}`);
    }
  }

  // ------------------------------------------------------------ poll / accounting

  async poll(trackedJobIds: string[]): Promise<PollResult> {
    const res = await this.exec(this.dialect.queueCommand(), 'scheduler');
    // Never turn a failed query into "no jobs": that would settle every running task.
    if (res.exitCode !== 0) throw new Error(`${this.name}: queue query failed (exit ${res.exitCode}) on ${this.runner.label}: ${oneLine(res.stdout + res.stderr)}`);
    const tracked = new Set(trackedJobIds);
    const jobs = new Map<string, QueueObservation>();
    const external: PollResult['external'] = [];
    for (const entry of this.dialect.parseQueue(res.stdout)) {
      if (tracked.has(entry.jobId)) jobs.set(entry.jobId, entry.observation);
      else if (this.dialect.isActive(entry)) external.push(this.dialect.toExternal(entry));
    }
    return { jobs, external };
  }

  async accounting(queries: AccountingQuery[]): Promise<Map<string, Verdict>> {
    if (queries.length === 0) return new Map();
    const ids = [...new Set(queries.map((q) => q.jobId))];
    if (!this.accountingOff) {
      const command = this.dialect.accountingCommand(queries);
      if (!command) return new Map();
      const res = await this.exec(command, 'scheduler');
      if (res.exitCode === 0) return this.onlyAsked(this.dialect.parseAccounting(res.stdout), ids);
      if (!this.dialect.accountingDisabled(res.stdout, res.stderr)) {
        throw new Error(`${this.name}: accounting query failed (exit ${res.exitCode}) on ${this.runner.label}: ${oneLine(res.stdout + res.stderr)}`);
      }
      this.accountingOff = true;
    }
    // No accounting on this cluster: the dialect's fallback asks what the controller still remembers.
    const res = await this.exec(this.dialect.fallbackAccountingCommand(ids), 'scheduler');
    if (res.exitCode !== 0) {
      if (this.dialect.fallbackFoundNothing(res.stdout, res.stderr)) return new Map();
      throw new Error(`${this.name}: job status query failed (exit ${res.exitCode}) on ${this.runner.label}: ${oneLine(res.stdout + res.stderr)}`);
    }
    return this.dialect.parseFallbackAccounting(res.stdout, ids);
  }

  private onlyAsked(verdicts: Map<string, Verdict>, ids: string[]): Map<string, Verdict> {
    const out = new Map<string, Verdict>();
    for (const id of ids) {
      const v = verdicts.get(id);
      if (v) out.set(id, v);
    }
    return out;
  }

  /** Partitions, CPUs/GPUs and the pending-reason tally (one command). */
  async clusterInfo(): Promise<ClusterInfo> {
    const res = await this.exec(this.dialect.clusterInfoCommand(), 'scheduler');
    if (res.exitCode !== 0 && !res.stdout.trim()) {
      throw new Error(`${this.name}: cluster info query failed (exit ${res.exitCode}) on ${this.runner.label}: ${oneLine(res.stderr)}`);
    }
    return this.dialect.parseClusterInfo(res.stdout);
  }

  // ------------------------------------------------------------ files

  async readLog(path: string, opts: LogReadOptions): Promise<LogRead> {
    const f = shPath(path);
    const preamble = `f=${f}; if [ ! -f "$f" ]; then echo ${MISSING}; exit 0; fi; s=$(wc -c < "$f" | tr -d ' '); echo "${SIZE} $s"`;
    let body: string;
    let tailLines: number | null = null;
    // Same bounds as local logs: one read never pulls more than MAX_READ_BYTES over the connection, and a whole
    // read of a huge log is refused (it would be one string past V8's limit); the size check runs remotely.
    const cap = Math.max(1, Math.floor(opts.maxBytes ?? MAX_READ_BYTES));
    if (opts.offset !== undefined && opts.offset !== null) {
      const o = Math.max(0, Math.floor(opts.offset));
      // A file smaller than the offset was truncated or replaced: start again from 0.
      body = `o=${o}; [ "$o" -gt "$s" ] && o=0; echo "$o"; n=$((s-o)); [ "$n" -gt ${cap} ] && n=${cap}; tail -c +$((o+1)) "$f" | head -c "$n"`;
    } else if (opts.tail !== undefined && opts.tail !== null) {
      tailLines = Math.max(0, Math.floor(opts.tail));
      // Read only a window at the end (tail -c seeks), then keep the last N lines here.
      const window = Math.min(MAX_READ_BYTES, Math.max(65536, tailLines * 2048));
      body = `w=${window}; [ "$w" -gt "$s" ] && w=$s; echo $((s-w)); tail -c +$((s-w+1)) "$f" | head -c "$w"`;
    } else {
      body = `if [ "$s" -gt ${MAX_WHOLE_READ_BYTES} ]; then echo ${TOO_BIG}; exit 0; fi; echo 0; head -c "$s" "$f"`;
    }
    const res = await this.exec(`${preamble}; ${body}`, 'io');
    if (res.exitCode !== 0) throw new Error(`cannot read log ${path} on ${this.runner.label} (exit ${res.exitCode}): ${oneLine(res.stderr)}`);
    const out = res.stdout;
    if (out.startsWith(MISSING)) return { content: '', offset: 0, nextOffset: 0, missing: true };
    const first = out.indexOf('\n');
    const second = out.indexOf('\n', first + 1);
    const size = Number(/^\S+ (\d+)/.exec(out.slice(0, first))?.[1]);
    if (out.slice(first + 1, second) === TOO_BIG) {
      throw new ApiError('bad_input', `The log ${path} on ${this.name} is ${Math.round(size / (1024 * 1024))} MB, too large to read whole; read its tail or from an offset, or download it from GET /api/v1/runs/<run>/tasks/<task>/log/raw.`);
    }
    const start = Number(out.slice(first + 1, second));
    if (first < 0 || second < 0 || !Number.isFinite(size) || !Number.isFinite(start)) {
      throw new Error(`cannot read log ${path} on ${this.runner.label}: unexpected reply ${JSON.stringify(out.slice(0, 200))}`);
    }
    let content = out.slice(second + 1);
    let offset = start;
    let nextOffset = size;
    if (tailLines !== null) {
      const bytes = Buffer.from(content, 'utf8');
      let cut = 0;
      if (tailLines === 0) cut = bytes.length;
      else {
        // Walk back over N line ends (a trailing newline ends the last line, it does not start a new one).
        let seen = 0;
        let i = bytes.length - 1;
        if (i >= 0 && bytes[i] === 0x0a) i -= 1;
        for (; i >= 0; i -= 1) {
          if (bytes[i] === 0x0a && ++seen === tailLines) break;
        }
        cut = i < 0 ? 0 : i + 1;
      }
      content = bytes.subarray(cut).toString('utf8');
      offset = start + cut;
    } else if (opts.offset !== undefined && opts.offset !== null && size - start > cap) {
      ({ content, nextOffset } = cappedChunk(content, start, cap));
    }
    return { content, offset, nextOffset, missing: false, size };
  }

  /** sources feature: a one-off script (git checkout of a run's commit); logged like every command, stdin is not. */
  runScript(script: string, opts: { stdin?: string; timeoutMs?: number } = {}): Promise<RunResult> {
    return this.runner.run(`bash -c ${shq(script)}`, { kind: 'io', stdin: opts.stdin, timeoutMs: opts.timeoutMs ?? 300_000 });
  }

  /**
   * The folders the app made for a run on the cluster: its logs and its outputs. Never a task's working_dir, nor
   * a log path a task chose itself: those are the user's.
   */
  runFolders(runId: string): string[] {
    if (!RUN_ID.test(runId) || runId === 'outputs') throw new Error(`'${runId}' is not a run id the app makes; no folder was removed.`);
    return [`${this.logRoot}/${runId}`, `${this.logRoot}/outputs/${runId}`];
  }

  /** A deleted run's folders, in ONE command. The engine calls this in the background: a failure only leaves files. */
  async removeRunFiles(runId: string): Promise<void> {
    const dirs = this.runFolders(runId);
    const left = `${dirs.join(' and ')} ${dirs.length > 1 ? 'are' : 'is'} left on ${this.runner.label}`;
    let res: RunResult;
    try {
      res = await this.exec(`rm -rf -- ${dirs.map(shPath).join(' ')}`, 'io');
    } catch (err) {
      throw new Error(`${left}: ${(err as Error)?.message ?? String(err)}`);
    }
    if (res.exitCode !== 0) throw new Error(`${left} (exit ${res.exitCode}): ${oneLine(res.stderr || res.stdout, 300) || 'no error output'}`);
  }

  async readFile(path: string): Promise<string> {
    const res = await this.exec(`cat -- ${shPath(path)}`, 'io');
    if (res.exitCode !== 0) throw new Error(`cannot read ${path} on ${this.runner.label} (exit ${res.exitCode}): ${oneLine(res.stderr)}`);
    return res.stdout;
  }

  async listFiles(dir: string, opts: ListFilesOptions): Promise<FileListing> {
    const res = await this.exec(listFilesCommand(dir, opts), 'io');
    if (res.exitCode !== 0) throw new Error(`cannot list ${dir} on ${this.runner.label} (exit ${res.exitCode}): ${oneLine(res.stderr)}`);
    return parseFileListing(res.stdout);
  }

  async readFiles(dir: string, paths: string[], maxBytes: number): Promise<FileRead[]> {
    if (paths.length === 0) return [];
    const res = await this.exec(readFilesCommand(dir, paths, maxBytes), 'io');
    if (res.exitCode !== 0) throw new Error(`cannot read files under ${dir} on ${this.runner.label} (exit ${res.exitCode}): ${oneLine(res.stderr)}`);
    return parseReadFiles(res.stdout, paths);
  }

  async close(): Promise<void> {
    if (this.opts.closeRunner !== false) await this.runner.close();
  }
}

/**
 * The part of a capped read that can be handed out: up to its last line end, so a character split by the cap is
 * not decoded in halves (a newline byte never sits inside a UTF-8 sequence). The bytes before it are counted
 * exactly only when they decoded cleanly; otherwise (no newline, or invalid UTF-8) the whole chunk goes out.
 */
export function cappedChunk(content: string, start: number, cap: number): { content: string; nextOffset: number } {
  const lastNewline = content.lastIndexOf('\n');
  if (lastNewline >= 0) {
    const kept = content.slice(0, lastNewline + 1);
    if (!kept.includes('\uFFFD')) return { content: kept, nextOffset: start + Buffer.byteLength(kept) };
  }
  return { content, nextOffset: start + cap };
}

/**
 * Split a batched submit command's output into per-submission results by its marker lines. A submission has a
 * result only once its end marker (with the exit code) arrived; its stderr is what followed its stderr marker.
 */
function parseBatchOutput(stdout: string, stderr: string, mark: string): Map<number, { exitCode: number; stdout: string; stderr: string }> {
  const out = new Map<number, { exitCode: number; stdout: string; stderr: string }>();
  const outHead = new RegExp(`^${mark}_OUT (\\d+)$`);
  const end = new RegExp(`^${mark}_END (\\d+) (\\d+)$`);
  const errHead = new RegExp(`^${mark}_ERR (\\d+)$`);
  const errs = new Map<number, string[]>();
  let errN: number | null = null;
  for (const line of stderr.split('\n')) {
    const h = errHead.exec(line);
    if (h) {
      errN = Number(h[1]);
      errs.set(errN, []);
    } else if (errN !== null) errs.get(errN)?.push(line);
  }
  let curN: number | null = null;
  let lines: string[] = [];
  for (const line of stdout.split('\n')) {
    const h = outHead.exec(line);
    const e = end.exec(line);
    if (h) {
      curN = Number(h[1]);
      lines = [];
    } else if (e && Number(e[1]) === curN) {
      out.set(curN, { exitCode: Number(e[2]), stdout: lines.join('\n'), stderr: (errs.get(curN) ?? []).join('\n') });
      curN = null;
    } else if (curN !== null) {
      lines.push(line);
    }
  }
  return out;
}

/** Numeric order for plain ids ("9" < "10"); array ids fall back to text order. */
function compareJobIds(a: string, b: string): number {
  const na = Number(a);
  const nb = Number(b);
  if (Number.isFinite(na) && Number.isFinite(nb)) return na - nb;
  return a.localeCompare(b);
}
