// The only writer of run and task state: one transaction applies transitions, settles runs and collects the
// events that go out after the commit (never before: a listener must not see a change that could roll back).
import type { EventName, EventPayload } from '../../src-shared/api/contract';
import type { Notification, RunSummary } from '../../src-shared/api/schemas';
import { isInFlight, isTerminalRun, isTerminalTask } from '../../src-shared/model/status';
import { runStatusChange, type Decision } from '../scheduler/decide';
import type { Transition } from '../model/transition';
import type { Store } from '../store/store';
import type { RunRow, TaskRow } from '../store/rows';
import type { ActiveExecution } from './active-execution';
import type { EventBus } from './events';
import { taskKey } from './in-flight-submissions';
import { statusCountsOf } from '../store/queries/status-counts';
import { syncUsageLedger } from '../store/usage-ledger';
import { toRunSummary, toTaskView } from './views';

/** Above this many changed tasks in one run and one commit, one tasks.changed event replaces the task.changed ones. */
export const BULK_EVENT_THRESHOLD = 256;

/**
 * Commits fold the usage ledger at most this often. The dirty marks are written in the same transaction as the
 * change (by the Store and by triggers), so the ledger plus its marks is never half; a report folds what is left
 * before it reads (usage-query.ts), and a read-only reader of a marked file reads the slow, exact way. Folding on every
 * commit re-read each short task twice (start, end) and cost a fifth of the statements of a local job.
 */
export const LEDGER_FOLD_INTERVAL_MS = 2000;

export class UnitOfWork {
  private changedTasks = new Set<string>();
  /** Runs with many tasks changed by one statement (ids not collected): run id → how many. */
  private bulkTasks = new Map<string, number>();
  /** Counts of runs that finished in this commit (their execution state is gone), for the run.changed event. */
  private finishedCounts = new Map<string, Record<string, number>>();
  private changedRuns = new Set<string>();
  private notifications: Notification[] = [];
  private lastLedgerFold = 0;

  constructor(
    private readonly store: Store,
    private readonly active: ActiveExecution,
    private readonly bus: EventBus,
    private readonly opts: { ledgerFoldIntervalMs?: number } = {},
  ) {}

  /** Run `fn` in one transaction, then send the events it collected. */
  commit(fn: () => void): void {
    try {
      this.store.tx(() => {
        fn();
        const t = Date.now();
        if (t - this.lastLedgerFold >= (this.opts.ledgerFoldIntervalMs ?? LEDGER_FOLD_INTERVAL_MS)) {
          syncUsageLedger(this.store.db);
          this.lastLedgerFold = t;
        }
      });
    } catch (err) {
      // The transaction rolled back; the in-memory execution state may hold its changes, so rebuild it from the store.
      this.active.clear();
      this.finishedCounts.clear();
      throw err;
    }
    this.flushEvents();
  }

  /** Fold every pending usage mark now (the engine closing: a read-only reader of the file then reads the ledger). */
  foldUsageLedger(): void {
    this.store.tx(() => syncUsageLedger(this.store.db));
    this.lastLedgerFold = Date.now();
  }

  /** For events that are not row changes (a deleted run). */
  emit<E extends EventName>(event: E, payload: EventPayload<E>): void {
    this.bus.emit(event, payload);
  }

  taskChanged(runId: string, taskId: string): void {
    this.changedTasks.add(taskKey(runId, taskId));
  }
  /** `count` tasks of the run changed in one statement; views are told to refetch. */
  tasksChangedInBulk(runId: string, count: number): void {
    this.bulkTasks.set(runId, (this.bulkTasks.get(runId) ?? 0) + count);
    this.changedRuns.add(runId);
  }
  runChanged(runId: string): void {
    this.changedRuns.add(runId);
  }
  notify(n: Notification): void {
    this.notifications.push(n);
  }

  /**
   * Apply `t` to the task's CURRENT row. A cycle computes transitions from rows read before it awaited the
   * backend, and a cancel may have committed meanwhile: a terminal state is final within its attempt, and a
   * transition of another attempt is stale. Returns whether the transition was applied.
   */
  applyTransition(row: TaskRow, t: Transition, now: string, opts: { notify?: boolean; current?: boolean } = {}): boolean {
    const cur = opts.current ? row : this.store.getTask(row.run_id, row.task_id);
    if (!cur || cur.attempt !== row.attempt) return false;
    if (isTerminalTask(cur.status) && t.patch.attempt === undefined) return false;
    t = cur.status === t.from ? t : { ...t, from: cur.status };
    // Against the current row: fields it already holds (a repeated start time) are not written again.
    this.store.patchTask(row.run_id, row.task_id, t.patch, cur);
    this.active.peek(row.run_id)?.setStatus(row.task_id, t.patch.status ?? t.to, t.patch.attempt);
    if (t.from !== t.to || t.patch.attempt !== undefined) {
      this.store.appendTransition({ run_id: row.run_id, task_id: row.task_id, attempt: t.patch.attempt ?? row.attempt, at: now, from_status: t.from, to_status: t.to, reason: t.reason });
    }
    this.taskChanged(row.run_id, row.task_id);
    this.runChanged(row.run_id);
    if (t.to === 'failed' && t.from !== 'failed' && opts.notify !== false) {
      const run = this.store.getRun(row.run_id);
      this.notify({ kind: 'task_failed', level: 'error', title: `Task failed: ${row.task_id}`, body: `${run?.workflow_name ?? row.run_id}: ${t.patch.error ?? t.reason}`, run_id: row.run_id, task_id: row.task_id });
    }
    return true;
  }

  /** Fail a pending task (bad environment, unbuildable script, unexpected submit error). */
  failPending(row: TaskRow, msg: string, now: string): void {
    this.applyTransition(row, { taskId: row.task_id, from: 'pending', to: 'failed', reason: msg, patch: { status: 'failed', error: msg, finishedAt: now } }, now);
  }

  /**
   * Apply what decide() said for one run, inside the caller's transaction: dropped tasks, transitions (on the
   * rows the snapshot was made from; a stale one is skipped), the run's fields, new tasks, notifications.
   */
  applyDecision(runId: string, rows: Map<string, TaskRow>, d: Decision, now: string): void {
    if (d.droppedTasks.length) this.store.deleteTasks(runId, d.droppedTasks);
    // The transitions below keep the execution state current; a run that changes shape (tasks dropped or added,
    // a new run attempt) or finishes has it rebuilt from the rows on next use.
    if (d.droppedTasks.length || d.newTasks.length || d.runPatch.attempt !== undefined || (d.runPatch.status && isTerminalRun(d.runPatch.status))) this.active.forget(runId);
    for (const t of d.transitions) {
      const row = rows.get(t.taskId);
      if (row) this.applyTransition(row, t, now, { notify: false });
    }
    const p = d.runPatch;
    const fields: Partial<Omit<RunRow, 'id'>> = {};
    if (p.status !== undefined) fields.status = p.status;
    if (p.finishedAt !== undefined) fields.finished_at = p.finishedAt;
    if (p.haltedReason !== undefined) fields.halted_reason = p.haltedReason;
    if (p.cancelRequested !== undefined) fields.cancel_requested = p.cancelRequested ? 1 : 0;
    if (p.attempt !== undefined) fields.attempt = p.attempt;
    if (p.env !== undefined) {
      // The run's document also keeps other fields (e.g. a repository's stacks): only env and env_groups change.
      const doc = JSON.parse(this.store.getRun(runId)?.doc_json ?? '{}') as Record<string, unknown>;
      fields.doc_json = JSON.stringify({ ...doc, ...p.env });
    }
    this.store.updateRun(runId, fields);
    if (d.newTasks.length) {
      this.store.insertTasks(runId, d.newTasks.map((n) => ({ task_id: n.def.id, def_json: JSON.stringify(n.def), retries_left: n.def.retries, generated_by: n.generatedBy })));
      for (const n of d.newTasks) this.taskChanged(runId, n.def.id);
    }
    for (const w of d.warnings) this.store.addRunWarnings(runId, w.messages, w.generatedBy, now);
    this.runChanged(runId);
    for (const n of d.notifications) this.notify(n);
  }

  /** Cascade dependency failures and recompute the run's status (notifying when it finishes). */
  settleRun(runId: string, now: string): void {
    const run = this.store.getRun(runId);
    if (!run) return;
    // A finished run changes only through a rerun, which rebuilds its execution state first; settling it again
    // (late cancels, a cycle's last verdicts) must not re-read every task.
    if (isTerminalRun(run.status) && !this.active.peek(runId)) return;
    const ex = this.active.get(runId);
    for (const t of ex.cascade(now)) {
      const row = this.store.getTask(runId, t.taskId);
      if (row) this.applyTransition(row, t, now, { current: true });
    }
    const status = ex.derivedStatus(!!run.cancel_requested);
    const counts = ex.statusCounts();
    const change = runStatusChange({ id: run.id, workflowName: run.workflow_name, status: run.status }, status, counts, now);
    if (change.runPatch.status) {
      this.store.updateRun(runId, { status, finished_at: change.runPatch.finishedAt ?? null });
      this.runChanged(runId);
      for (const n of change.notifications) this.notify(n);
    }
    // A finished run needs no execution state; a rerun rebuilds it from the store.
    if (isTerminalRun(status)) {
      this.finishedCounts.set(runId, counts);
      this.active.forget(runId);
    }
  }

  /**
   * A run's summary with counts from its in-memory execution state; a run that just finished has its last counts
   * kept until the events go out, and only runs read from history are counted in SQL.
   */
  summary(runId: string): RunSummary | null {
    const run = this.store.getRun(runId);
    if (!run) return null;
    const counts = this.active.peek(runId)?.statusCounts() ?? this.finishedCounts.get(runId) ?? (isTerminalRun(run.status) ? statusCountsOf(this.store.db, runId) : this.active.get(runId).statusCounts());
    return toRunSummary(run, counts);
  }

  private flushEvents(): void {
    const tasks = this.changedTasks;
    const bulk = this.bulkTasks;
    const runs = this.changedRuns;
    const notes = this.notifications;
    this.changedTasks = new Set();
    this.bulkTasks = new Map();
    this.changedRuns = new Set();
    this.notifications = [];
    const byRun = new Map<string, string[]>();
    const leaving: Array<EventPayload<'task.changed'>> = [];
    const entering: Array<EventPayload<'task.changed'>> = [];
    for (const k of tasks) {
      const [runId, taskId] = k.split('\u0000') as [string, string];
      let ids = byRun.get(runId);
      if (!ids) byRun.set(runId, (ids = []));
      ids.push(taskId);
    }
    for (const [runId, ids] of byRun) {
      // Bulk changes (a cascade through a big run) go out as one event: reading and sending every row would cost
      // more than the change itself, and a view shows one page of them anyway.
      if (bulk.has(runId) || ids.length > BULK_EVENT_THRESHOLD) {
        bulk.set(runId, (bulk.get(runId) ?? 0) + ids.length);
        continue;
      }
      for (const taskId of ids) {
        const row = this.store.getTask(runId, taskId);
        if (row) (isInFlight(row.status) ? entering : leaving).push({ run_id: runId, task: toTaskView(row) });
      }
    }
    // Tasks that left flight go out before those that are in it: a listener applying the events one by one then
    // never counts more jobs in flight than the commit's state before or after (the backend's cap holds in both).
    for (const e of leaving) this.bus.emit('task.changed', e);
    for (const e of entering) this.bus.emit('task.changed', e);
    for (const [runId, count] of bulk) this.bus.emit('tasks.changed', { run_id: runId, count });
    for (const runId of runs) {
      const summary = this.summary(runId);
      if (summary) this.bus.emit('run.changed', summary);
    }
    this.finishedCounts.clear();
    for (const n of notes) this.bus.emit('notification', n);
  }
}
