// The engine: implements the contract, owns the poll loop per backend and the event bus. Every state change is
// a row change inside one transaction per step; events go out after the commit.
import path from 'node:path';
import fs from 'node:fs';
import { ApiError, type CallOutput } from '../../src-shared/api/contract';
import type { Health, LogChunk, Notification, RunDetail, RunSummary } from '../../src-shared/api/schemas';
import { isTerminalRun, isTerminalTask, type RunStatus } from '../../src-shared/model/status';
import type { EnvRule, WorkflowDocument } from '../../src-shared/workflow/types';
import type { Backend, ScriptContext, Verdict } from '../backends/types';
import { allocate, type AllocRun } from '../scheduler/allocate';
import { rerunSelection } from '../scheduler/run-state';
import { applyVerdict, expireTimers, freshAttempt, needsVerdict, observe, retry, type Timers, type Transition } from '../scheduler/task-state';
import type { Store } from '../store/store';
import type { RunRow, TaskRow } from '../store/rows';
import type { EngineApi, Handlers } from './dispatch';
import { dispatch } from './dispatch';
import { EventBus } from './events';
import { pageRuns } from '../store/queries/runs-page';
import { statusCountsOf } from '../store/queries/status-counts';
import { pageTasks } from '../store/queries/task-page';
import { DEFAULT_MAX_TASKS_PER_RUN, newRunId, submitTag, tooManyTasks, validateWorkflowInput } from './run-factory';
import { taskDef, toAttemptView, toRunSummary, toRuntime, toTaskView } from './views';
import type { EnvResolver } from './env';
import { generatedTasks } from './generated';
import { joinWorkingDir } from '../../src-shared/workflow/extend';
import type { PromptCenter } from './prompts';
import { ActiveExecution } from './active-execution';
import { StateLog, type LogSink } from './state-log';
import { dataDirSpace } from '../platform/disk-space';
import { sourceHandlers, type RunSource } from '../sources/handlers'; // sources feature
import type { SourceManager } from '../sources/manager'; // sources feature
import type { CostSettings } from '../pricing/settings'; // issue 11 (cost)
import { runCost } from '../usage/run-cost'; // issue 11 (cost)
import { usageSummary, usageRightSizing } from '../usage/usage-call'; // issue 11 (cost)

export interface EngineConfigInfo {
  file: string | null;
  error: Health['config_error'];
  warnings?: Health['config_warnings'];
}

export interface EngineOptions {
  store: Store;
  backends: Map<string, Backend>;
  dataDir: string;
  version: string;
  timers: Timers;
  config: EngineConfigInfo;
  env: EnvResolver;
  /** Path of the bundled demo workflow, when available. */
  demoWorkflowPath: string | null;
  prompts: PromptCenter;
  /** In-memory command counters of a backend's runner (scheduler RPCs etc.), when it has one. */
  commandCounts?: (backend: string) => Record<string, number> | null;
  /** Where the engine's failure lines go (default: stderr); repetitions of one state are not logged. */
  log?: LogSink;
  /** Largest run accepted (settings.max_tasks_per_run; default 100,000). */
  maxTasksPerRun?: number;
  /** sources feature: configured sources and each backend's clone_dir. */
  sources?: { manager: SourceManager | null; cloneDirOf(backend: string): string | null };
  /** How many submissions run at once per backend (default: the backend's capabilities.submitConcurrency). */
  submitConcurrency?: number;
  now?: () => string;
  /** issue 11 (cost): rates, cloud pricing and the price snapshot; absent = nothing is costed. */
  cost?: CostSettings;
}

interface Loop {
  running: boolean;
  again: boolean;
  timer: NodeJS.Timeout | null;
  stopped: boolean;
}

type TaskEnvVars = Array<{ name: string; value: string; ops: Array<{ source: string; op: 'seed' | 'set' | 'append'; contribution: string }> }>;

const key = (runId: string, taskId: string) => `${runId}\u0000${taskId}`;

export class Engine implements EngineApi {
  private readonly bus = new EventBus();
  private readonly loops = new Map<string, Loop>();
  private readonly submitting = new Set<string>();
  private readonly cancelAfterSubmit = new Set<string>();
  private readonly handlers: Handlers;
  private readonly now: () => string;
  private changedTasks = new Set<string>();
  private changedRuns = new Set<string>();
  private notifications: Notification[] = [];
  private closed = false;
  private readonly active: ActiveExecution;
  private readonly maxTasks: number;
  private readonly stateLog: StateLog;

  constructor(private readonly o: EngineOptions) {
    this.now = o.now ?? (() => new Date().toISOString());
    this.maxTasks = o.maxTasksPerRun ?? DEFAULT_MAX_TASKS_PER_RUN;
    this.stateLog = new StateLog(o.log);
    this.active = new ActiveExecution(
      (runId) => o.store.listTasks(runId),
      (row) => taskDef(row).deps,
    );
    this.handlers = this.makeHandlers();
  }

  // ------------------------------------------------------------------ adapters
  invoke<N extends keyof Handlers>(name: N, input: unknown): Promise<CallOutput<N>> {
    return dispatch(this.handlers, name, input);
  }
  subscribe(listener: Parameters<EventBus['subscribe']>[0]): () => void {
    return this.bus.subscribe(listener);
  }

  start(): void {
    this.o.prompts.onChange((e) => {
      if (e.opened) this.bus.emit('prompt', e.opened);
      if (e.closed) this.bus.emit('prompt.closed', { id: e.closed });
    });
    for (const b of this.o.backends.values()) {
      this.loops.set(b.name, { running: false, again: false, timer: null, stopped: false });
      b.onStatusChange(() => this.bus.emit('backend.changed', this.backendInfo(b)));
      // A job that ended has a verdict now: run the cycle at once instead of waiting for the next poll.
      b.onJobEnd?.(() => this.wake(b.name));
      this.wake(b.name);
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    this.o.prompts.cancelAll();
    for (const loop of this.loops.values()) {
      loop.stopped = true;
      if (loop.timer) clearTimeout(loop.timer);
    }
    // Let a step in progress finish its transaction before the store closes.
    for (let i = 0; i < 100 && [...this.loops.values()].some((l) => l.running); i++) await new Promise((r) => setTimeout(r, 50));
    await Promise.all([...this.o.backends.values()].map((b) => b.close().catch(() => undefined)));
  }

  /** Run a backend's cycle now (or right after the one in progress). */
  wake(backendName: string): void {
    const loop = this.loops.get(backendName);
    const backend = this.o.backends.get(backendName);
    if (!loop || !backend || loop.stopped) return;
    if (loop.running) {
      loop.again = true;
      return;
    }
    if (loop.timer) clearTimeout(loop.timer);
    loop.timer = null;
    loop.running = true;
    void (async () => {
      try {
        do {
          loop.again = false;
          await this.cycle(backend);
        } while (loop.again && !loop.stopped);
      } catch (err) {
        console.error(`[engine] cycle of backend '${backendName}' failed:`, err);
      } finally {
        loop.running = false;
        if (!loop.stopped) loop.timer = setTimeout(() => this.wake(backendName), backend.pollIntervalMs);
      }
    })();
  }

  /** For tests and the CLI: resolves when every backend has finished the cycle it is in. */
  async idle(): Promise<void> {
    while ([...this.loops.values()].some((l) => l.running)) await new Promise((r) => setTimeout(r, 20));
  }

  // ------------------------------------------------------------------ the cycle
  private async cycle(b: Backend): Promise<void> {
    if (this.closed) return;
    await this.reconcileIntents(b);
    const inflight = this.o.store.inFlightTasks(b.name).filter((t) => t.job_id !== null);
    // A shared queue is polled even with nothing in flight, so the Jobs view shows the user's other jobs.
    if (inflight.length > 0 || b.capabilities.sharedQueue) {
      let poll;
      try {
        poll = await b.poll(inflight.map((t) => t.job_id as string));
        this.stateLog.ok(`poll of '${b.name}'`);
      } catch (err) {
        // No queue information this cycle: no verdicts, no new submissions; timers do not advance on silence.
        this.stateLog.failed(`poll of '${b.name}'`, (err as Error).message);
        return;
      }
      if (b.capabilities.sharedQueue) {
        // Every poll reconciles the whole list: jobs that left the queue (pending or running) are marked gone.
        this.o.store.upsertExternalJobs(
          b.name,
          poll.external.map((j) => ({ job_id: j.jobId, name: j.name, user: j.user, state: j.state, reason: j.reason, partition: j.partition, submitted_at: j.submittedAt, started_at: j.startedAt })),
          this.now(),
        );
      }
      const now = this.now();
      const observed: Array<[TaskRow, Transition]> = [];
      for (const row of inflight) {
        const t = observe(toRuntime(row), poll.jobs.get(row.job_id as string), now);
        if (t) observed.push([row, t]);
      }
      this.commit(() => {
        for (const [row, t] of observed) this.applyTransition(row, t, now);
      });

      // Accounting only for the jobs that need a verdict, in one batch.
      const fresh = this.o.store.inFlightTasks(b.name).filter((t) => t.job_id !== null);
      const candidates = fresh.filter((row) => needsVerdict(toRuntime(row), poll.jobs.has(row.job_id as string)));
      let verdicts = new Map<string, Verdict>();
      if (candidates.length) {
        try {
          verdicts = await b.accounting(candidates.map((row) => ({ jobId: row.job_id as string, submittedAt: row.submitted_at ?? now })));
          this.stateLog.ok(`accounting on '${b.name}'`);
        } catch (err) {
          this.stateLog.failed(`accounting on '${b.name}'`, (err as Error).message);
          verdicts = new Map();
        }
      }
      // Generators read their file before the verdict is committed, so a run never reads "completed" while its
      // generated tasks are still missing.
      const generated = new Map<string, Awaited<ReturnType<typeof generatedTasks>>>();
      for (const row of candidates) {
        const v = verdicts.get(row.job_id as string);
        const def = taskDef(row);
        if (v?.outcome === 'completed' && def.generates_source) {
          generated.set(key(row.run_id, row.task_id), await generatedTasks(b, row, def, this.o.store.listTasks(row.run_id).map(taskDef)));
        }
      }
      const at = this.now();
      this.commit(() => {
        for (const row of candidates) {
          const rt = toRuntime(row);
          const v = verdicts.get(row.job_id as string);
          let t: Transition | null = v ? applyVerdict(rt, v, at) : expireTimers(rt, poll.jobs.has(row.job_id as string), at, this.o.timers);
          if (!t) continue;
          let gen = generated.get(key(row.run_id, row.task_id));
          if (gen?.ok && gen.tasks.length) {
            // Generated tasks count against the same limit as the ones the run was created with.
            const total = this.o.store.runStatusCounts(row.run_id);
            const have = Object.values(total).reduce((a, b) => a + b, 0);
            if (have + gen.tasks.length > this.maxTasks) gen = { ok: false, error: `Generated tasks rejected: ${tooManyTasks(have + gen.tasks.length, this.maxTasks).message}` };
          }
          if (gen && !gen.ok) {
            t = { ...t, to: 'failed', reason: gen.error, patch: { ...t.patch, status: 'failed', error: gen.error } };
          }
          // A failure that will be retried is not announced; only the final failure is.
          if (!this.applyTransition(row, t, at, { notify: !(t.to === 'failed' && row.retries_left > 0) })) continue;
          if (gen?.ok && (gen.env.length || Object.keys(gen.envGroups).length)) {
            // A generated document's env applies to the run's workflow-doc layer, like the original.
            const run = this.o.store.getRun(row.run_id);
            const doc = JSON.parse(run?.doc_json ?? '{}') as { env?: EnvRule[]; env_groups?: Record<string, EnvRule[]> };
            const merged = { env: [...(doc.env ?? []), ...gen.env], env_groups: { ...(doc.env_groups ?? {}), ...gen.envGroups } };
            this.o.store.updateRun(row.run_id, { doc_json: JSON.stringify(merged) });
          }
          if (gen?.ok && gen.tasks.length) {
            this.o.store.insertTasks(
              row.run_id,
              gen.tasks.map((d) => ({ task_id: d.id, def_json: JSON.stringify(d), retries_left: d.retries, generated_by: row.task_id })),
            );
            for (const d of gen.tasks) this.changedTasks.add(key(row.run_id, d.id));
            this.active.forget(row.run_id);
          }
          if (t.to === 'failed') {
            const after = this.o.store.getTask(row.run_id, row.task_id);
            const r = after && retry(toRuntime(after));
            if (after && r) this.applyTransition(after, r, at);
          }
        }
        for (const runId of new Set(candidates.map((c) => c.run_id))) this.settleRun(runId, at);
        for (const runId of new Set(observed.map(([r]) => r.run_id))) this.settleRun(runId, at);
      });
    }
    await this.submitReady(b);
  }

  /** Submission intents left by a previous engine (killed between recording and confirming) are resolved by tag. */
  private async reconcileIntents(b: Backend): Promise<void> {
    const intents = this.o.store.inFlightTasks(b.name).filter((t) => t.job_id === null && t.submit_tag && !this.submitting.has(key(t.run_id, t.task_id)));
    if (!intents.length) return;
    let found: Map<string, string>;
    try {
      found = await b.findByTags(intents.map((t) => t.submit_tag as string));
      this.stateLog.ok(`reconciling submissions on '${b.name}'`);
    } catch (err) {
      this.stateLog.failed(`reconciling submissions on '${b.name}'`, (err as Error).message);
      return;
    }
    const now = this.now();
    this.commit(() => {
      for (const row of intents) {
        const jobId = found.get(row.submit_tag as string);
        if (jobId) {
          this.o.store.patchTask(row.run_id, row.task_id, { jobId });
          this.o.store.updateAttempt(row.run_id, row.task_id, row.attempt, { job_id: jobId, submit_output: '(recovered after an engine restart)' });
          this.o.store.appendTransition({ run_id: row.run_id, task_id: row.task_id, attempt: row.attempt, at: now, from_status: 'submitted', to_status: 'submitted', reason: `found job ${jobId} by its tag after a restart` });
          this.changedTasks.add(key(row.run_id, row.task_id));
        } else {
          // The backend never received it: submit again under the same attempt (and tag).
          this.o.store.db.prepare('DELETE FROM attempts WHERE run_id = ? AND task_id = ? AND attempt = ?').run(row.run_id, row.task_id, row.attempt);
          this.applyTransition(row, { taskId: row.task_id, from: 'submitted', to: 'pending', reason: 'the submission never reached the backend (engine stopped); submitting again', patch: { status: 'pending', submittedAt: null } }, now);
          this.o.store.setSubmitTag(row.run_id, row.task_id, null);
        }
      }
    });
  }

  private async submitReady(b: Backend): Promise<void> {
    if (this.closed || !['ready', 'connected'].includes(b.status().state)) return;
    const all = this.o.store.inFlightTasks(b.name);
    // Every slot taken: nothing to allocate, so no need to look at the (possibly thousands of) active runs.
    if (all.length >= b.maxConcurrent) return;
    const runs = this.o.store.activeRuns(b.name).filter((r) => !r.cancel_requested && !r.halted_reason);
    const inflightByRun = new Map<string, number>();
    for (const t of all) inflightByRun.set(t.run_id, (inflightByRun.get(t.run_id) ?? 0) + 1);
    const allocRuns: AllocRun[] = [];
    let otherInFlight = all.length;
    const free = b.maxConcurrent - all.length;
    for (const run of runs) {
      const inFlight = inflightByRun.get(run.id) ?? 0;
      otherInFlight -= inFlight;
      // Allocation never hands out more than the free slots, so no run needs to offer more ready tasks than that.
      const ready = free > 0 ? this.active.get(run.id).readyIds(free) : [];
      allocRuns.push({ runId: run.id, createdAt: run.created_at, maxConcurrent: run.max_concurrent, inFlight, ready });
    }
    // Jobs of runs not in the list (cancelled, halted) still hold slots.
    if (otherInFlight > 0) allocRuns.push({ runId: '', createdAt: '', maxConcurrent: null, inFlight: otherInFlight, ready: [] });
    const picks = allocate(b.maxConcurrent, allocRuns);
    const queue = [...picks];
    // Scheduler backends coalesce overlapping submissions into batched remote commands, so more of them in
    // flight means bigger batches, not more connections or channels.
    const concurrency = this.o.submitConcurrency ?? b.capabilities.submitConcurrency;
    const workers = Array.from({ length: Math.min(concurrency, queue.length) }, async () => {
      for (let pick = queue.shift(); pick; pick = queue.shift()) {
        const run = this.o.store.getRun(pick.runId);
        const row = this.o.store.getTask(pick.runId, pick.taskId);
        if (!run || !row || row.status !== 'pending' || run.cancel_requested || run.halted_reason) continue;
        try {
          await this.submitOne(b, run, row);
        } catch (err) {
          // One task's unexpected error must not stall every run on this backend: it fails that task only.
          const msg = `Internal error while submitting: ${(err as Error)?.message ?? String(err)}`;
          console.error(`[engine] ${run.id}/${row.task_id}: ${msg}`);
          const at = this.now();
          this.commit(() => {
            const cur = this.o.store.getTask(run.id, row.task_id);
            if (cur && cur.status === 'pending') this.applyTransition(cur, { taskId: cur.task_id, from: 'pending', to: 'failed', reason: msg, patch: { status: 'failed', error: msg, finishedAt: at } }, at);
            this.settleRun(run.id, at);
          });
        }
      }
    });
    await Promise.all(workers);
  }

  private async submitOne(b: Backend, run: RunRow, row: TaskRow): Promise<void> {
    const def = taskDef(row);
    const now = this.now();
    const tag = submitTag(run.id, row.task_id, row.attempt);
    const env = this.o.env.resolve({ run, def, backend: b, attempt: row.attempt });
    if (env.errors.length) {
      const msg = `Environment could not be resolved: ${env.errors.join('; ')}`;
      this.commit(() => {
        this.applyTransition(row, { taskId: row.task_id, from: 'pending', to: 'failed', reason: msg, patch: { status: 'failed', error: msg, finishedAt: now } }, now);
        this.settleRun(run.id, now);
      });
      return;
    }
    const defaults = b.defaultLogPaths(run.id, row.task_id, row.attempt);
    // A relative output_file/error_file is relative to the task's working dir (where the scheduler writes it).
    const within = (p: string) => (p.startsWith('/') || p.startsWith('~') ? p : joinWorkingDir(def.working_dir, p));
    const logs = { output: def.output_file ? within(def.output_file) : defaults.output, error: def.error_file ? within(def.error_file) : defaults.error };
    const jobName = def.name;
    const ctx: ScriptContext = {
      runId: run.id,
      taskId: row.task_id,
      attempt: row.attempt,
      jobName,
      tag,
      task: def,
      env: env.vars.map((v) => [v.name, v.value]),
      init: env.init,
      logs,
      outputDir: b.outputDir(run.id, row.task_id),
      workingDir: def.working_dir,
    };
    let script: string;
    try {
      script = b.buildScript(ctx);
    } catch (err) {
      const msg = `Could not build the submission script: ${(err as Error).message}`;
      this.commit(() => {
        this.applyTransition(row, { taskId: row.task_id, from: 'pending', to: 'failed', reason: msg, patch: { status: 'failed', error: msg, finishedAt: now } }, now);
        this.settleRun(run.id, now);
      });
      return;
    }
    // The intent is committed BEFORE the backend is called; its tag lets a restarted engine find the job.
    this.commit(() => {
      this.o.store.insertAttempt({
        run_id: run.id,
        task_id: row.task_id,
        attempt: row.attempt,
        backend_name: b.name,
        tag,
        job_id: null,
        status: 'submitted',
        script,
        env_json: JSON.stringify({ vars: env.vars, init: env.init, warnings: env.warnings }),
        submit_output: null,
        log_output: logs.output,
        log_error: logs.error,
        exit_code: null,
        error: null,
        submitted_at: now,
        started_at: null,
        finished_at: null,
      });
      this.o.store.setSubmitTag(run.id, row.task_id, tag);
      this.applyTransition(row, { taskId: row.task_id, from: 'pending', to: 'submitted', reason: `submitting to ${b.name}`, patch: { status: 'submitted', submittedAt: now } }, now);
      // A task now in flight makes the run 'running' and fails nothing downstream: once the run says so, settling
      // again is a no-op that would re-read every task of the run for every submission.
      if (this.o.store.getRun(run.id)?.status !== 'running') this.settleRun(run.id, now);
    });
    const k = key(run.id, row.task_id);
    this.submitting.add(k);
    try {
      const res = await b.submit({ runId: run.id, taskId: row.task_id, attempt: row.attempt, tag, jobName, task: def, script, logs });
      this.commit(() => {
        this.o.store.patchTask(run.id, row.task_id, { jobId: res.jobId });
        this.o.store.updateAttempt(run.id, row.task_id, row.attempt, { job_id: res.jobId, submit_output: res.submitOutput, script: res.script });
        this.changedTasks.add(k);
        this.changedRuns.add(run.id);
      });
      const latest = this.o.store.getRun(run.id);
      const cancelOne = this.cancelAfterSubmit.delete(k);
      if (latest && (latest.cancel_requested || cancelOne)) {
        await this.cancelTask(latest, row.task_id);
        // The run was cancelled while this job was being submitted: nothing else will settle it now.
        this.commit(() => this.settleRun(run.id, this.now()));
      }
    } catch (err) {
      if ((err as { transient?: boolean }).transient) {
        // Outcome unknown (connection dropped mid-submit): the intent stays and is reconciled by tag.
        console.error(`[engine] submission of ${row.task_id} interrupted: ${(err as Error).message}`);
        return;
      }
      const msg = (err as Error).message || String(err);
      const at = this.now();
      this.commit(() => {
        const cur = this.o.store.getTask(run.id, row.task_id);
        if (cur) this.applyTransition(cur, { taskId: row.task_id, from: cur.status, to: 'failed', reason: `Submission failed: ${msg}`, patch: { status: 'failed', error: `Submission failed: ${msg}`, finishedAt: at } }, at);
        this.haltRun(run.id, msg, at);
        this.settleRun(run.id, at);
      });
    } finally {
      this.submitting.delete(k);
    }
  }

  /** A hard submission error stops the run's further submissions and says why on every task it affects. */
  private haltRun(runId: string, reason: string, now: string): void {
    this.o.store.updateRun(runId, { halted_reason: reason });
    for (const t of this.o.store.listTasks(runId)) {
      if (t.status !== 'pending') continue;
      const msg = `Submission halted: ${reason}`;
      this.applyTransition(t, { taskId: t.task_id, from: 'pending', to: 'failed', reason: msg, patch: { status: 'failed', error: msg, finishedAt: now } }, now);
    }
  }

  // ------------------------------------------------------------------ state changes (inside transactions)
  private commit(fn: () => void): void {
    try {
      this.o.store.tx(fn);
    } catch (err) {
      // The transaction rolled back; the in-memory execution state may hold its changes, so rebuild it from the store.
      this.active.clear();
      throw err;
    }
    this.flushEvents();
  }

  /**
   * Apply `t` to the task's CURRENT row. A cycle computes transitions from rows read before it awaited the
   * backend, and a cancel may have committed meanwhile: a terminal state is final within its attempt, and a
   * transition of another attempt is stale. Returns whether the transition was applied.
   */
  private applyTransition(row: TaskRow, t: Transition, now: string, opts: { notify?: boolean; current?: boolean } = {}): boolean {
    const cur = opts.current ? row : this.o.store.getTask(row.run_id, row.task_id);
    if (!cur || cur.attempt !== row.attempt) return false;
    if (isTerminalTask(cur.status) && t.patch.attempt === undefined) return false;
    t = cur.status === t.from ? t : { ...t, from: cur.status };
    this.o.store.patchTask(row.run_id, row.task_id, t.patch);
    this.active.peek(row.run_id)?.setStatus(row.task_id, t.patch.status ?? t.to, t.patch.attempt);
    if (t.from !== t.to || t.patch.attempt !== undefined) {
      this.o.store.appendTransition({ run_id: row.run_id, task_id: row.task_id, attempt: t.patch.attempt ?? row.attempt, at: now, from_status: t.from, to_status: t.to, reason: t.reason });
    }
    this.changedTasks.add(key(row.run_id, row.task_id));
    this.changedRuns.add(row.run_id);
    if (t.to === 'failed' && t.from !== 'failed' && opts.notify !== false) {
      const run = this.o.store.getRun(row.run_id);
      this.notifications.push({ kind: 'task_failed', level: 'error', title: `Task failed: ${row.task_id}`, body: `${run?.workflow_name ?? row.run_id}: ${t.patch.error ?? t.reason}`, run_id: row.run_id, task_id: row.task_id });
    }
    return true;
  }

  /** Cascade dependency failures and recompute the run's status (notifying when it finishes). */
  private settleRun(runId: string, now: string): void {
    const run = this.o.store.getRun(runId);
    if (!run) return;
    // A finished run changes only through a rerun, which rebuilds its execution state first; settling it again
    // (late cancels, a cycle's last verdicts) must not re-read every task.
    if (isTerminalRun(run.status) && !this.active.peek(runId)) return;
    const ex = this.active.get(runId);
    for (const t of ex.cascade(now)) {
      const row = this.o.store.getTask(runId, t.taskId);
      if (row) this.applyTransition(row, t, now, { current: true });
    }
    const status = ex.derivedStatus(!!run.cancel_requested);
    const counts = ex.statusCounts();
    if (status !== run.status) {
      const finished = isTerminalRun(status);
      this.o.store.updateRun(runId, { status, finished_at: finished ? now : null });
      this.changedRuns.add(runId);
      if (finished && !isTerminalRun(run.status)) this.notifyRunDone(run, status, counts);
    }
    // A finished run needs no execution state; a rerun rebuilds it from the store.
    if (isTerminalRun(status)) this.active.forget(runId);
  }

  private notifyRunDone(run: RunRow, status: RunStatus, counts: Record<string, number>): void {
    const done = counts.completed ?? 0;
    const failed = (counts.failed ?? 0) + (counts.dep_failed ?? 0);
    if (status === 'completed') this.notifications.push({ kind: 'run_done', level: 'success', title: `Run completed: ${run.workflow_name}`, body: `${done} task${done === 1 ? '' : 's'} done`, run_id: run.id, task_id: null });
    else if (status === 'cancelled') this.notifications.push({ kind: 'run_done', level: 'info', title: `Run cancelled: ${run.workflow_name}`, body: `${done} done · ${failed} failed`, run_id: run.id, task_id: null });
    else this.notifications.push({ kind: 'run_done', level: 'error', title: `Run finished with failures: ${run.workflow_name}`, body: `${done} done · ${failed} failed`, run_id: run.id, task_id: null });
  }

  private flushEvents(): void {
    const tasks = this.changedTasks;
    const runs = this.changedRuns;
    const notes = this.notifications;
    this.changedTasks = new Set();
    this.changedRuns = new Set();
    this.notifications = [];
    const byRun = new Map<string, string[]>();
    for (const k of tasks) {
      const [runId, taskId] = k.split('\u0000') as [string, string];
      let ids = byRun.get(runId);
      if (!ids) byRun.set(runId, (ids = []));
      ids.push(taskId);
    }
    for (const [runId, ids] of byRun) {
      // Bulk changes (cancelling a big run) read the run once instead of one query per task.
      if (ids.length > 256) {
        const wanted = new Set(ids);
        for (const row of this.o.store.listTasks(runId)) if (wanted.has(row.task_id)) this.bus.emit('task.changed', { run_id: runId, task: toTaskView(row) });
        continue;
      }
      for (const taskId of ids) {
        const row = this.o.store.getTask(runId, taskId);
        if (row) this.bus.emit('task.changed', { run_id: runId, task: toTaskView(row) });
      }
    }
    for (const runId of runs) {
      const summary = this.summary(runId);
      if (summary) this.bus.emit('run.changed', summary);
    }
    for (const n of notes) this.bus.emit('notification', n);
  }

  // ------------------------------------------------------------------ views
  private summary(runId: string): RunSummary | null {
    const run = this.o.store.getRun(runId);
    return run ? toRunSummary(run, this.active.peek(runId)?.statusCounts() ?? this.o.store.runStatusCounts(runId)) : null;
  }

  private requireRun(id: string): RunRow {
    const run = this.o.store.getRun(id);
    if (!run) throw new ApiError('not_found', `No run with id '${id}'.`);
    return run;
  }

  private requireTask(runId: string, taskId: string): TaskRow {
    const row = this.o.store.getTask(runId, taskId);
    if (!row) throw new ApiError('not_found', `Run '${runId}' has no task '${taskId}'.`);
    return row;
  }

  private backendInfo(b: Backend) {
    const s = b.status();
    return {
      name: b.name,
      type: b.kind,
      connected: s.state === 'ready' || s.state === 'connected',
      state: s.state,
      detail: s.detail,
      max_concurrent: b.maxConcurrent,
      in_flight: this.o.store.inFlightTasks(b.name).length,
      retry_at: s.retryAt,
    };
  }

  private requireBackend(name: string | undefined): Backend {
    if (!name) {
      if (this.o.backends.size === 1) return [...this.o.backends.values()][0] as Backend;
      throw new ApiError('bad_input', `Choose a backend with --backend; configured: ${[...this.o.backends.keys()].join(', ') || '(none)'}.`);
    }
    const b = this.o.backends.get(name);
    if (!b) throw new ApiError('not_found', `No backend named '${name}'. Configured backends: ${[...this.o.backends.keys()].join(', ') || '(none)'}.`);
    return b;
  }

  // ------------------------------------------------------------------ actions
  private createRun(doc: WorkflowDocument, b: Backend, workflowName: string, maxConcurrent: number | null, source?: RunSource): RunSummary {
    const now = this.now();
    const id = newRunId((x) => !!this.o.store.getRun(x));
    const logDir = path.dirname(b.defaultLogPaths(id, 'x', 1).output);
    this.commit(() => {
      this.o.store.insertRun({
        id,
        workflow_name: workflowName,
        title: doc.title,
        backend_name: b.name,
        created_at: now,
        finished_at: null,
        status: 'pending',
        attempt: 1,
        max_concurrent: maxConcurrent,
        doc_json: JSON.stringify({ env: doc.env, env_groups: doc.env_groups }),
        halted_reason: null,
        cancel_requested: 0,
        log_dir: logDir,
      });
      if (source) this.o.store.setRunSource(id, source); // sources feature
      this.o.store.insertTasks(id, doc.tasks.map((t) => ({ task_id: t.id, def_json: JSON.stringify(t), retries_left: t.retries, generated_by: null })));
      for (const t of doc.tasks) this.o.store.appendTransition({ run_id: id, task_id: t.id, attempt: 1, at: now, from_status: null, to_status: 'pending', reason: 'run created' });
      this.changedRuns.add(id);
      this.notifications.push({ kind: 'run_scheduled', level: 'info', title: `Run scheduled: ${workflowName}`, body: `${doc.tasks.length} task${doc.tasks.length === 1 ? '' : 's'} queued on ${b.name}`, run_id: id, task_id: null });
    });
    this.wake(b.name);
    return this.summary(id) as RunSummary;
  }

  private async cancelTask(run: RunRow, taskId: string): Promise<boolean> {
    const row = this.o.store.getTask(run.id, taskId);
    if (!row || isTerminalTask(row.status)) return false;
    const b = this.o.backends.get(run.backend_name);
    if (row.status !== 'pending') {
      if (!row.job_id) {
        // A submission in flight: it is cancelled as soon as its job id is known.
        this.cancelAfterSubmit.add(key(run.id, taskId));
        return true;
      }
      if (row.status === 'settling') return false; // already finished; the verdict decides
      if (!b) throw new ApiError('unavailable', `Backend '${run.backend_name}' is not available; cannot cancel job ${row.job_id}.`);
      await b.cancel(row.job_id);
    }
    const now = this.now();
    this.commit(() => {
      const cur = this.o.store.getTask(run.id, taskId);
      if (!cur || isTerminalTask(cur.status)) return;
      this.applyTransition(cur, { taskId, from: cur.status, to: 'cancelled', reason: 'Cancelled by user', patch: { status: 'cancelled', error: 'Cancelled by user', finishedAt: now, startedAt: cur.started_at ?? (cur.status === 'running' ? cur.submitted_at : null) } }, now);
    });
    return true;
  }

  private async cancelRun(run: RunRow, taskId?: string): Promise<boolean> {
    if (taskId) {
      this.requireTask(run.id, taskId);
      const done = await this.cancelTask(run, taskId);
      this.commit(() => this.settleRun(run.id, this.now()));
      if (run.backend_name) this.wake(run.backend_name);
      return done;
    }
    // Pending first so nothing new is submitted while running jobs are being cancelled: all of them, with the
    // cancel request, in one transaction (one statement per task, never one transaction per task).
    this.commit(() => {
      this.o.store.updateRun(run.id, { cancel_requested: 1 });
      this.changedRuns.add(run.id);
      const ex = this.active.peek(run.id);
      for (const taskId of this.o.store.finishPendingTasks(run.id, 'cancelled', 'Cancelled by user', this.now())) {
        ex?.setStatus(taskId, 'cancelled');
        this.changedTasks.add(key(run.id, taskId));
      }
    });
    const rows = this.o.store.inFlightTasks(run.backend_name).filter((x) => x.run_id === run.id);
    const errors: string[] = [];
    for (const r of rows) {
      try {
        await this.cancelTask(run, r.task_id);
      } catch (err) {
        errors.push(`${r.task_id}: ${(err as Error).message}`);
      }
    }
    this.commit(() => this.settleRun(run.id, this.now()));
    this.wake(run.backend_name);
    if (errors.length) throw new ApiError('unavailable', `Some jobs could not be cancelled:\n${errors.join('\n')}`);
    return true;
  }

  private rerun(run: RunRow, failedOnly: boolean): RunSummary {
    if (!isTerminalRun(run.status)) throw new ApiError('conflict', `Run '${run.id}' is still ${run.status}; cancel it or wait for it to finish before rerunning.`);
    const now = this.now();
    this.commit(() => {
      let rows = this.o.store.listTasks(run.id);
      const selected = rerunSelection(rows.map((r) => toRuntime(r)), failedOnly);
      // Tasks generated by a generator that runs again are dropped; the generator will produce them anew.
      const dropped = rows.filter((r) => r.generated_by && selected.has(r.generated_by)).map((r) => r.task_id);
      if (dropped.length) {
        this.o.store.deleteTasks(run.id, dropped);
        rows = this.o.store.listTasks(run.id);
      }
      this.active.forget(run.id);
      for (const row of rows) {
        if (!selected.has(row.task_id)) continue;
        const def = taskDef(row);
        const rt = toRuntime(row, def);
        this.applyTransition(row, { taskId: row.task_id, from: row.status, to: 'pending', reason: `rerun (run attempt ${run.attempt + 1})`, patch: freshAttempt(rt, { retriesLeft: def.retries }) }, now);
        this.o.store.setSubmitTag(run.id, row.task_id, null);
      }
      this.o.store.updateRun(run.id, { status: 'pending', finished_at: null, attempt: run.attempt + 1, cancel_requested: 0, halted_reason: null });
      this.active.forget(run.id);
      this.settleRun(run.id, now);
      this.changedRuns.add(run.id);
      this.notifications.push({ kind: 'run_scheduled', level: 'info', title: `Run scheduled: ${run.workflow_name}`, body: `${selected.size} task${selected.size === 1 ? '' : 's'} queued again`, run_id: run.id, task_id: null });
    });
    this.wake(run.backend_name);
    return this.summary(run.id) as RunSummary;
  }

  private async readLog(input: { run_id: string; task_id: string; type: 'output' | 'error'; tail?: number; offset?: number; attempt?: number }): Promise<LogChunk> {
    const run = this.requireRun(input.run_id);
    const row = this.requireTask(run.id, input.task_id);
    const attemptNo = input.attempt ?? row.attempt;
    const attempt = this.o.store.getAttempt(run.id, row.task_id, attemptNo);
    if (!attempt) throw new ApiError('bad_input', `Task '${row.task_id}' has not been submitted yet (attempt ${attemptNo}); no log exists.`);
    const file = input.type === 'error' ? attempt.log_error : attempt.log_output;
    const b = this.o.backends.get(attempt.backend_name);
    if (!b) throw new ApiError('unavailable', `Backend '${attempt.backend_name}' is not configured any more; its logs cannot be read.`);
    const complete = attemptNo < row.attempt || isTerminalTask(row.status);
    const res = await b.readLog(file ?? '', { tail: input.tail, offset: input.offset });
    return { run_id: run.id, task_id: row.task_id, attempt: attemptNo, type: input.type, content: res.content, offset: res.offset, next_offset: res.nextOffset, complete, missing: res.missing };
  }

  private health(): Health {
    const backends = [...this.o.backends.values()].map((b) => {
      const s = b.status().state;
      return { name: b.name, type: b.kind, connected: s === 'ready' || s === 'connected' };
    });
    const space = dataDirSpace(this.o.dataDir);
    return {
      status: this.o.config.error || space.warning || backends.some((b) => !b.connected) ? 'degraded' : 'ok',
      version: this.o.version,
      pid: process.pid,
      data_dir: this.o.dataDir,
      config_file: this.o.config.file,
      config_loaded: !this.o.config.error,
      config_error: this.o.config.error,
      starting: null,
      backends,
      demo_available: !!this.o.demoWorkflowPath && fs.existsSync(this.o.demoWorkflowPath),
      config_warnings: this.o.config.warnings ?? [],
      data_dir_free_bytes: space.free_bytes,
      disk_warning: space.warning,
    };
  }

  private makeHandlers(): Handlers {
    return {
      health: () => this.health(),
      'backends.list': () => ({ backends: [...this.o.backends.values()].map((b) => this.backendInfo(b)) }),
      'backends.status': ({ name }) => this.backendInfo(this.requireBackend(name)),
      'runs.list': (input) => {
        const page = pageRuns(this.o.store.db, input);
        return { runs: page.runs.map((r) => toRunSummary(r.run, r.counts)), total: page.total, next_cursor: page.nextCursor };
      },
      'runs.get': ({ id, ...query }): RunDetail => {
        const run = this.requireRun(id);
        const counts = statusCountsOf(this.o.store.db, id);
        const page = pageTasks(this.o.store.db, id, query, counts);
        const summary = toRunSummary(run, counts);
        return { ...summary, items: page.rows.map(toTaskView), log_dir: run.log_dir, total_items: summary.task_count, matched_items: page.matched, item_offset: page.offset };
      },
      'runs.createFromWorkflow': (input) => {
        const b = this.requireBackend(input.backend);
        const s = b.status();
        if (s.state === 'error' || s.state === 'disabled') throw new ApiError('unavailable', `Backend '${b.name}' is not available: ${s.detail ?? s.state}.`);
        let doc: WorkflowDocument;
        let warnings: string[];
        let name = input.workflow_name;
        if (input.demo) {
          if (!this.o.demoWorkflowPath) throw new ApiError('not_found', 'The demo workflow is not bundled with this build.');
          ({ doc, warnings } = validateWorkflowInput({ text: fs.readFileSync(this.o.demoWorkflowPath, 'utf8') }, this.maxTasks));
          name ??= 'demo';
        } else {
          if (input.document === undefined && input.text === undefined) throw new ApiError('bad_input', 'Give the workflow as `document` (JSON value) or `text` (JSON text).');
          ({ doc, warnings } = validateWorkflowInput(input, this.maxTasks));
        }
        return { ...this.createRun(doc, b, name ?? doc.title ?? 'workflow', input.max_concurrent ?? null), warnings };
      },
      'runs.cancel': async ({ id, task }) => {
        const run = this.requireRun(id);
        if (isTerminalRun(run.status)) {
          // History is not rewritten: a finished run keeps its outcome and stores no cancel request.
          if (task) this.requireTask(id, task);
          return { run_id: id, cancelled: false, message: `Run '${id}' already finished (${run.status}); nothing to cancel.` };
        }
        const cancelled = await this.cancelRun(run, task);
        if (!cancelled && task) {
          const row = this.requireTask(id, task);
          return { run_id: id, cancelled, message: `Task '${task}' is ${row.status}; nothing to cancel.` };
        }
        return { run_id: id, cancelled };
      },
      'runs.rerun': ({ id, failed_only }) => this.rerun(this.requireRun(id), !!failed_only),
      'runs.delete': ({ id }) => {
        const run = this.requireRun(id);
        if (!isTerminalRun(run.status)) throw new ApiError('conflict', `Run '${id}' is still ${run.status}; cancel it before deleting.`);
        const jobIds = this.o.store.runJobIds(id);
        this.o.store.tx(() => this.o.store.deleteRun(id));
        this.active.forget(id);
        // Files go after the history, in the background: an unreachable cluster must not hold up the delete.
        const b = this.o.backends.get(run.backend_name);
        void b?.removeRunFiles?.(id, jobIds).catch((err: unknown) => this.stateLog.failed(`removing files of run '${id}' on '${b.name}'`, (err as Error).message));
        this.bus.emit('run.deleted', { id });
        return { run_id: id, deleted: true };
      },
      'tasks.attempts': ({ run_id, task_id }) => {
        this.requireTask(run_id, task_id);
        return { attempts: this.o.store.listAttempts(run_id, task_id).map(toAttemptView) };
      },
      'tasks.log': (input) => this.readLog(input),
      'tasks.env': ({ run_id, task_id, attempt }) => this.taskEnv(run_id, task_id, attempt),
      'tasks.summary': async ({ run_id, task_id }) => {
        const run = this.requireRun(run_id);
        this.requireTask(run_id, task_id);
        const b = this.o.backends.get(run.backend_name);
        const dir = b?.outputDir(run_id, task_id);
        if (!b || !dir) return { run_id, task_id, markdown: null };
        const markdown = await b.readFile(`${dir}/task-summary.md`).catch(() => null);
        return { run_id, task_id, markdown };
      },
      'tasks.transitions': ({ run_id, task_id }) => {
        this.requireRun(run_id);
        return { transitions: this.o.store.listTransitions(run_id, task_id) };
      },
      'backends.info': async ({ name }) => {
        const b = this.requireBackend(name);
        if (!b.clusterInfo) throw new ApiError('bad_input', `Backend '${b.name}' (${b.kind}) has no cluster information to show.`);
        const info = await b.clusterInfo();
        return {
          backend: b.name,
          partitions: info.partitions.map((p) => ({ name: p.name, is_default: p.isDefault, available: p.available, cpus_allocated: p.cpusAllocated, cpus_idle: p.cpusIdle, cpus_other: p.cpusOther, cpus_total: p.cpusTotal, nodes: p.nodes, mem_per_node_mb: p.memPerNodeMb, time_limit: p.timeLimit, gpus_total: p.gpusTotal })),
          pending_reasons: info.pendingReasons,
        };
      },
      'backends.commands': ({ name, limit }) => {
        const b = this.requireBackend(name);
        const commands = this.o.store.listCommands(b.name, limit ?? 200).map((c) => ({ at: c.at, kind: c.kind, command: c.command, exit_code: c.exit_code, duration_ms: c.duration_ms, stdout: c.stdout, stderr: c.stderr, error: c.error }));
        return { backend: b.name, counts: this.o.commandCounts?.(b.name) ?? {}, commands };
      },
      'jobs.external': ({ backend, include_gone }) => ({
        jobs: this.o.store
          .listExternalJobs(backend)
          .filter((j) => include_gone || !j.gone_at)
          .map((j) => ({ backend: j.backend_name, job_id: j.job_id, name: j.name, user: j.user, state: j.state, reason: j.reason, partition: j.partition, submitted_at: j.submitted_at, started_at: j.started_at, first_seen: j.first_seen, last_seen: j.last_seen, gone_at: j.gone_at })),
      }),
      'prompts.respond': ({ id, answers }) => {
        const accepted = this.o.prompts.respond(id, answers);
        if (!accepted) throw new ApiError('not_found', `No open prompt '${id}' (already answered or expired).`);
        return { id, accepted };
      },
      'prompts.list': () => ({ prompts: this.o.prompts.list() }),
      // sources feature: list/view/sync/run/dry-run (logic in src-main/sources/handlers.ts)
      ...sourceHandlers({
        manager: this.o.sources?.manager ?? null,
        cloneDirOf: (name) => this.o.sources?.cloneDirOf(name) ?? null,
        requireBackend: (name) => this.requireBackend(name),
        env: this.o.env,
        now: this.now,
        createRun: (doc, b, name, max, source) => this.createRun(doc, b, name, max, source),
      }),
      'tasks.script': ({ run_id, task_id, attempt }) => {
        const row = this.requireTask(run_id, task_id);
        const n = attempt ?? row.attempt;
        const a = this.o.store.getAttempt(run_id, task_id, n);
        return { run_id, task_id, attempt: n, script: a?.script ?? null };
      },
      // issue 11 (cost): handler entries — logic lives in src-main/usage.
      'runs.cost': ({ id }) => runCost(this.o.store.db, this.o.cost ?? { backends: {}, pricing: null, snapshot: null, snapshotError: null }, id, this.requireRun(id).backend_name, this.now()),
      'usage.summary': (input) => usageSummary(this.o.store.db, this.o.cost, input, this.now()),
      'usage.rightsizing': (input) => usageRightSizing(this.o.store.db, input, this.now()),
    };
  }

  private taskEnv(runId: string, taskId: string, attemptNo: number | undefined) {
    const run = this.requireRun(runId);
    const row = this.requireTask(runId, taskId);
    const n = attemptNo ?? row.attempt;
    const attempt = this.o.store.getAttempt(runId, taskId, n);
    if (attempt?.env_json) {
      const env = JSON.parse(attempt.env_json) as { vars: TaskEnvVars; init: string; warnings: string[] };
      return { run_id: runId, task_id: taskId, attempt: n, resolved: true, vars: env.vars, init: env.init, warnings: env.warnings };
    }
    const b = this.o.backends.get(run.backend_name);
    if (!b) throw new ApiError('unavailable', `Backend '${run.backend_name}' is not configured; the environment cannot be previewed.`);
    const env = this.o.env.resolve({ run, def: taskDef(row), backend: b, attempt: n });
    return { run_id: runId, task_id: taskId, attempt: n, resolved: false, vars: env.vars, init: env.init, warnings: [...env.warnings, ...env.errors] };
  }
}
