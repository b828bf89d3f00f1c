// Small repositories over one SQLite database. The engine wraps each step in `tx` so a state change is one
// transaction: the store is the truth, and an engine killed at any point restarts from a consistent file.
import type { Statement } from 'better-sqlite3';
import type { Db } from './db';
import { openDatabase, type OpenOptions } from './db';
import { hasUsageLedger, registerPendingUsageMarks, syncUsageLedger } from './usage-ledger';
import { WalCheckpointer } from './wal-checkpoint';
import { countNewTaskEdges } from './queries/run-graph';
import { renewTaskSetToken } from './queries/task-set-token';
import { addRunWarnings, runWarningsOf, type RunWarning } from './queries/run-warnings';
import type { AttemptRow, CommandLogRow, ExternalJobRow, RunRow, TaskRow } from './rows';
import type { TaskPatch } from '../model/task-runtime';
import type { CommandLogEntry } from '../model/command-log-entry';

const TASK_PATCH_COLUMNS: Record<string, string> = {
  status: 'status',
  jobId: 'job_id',
  attempt: 'attempt',
  retriesLeft: 'retries_left',
  submittedAt: 'submitted_at',
  startedAt: 'started_at',
  finishedAt: 'finished_at',
  settlingSince: 'settling_since',
  exitCode: 'exit_code',
  error: 'error',
  pendingReason: 'pending_reason',
  schedulerState: 'scheduler_state',
  maxRss: 'max_rss',
  cpuEfficiency: 'cpu_efficiency',
  submitTag: 'submit_tag',
};
/** Runtime fields an attempt row keeps once its attempt is over (until then they live on the task row). */
const ATTEMPT_MIRROR = new Set(['status', 'job_id', 'exit_code', 'error', 'submitted_at', 'started_at', 'finished_at']);
/** Attempt rows with the current attempt's runtime fields taken from the task row. */
const ATTEMPT_VIEW = `SELECT a.run_id, a.task_id, a.attempt, a.backend_name, a.tag, a.script, a.env_json, a.submit_output, a.log_output, a.log_error,
  ${[...ATTEMPT_MIRROR].map((c) => `CASE WHEN t.attempt = a.attempt THEN t.${c} ELSE a.${c} END AS ${c}`).join(', ')}
  FROM attempts a LEFT JOIN tasks t ON t.run_id = a.run_id AND t.task_id = a.task_id`;

export interface NewTask {
  task_id: string;
  def_json: string;
  retries_left: number;
  generated_by: string | null;
}

/** Rows of command log kept per backend unless `settings.command_log_retention` says otherwise. */
export const COMMAND_LOG_RETENTION_DEFAULT = 10_000;
// Pruning is one indexed DELETE, run once per this many inserts per backend rather than on every insert.
const COMMAND_LOG_PRUNE_EVERY = 100;

export interface StoreOptions extends OpenOptions {
  /** Command log rows kept per backend. */
  commandLogRetention?: number;
}

export class Store {
  readonly db: Db;
  readonly commandLogRetention: number;
  private commandInserts = new Map<string, number>();
  private stmts = new Map<string, Statement<unknown[], unknown>>();
  private patchStmts = new Map<string, Statement<unknown[], unknown>>();
  /**
   * Run rows as committed, by id: the loop reads a run several times for every task it moves. Every write to
   * `runs` goes through this class and drops the row; a row written in a transaction still open is not cached
   * until that transaction is over, so a rollback never leaves an uncommitted row here.
   */
  private runRows = new Map<string, RunRow>();
  private runsWrittenInTx = new Set<string>();
  /** Store.tx nesting depth: usage marks are collected while it is above 0 and written before the commit. */
  private txDepth = 0;
  /** Tasks whose start or finish time this transaction wrote, by run (see markUsage). */
  private usageMarks = new Map<string, { started: Set<string>; finishedOnly: Set<string> }>();
  private hasLedger = false;
  /** Null for a read-only store. */
  readonly checkpointer: WalCheckpointer | null;

  constructor(file: string, opts: StoreOptions = {}) {
    this.db = openDatabase(file, opts);
    this.checkpointer = opts.readonly ? null : new WalCheckpointer(this.db, { nativeBinding: opts.nativeBinding });
    this.commandLogRetention = opts.commandLogRetention ?? COMMAND_LOG_RETENTION_DEFAULT;
    registerPendingUsageMarks(this.db, () => this.flushUsageMarks());
    // Backfill after migration 10, and anything written since the last engine without going through it.
    if (!opts.readonly) this.tx(() => syncUsageLedger(this.db));
  }

  close(): void {
    this.checkpointer?.stop();
    this.db.close();
  }

  tx<T>(fn: () => T): T {
    try {
      return this.db.transaction(() => {
        this.txDepth++;
        try {
          const result = fn();
          // The usage marks of this transaction's time changes commit with them, never after.
          this.flushUsageMarks();
          return result;
        } finally {
          this.txDepth--;
        }
      })();
    } finally {
      if (!this.db.inTransaction) {
        this.runsWrittenInTx.clear();
        // A rollback: the changes the marks were for are gone.
        this.usageMarks.clear();
      }
    }
  }

  /**
   * Write the usage-ledger marks (usage_dirty) collected since the last flush: a statement or two per run. Store.tx
   * does it before it commits, and a fold of the ledger on this connection first (syncUsageLedger).
   */
  flushUsageMarks(): void {
    if (!this.usageMarks.size) return;
    const mark = this.st('INSERT OR IGNORE INTO usage_dirty (run_id, task_id) SELECT ?, value FROM json_each(?)');
    // A task given only a finish time is marked when it has started: one that never ran has no ledger rows before
    // or after (migration 13's rule, checked here). CROSS JOIN: the planner would otherwise walk the run's tasks.
    const markStarted = this.st(`INSERT OR IGNORE INTO usage_dirty (run_id, task_id)
      SELECT t.run_id, t.task_id FROM json_each(?) j CROSS JOIN tasks t ON t.run_id = ? AND t.task_id = j.value WHERE t.started_at IS NOT NULL`);
    for (const [runId, { started, finishedOnly }] of this.usageMarks) {
      if (started.size) mark.run(runId, JSON.stringify([...started]));
      const rest = [...finishedOnly].filter((id) => !started.has(id));
      if (rest.length) markStarted.run(JSON.stringify(rest), runId);
    }
    this.usageMarks.clear();
  }

  /**
   * A task's start or finish time was written: its usage-ledger rows must be folded again (migration 20).
   * `started`: the task is known to have a start time (or had one replaced). Collected inside Store.tx, written
   * at once otherwise.
   */
  private markUsage(runId: string, taskId: string, started: boolean): void {
    if (!this.ledgerPresent()) return;
    let marks = this.usageMarks.get(runId);
    if (!marks) this.usageMarks.set(runId, (marks = { started: new Set(), finishedOnly: new Set() }));
    (started ? marks.started : marks.finishedOnly).add(taskId);
    if (this.txDepth === 0) this.flushUsageMarks();
  }

  /** A connection to a store older than migration 10 (only tests write through one) has no ledger to mark. */
  private ledgerPresent(): boolean {
    // Only a positive answer is kept: such a store gets the table when an engine migrates it.
    return (this.hasLedger ||= hasUsageLedger(this.db));
  }

  private runWritten(id: string): void {
    this.runRows.delete(id);
    if (this.db.inTransaction) this.runsWrittenInTx.add(id);
  }

  private st(sql: string): Statement<unknown[], unknown> {
    let s = this.stmts.get(sql);
    if (!s) this.stmts.set(sql, (s = this.db.prepare<unknown[], unknown>(sql)));
    return s;
  }

  // ---- runs
  insertRun(run: RunRow): void {
    this.runWritten(run.id);
    this.st(`INSERT INTO runs (id, workflow_name, title, backend_name, created_at, finished_at, status, attempt, max_concurrent, doc_json, halted_reason, cancel_requested, log_dir)
      VALUES (@id, @workflow_name, @title, @backend_name, @created_at, @finished_at, @status, @attempt, @max_concurrent, @doc_json, @halted_reason, @cancel_requested, @log_dir)`).run(run);
  }
  /** Which source (and commit) a run was made from; called in the same transaction as insertRun. */
  setRunSource(id: string, src: { name: string; repo: string | null; branch: string | null; commit: string | null }): void {
    this.runWritten(id);
    this.st('UPDATE runs SET source_name = ?, source_repo = ?, source_branch = ?, source_commit = ? WHERE id = ?').run(src.name, src.repo, src.branch, src.commit, id);
  }
  /** Workflow warnings kept with the run (generatedBy: the generator task; null for the run's own document). */
  addRunWarnings(runId: string, messages: readonly string[], generatedBy: string | null, at: string): void {
    addRunWarnings(this.db, runId, messages, generatedBy, at);
  }
  runWarnings(runId: string): RunWarning[] {
    return runWarningsOf(this.db, runId);
  }
  getRun(id: string): RunRow | undefined {
    const hit = this.runRows.get(id);
    // A copy: callers may change the object they get.
    if (hit) return { ...hit };
    const row = this.st('SELECT * FROM runs WHERE id = ?').get(id) as RunRow | undefined;
    if (row && !this.runsWrittenInTx.has(id)) {
      if (this.runRows.size >= 1000) this.runRows.clear();
      this.runRows.set(id, { ...row });
    }
    return row;
  }
  activeRuns(backend?: string): RunRow[] {
    if (backend) return this.st(`SELECT * FROM runs WHERE backend_name = ? AND status IN ('pending','running') ORDER BY created_at`).all(backend) as RunRow[];
    return this.st(`SELECT * FROM runs WHERE status IN ('pending','running') ORDER BY created_at`).all() as RunRow[];
  }
  updateRun(id: string, fields: Partial<Omit<RunRow, 'id'>>): void {
    const keys = Object.keys(fields);
    if (!keys.length) return;
    this.runWritten(id);
    // Cached by shape: these run for every task a loop turn moves.
    this.st(`UPDATE runs SET ${keys.map((k) => `${k} = @${k}`).join(', ')} WHERE id = @id`).run({ ...fields, id });
  }
  deleteRun(id: string): void {
    this.runWritten(id);
    this.st('DELETE FROM task_transitions WHERE run_id = ?').run(id);
    this.st('DELETE FROM runs WHERE id = ?').run(id);
  }

  // ---- tasks
  insertTasks(runId: string, tasks: readonly NewTask[]): void {
    const maxSeq = (this.st('SELECT COALESCE(MAX(seq), -1) AS m FROM tasks WHERE run_id = ?').get(runId) as { m: number }).m;
    // A task generated again after a rerun dropped it continues its attempt numbers: its earlier attempts (logs,
    // scripts, tags) are kept, and reusing attempt 1 would collide with them (and with the old job's tag).
    const ins = this.st(`INSERT INTO tasks (run_id, task_id, seq, def_json, status, attempt, retries_left, generated_by)
      VALUES (?, ?, ?, ?, 'pending', COALESCE((SELECT MAX(attempt) FROM attempts WHERE run_id = ? AND task_id = ?), 0) + 1, ?, ?)`);
    tasks.forEach((t, i) => ins.run(runId, t.task_id, maxSeq + 1 + i, t.def_json, runId, t.task_id, t.retries_left, t.generated_by));
    countNewTaskEdges(this.db, runId, tasks);
    if (tasks.length) renewTaskSetToken(this.db, runId);
  }
  listTasks(runId: string): TaskRow[] {
    return this.st('SELECT * FROM tasks WHERE run_id = ? ORDER BY seq').all(runId) as TaskRow[];
  }
  getTask(runId: string, taskId: string): TaskRow | undefined {
    return this.st('SELECT * FROM tasks WHERE run_id = ? AND task_id = ?').get(runId, taskId) as TaskRow | undefined;
  }
  deleteTasks(runId: string, taskIds: readonly string[]): void {
    const del = this.st('DELETE FROM tasks WHERE run_id = ? AND task_id = ?');
    for (const id of taskIds) {
      this.closeCurrentAttempt(runId, id);
      del.run(runId, id);
    }
  }
  /** Copy the task row's runtime fields onto its current attempt row (the attempt is over or the task goes). */
  private closeCurrentAttempt(runId: string, taskId: string): void {
    this.st(`UPDATE attempts SET ${[...ATTEMPT_MIRROR].map((c) => `${c} = t.${c}`).join(', ')}
      FROM tasks t WHERE t.run_id = attempts.run_id AND t.task_id = attempts.task_id AND t.attempt = attempts.attempt
      AND attempts.run_id = ? AND attempts.task_id = ?`).run(runId, taskId);
  }
  /** Tasks of a backend whose job exists or may exist (in-flight), across all runs. */
  inFlightTasks(backend: string): TaskRow[] {
    // CROSS JOIN keeps tasks as the outer loop (through tasks_in_flight): the cost is the jobs in flight, not every
    // task of every active run on the backend, which the planner would otherwise scan. The status test is written
    // exactly as the index's WHERE (migration 14), so the planner sees that the query implies it.
    return this.st(`SELECT t.* FROM tasks t CROSS JOIN runs r ON r.id = t.run_id
      WHERE (t.status = 'submitted' OR t.status = 'queued' OR t.status = 'running' OR t.status = 'settling') AND r.backend_name = ? ORDER BY r.created_at, t.seq`).all(backend) as TaskRow[];
  }
  setSubmitTag(runId: string, taskId: string, tag: string | null): void {
    this.st('UPDATE tasks SET submit_tag = ? WHERE run_id = ? AND task_id = ?').run(tag, runId, taskId);
  }
  /**
   * Update a task's runtime fields. The current attempt's runtime lives on the task row (read through
   * ATTEMPT_VIEW); when a new attempt starts, the finished one's values are copied onto its attempt row first —
   * so a hot transition costs one UPDATE, not two.
   *
   * `current`: the task's row as it is now, when the caller has it. Fields it already holds are left out of the
   * UPDATE: SQLite rewrites every index over a column in the SET list even when its value is the same (a
   * running task's patch repeats its start time, which moved two sort indexes and marked its ledger rows).
   */
  patchTask(runId: string, taskId: string, patch: TaskPatch, current?: TaskRow): void {
    const cols: string[] = [];
    const values: unknown[] = [];
    let started = false;
    let finished = false;
    let attempt = false;
    for (const k in patch) {
      const v = (patch as Record<string, unknown>)[k];
      const col = TASK_PATCH_COLUMNS[k];
      if (v === undefined || !col) continue;
      if (current && (current as unknown as Record<string, unknown>)[col] === v) continue;
      cols.push(col);
      values.push(v);
      if (col === 'started_at') started = true;
      else if (col === 'finished_at') finished = true;
      else if (col === 'attempt') attempt = true;
    }
    if (!cols.length) return;
    if (attempt) this.closeCurrentAttempt(runId, taskId);
    if (started || finished) this.markUsage(runId, taskId, started || (current !== undefined && current.started_at !== null));
    // This is the hottest write of the engine: one cached statement per patch shape, positional parameters.
    const shape = cols.join(',');
    let stmt = this.patchStmts.get(shape);
    if (!stmt) this.patchStmts.set(shape, (stmt = this.db.prepare<unknown[], unknown>(`UPDATE tasks SET ${cols.map((c) => `${c} = ?`).join(', ')} WHERE run_id = ? AND task_id = ?`)));
    stmt.run(...values, runId, taskId);
  }

  // ---- attempts
  insertAttempt(a: AttemptRow): void {
    this.st(`INSERT INTO attempts (run_id, task_id, attempt, backend_name, tag, job_id, status, script, env_json, submit_output, log_output, log_error, exit_code, error, submitted_at, started_at, finished_at)
      VALUES (@run_id, @task_id, @attempt, @backend_name, @tag, @job_id, @status, @script, @env_json, @submit_output, @log_output, @log_error, @exit_code, @error, @submitted_at, @started_at, @finished_at)`).run(a);
  }
  getAttempt(runId: string, taskId: string, attempt: number): AttemptRow | undefined {
    return this.st(`${ATTEMPT_VIEW} WHERE a.run_id = ? AND a.task_id = ? AND a.attempt = ?`).get(runId, taskId, attempt) as AttemptRow | undefined;
  }
  listAttempts(runId: string, taskId: string): AttemptRow[] {
    return this.st(`${ATTEMPT_VIEW} WHERE a.run_id = ? AND a.task_id = ? ORDER BY a.attempt`).all(runId, taskId) as AttemptRow[];
  }
  /** Every job id a run's attempts ever had (for cleaning up after it). */
  runJobIds(runId: string): string[] {
    return (this.st('SELECT DISTINCT job_id FROM attempts WHERE run_id = ? AND job_id IS NOT NULL').all(runId) as Array<{ job_id: string }>).map((r) => r.job_id);
  }
  updateAttempt(runId: string, taskId: string, attempt: number, fields: Partial<AttemptRow>): void {
    const keys = Object.keys(fields).filter((k) => (fields as Record<string, unknown>)[k] !== undefined);
    if (!keys.length) return;
    this.st(`UPDATE attempts SET ${keys.map((k) => `${k} = @${k}`).join(', ')} WHERE run_id = @r AND task_id = @t AND attempt = @a`).run({ ...fields, r: runId, t: taskId, a: attempt });
  }

  // ---- transitions (append-only)
  /**
   * Every pending task of a run becomes `to` with `error`, each with its transition row: two statements for the
   * whole run however big it is (cancelling 100,000 tasks), with no row coming back into JavaScript. Returns how
   * many tasks changed. finished_at stays empty: these tasks never ran (no start, no end, no duration), and their
   * transition keeps when they were cancelled. Writing it cost two more index updates per task (the finished and
   * duration sort indexes), a quarter of a 100,000-task cancel.
   */
  finishPendingTasks(runId: string, to: 'cancelled', error: string, at: string): number {
    // Transitions first: they select the tasks that are still pending.
    this.st(`INSERT INTO task_transitions (run_id, task_id, attempt, at, from_status, to_status, reason)
      SELECT run_id, task_id, attempt, ?, 'pending', ?, ? FROM tasks WHERE run_id = ? AND status = 'pending' ORDER BY seq`).run(at, to, error, runId);
    return this.st(`UPDATE tasks SET status = ?, error = ? WHERE run_id = ? AND status = 'pending'`).run(to, error, runId).changes;
  }
  appendTransition(t: { run_id: string; task_id: string; attempt: number; at: string; from_status: string | null; to_status: string; reason: string }): void {
    this.st('INSERT INTO task_transitions (run_id, task_id, attempt, at, from_status, to_status, reason) VALUES (?, ?, ?, ?, ?, ?, ?)').run(t.run_id, t.task_id, t.attempt, t.at, t.from_status, t.to_status, t.reason);
  }
  listTransitions(runId: string, taskId?: string): Array<{ task_id: string; attempt: number; at: string; from_status: string | null; to_status: string; reason: string }> {
    if (taskId) return this.st('SELECT task_id, attempt, at, from_status, to_status, reason FROM task_transitions WHERE run_id = ? AND task_id = ? ORDER BY id').all(runId, taskId) as never;
    return this.st('SELECT task_id, attempt, at, from_status, to_status, reason FROM task_transitions WHERE run_id = ? ORDER BY id').all(runId) as never;
  }

  // ---- command log
  appendCommand(e: CommandLogEntry): void {
    this.st(`INSERT INTO command_log (backend_name, at, kind, command, exit_code, duration_ms, stdout, stderr, error) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`).run(e.backend, e.at, e.kind, e.command, e.exitCode, e.durationMs, e.stdout, e.stderr, e.error);
    // Count from 1 so the first prune follows the first insert: a log left over-full by an older version (or
    // a lower retention) is trimmed at once.
    const n = this.commandInserts.get(e.backend) ?? 0;
    this.commandInserts.set(e.backend, n + 1);
    if (n % COMMAND_LOG_PRUNE_EVERY === 0) this.pruneCommandsOf(e.backend, this.commandLogRetention);
  }
  /** Keep the newest `keep` rows of one backend: one DELETE over the (backend_name, id) index. */
  pruneCommandsOf(backend: string, keep: number): void {
    this.st(`DELETE FROM command_log WHERE backend_name = ? AND id <= (SELECT id FROM command_log WHERE backend_name = ? ORDER BY id DESC LIMIT 1 OFFSET ?)`).run(backend, backend, keep);
  }
  listCommands(backend: string, limit: number): CommandLogRow[] {
    return this.st('SELECT * FROM command_log WHERE backend_name = ? ORDER BY id DESC LIMIT ?').all(backend, limit) as CommandLogRow[];
  }
  pruneCommands(keepPerBackend: number): void {
    this.st(`DELETE FROM command_log WHERE id IN (SELECT id FROM (SELECT id, ROW_NUMBER() OVER (PARTITION BY backend_name ORDER BY id DESC) AS rn FROM command_log) WHERE rn > ?)`).run(keepPerBackend);
  }

  // ---- external jobs
  upsertExternalJobs(backend: string, jobs: ReadonlyArray<Omit<ExternalJobRow, 'backend_name' | 'first_seen' | 'last_seen' | 'gone_at'>>, now: string): void {
    const up = this.st(`INSERT INTO external_jobs (backend_name, job_id, name, user, state, reason, partition, submitted_at, started_at, first_seen, last_seen, gone_at)
      VALUES (@backend_name, @job_id, @name, @user, @state, @reason, @partition, @submitted_at, @started_at, @now, @now, NULL)
      ON CONFLICT(backend_name, job_id) DO UPDATE SET name = excluded.name, user = excluded.user, state = excluded.state, reason = excluded.reason,
        partition = excluded.partition, started_at = excluded.started_at, last_seen = excluded.last_seen, gone_at = NULL`);
    const seen = new Set<string>();
    for (const j of jobs) {
      seen.add(j.job_id);
      up.run({ ...j, backend_name: backend, now });
    }
    // Jobs that left the queue (pending or running alike) are marked gone, never left "queued" forever.
    const live = this.st('SELECT job_id FROM external_jobs WHERE backend_name = ? AND gone_at IS NULL').all(backend) as Array<{ job_id: string }>;
    const gone = this.st('UPDATE external_jobs SET gone_at = ? WHERE backend_name = ? AND job_id = ?');
    for (const { job_id } of live) if (!seen.has(job_id)) gone.run(now, backend, job_id);
  }
  listExternalJobs(backend?: string): ExternalJobRow[] {
    if (backend) return this.st('SELECT * FROM external_jobs WHERE backend_name = ? ORDER BY first_seen DESC').all(backend) as ExternalJobRow[];
    return this.st('SELECT * FROM external_jobs ORDER BY first_seen DESC').all() as ExternalJobRow[];
  }
}
