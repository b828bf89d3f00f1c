// In-memory state of the runs still executing: task statuses, the ready set, in-flight counts and the
// dependents index. It is rebuilt from the store on first use of a run (engine start, rerun) and then kept up to
// date by the engine's one writer, so a cycle costs what changed, not the size of every active run.
import type { RunStatus, TaskStatus } from '../../src-shared/model/status';
import { isInFlight } from '../../src-shared/model/status';
import type { Transition } from '../model/transition';
import { cascadeFrom } from '../scheduler/run-state';
import type { TaskRow } from '../store/rows';

interface TaskEntry {
  id: string;
  seq: number;
  deps: string[];
  status: TaskStatus;
}

const BLOCKING: ReadonlySet<TaskStatus> = new Set(['failed', 'dep_failed', 'cancelled']);

export class RunExecution {
  private readonly tasks = new Map<string, TaskEntry>();
  private readonly dependents = new Map<string, string[]>();
  private readonly ready = new Set<string>();
  /** The ready tasks by seq, with stale entries left in until they surface (see readyIds). */
  private readonly readyOrder = new SeqHeap();
  /** Tasks that became failed/dep_failed/cancelled since the last cascade: the cascade starts from them only. */
  private blockedRoots: string[] = [];
  private readonly counts: Record<TaskStatus, number> = { pending: 0, submitted: 0, queued: 0, running: 0, settling: 0, completed: 0, failed: 0, dep_failed: 0, cancelled: 0 };
  private inFlightN = 0;
  private retried = false;

  constructor(rows: readonly TaskRow[], depsOf: (row: TaskRow) => string[]) {
    for (const row of rows) {
      const t: TaskEntry = { id: row.task_id, seq: row.seq, deps: depsOf(row), status: row.status };
      this.tasks.set(t.id, t);
      this.count(t.status, 1);
      if (row.attempt > 1) this.retried = true;
      for (const d of t.deps) {
        let list = this.dependents.get(d);
        if (!list) this.dependents.set(d, (list = []));
        list.push(t.id);
      }
    }
    for (const t of this.tasks.values()) {
      if (this.isReady(t)) this.markReady(t);
      if (BLOCKING.has(t.status)) this.blockedRoots.push(t.id);
    }
  }

  get inFlight(): number {
    return this.inFlightN;
  }

  get size(): number {
    return this.tasks.size;
  }

  has(taskId: string): boolean {
    return this.tasks.has(taskId);
  }

  status(taskId: string): TaskStatus | undefined {
    return this.tasks.get(taskId)?.status;
  }

  statusCounts(): Record<string, number> {
    return Object.fromEntries(Object.entries(this.counts).filter(([, n]) => n > 0));
  }

  /**
   * Ready task ids in workflow order, at most `limit` of them (allocation never takes more than the free slots).
   * Costs O(limit · log ready): sorting the whole ready set on every turn made a big run quadratic.
   */
  readyIds(limit: number): string[] {
    if (limit <= 0 || this.ready.size === 0) return [];
    const taken: TaskEntry[] = [];
    const seen = new Set<string>();
    while (taken.length < limit && this.readyOrder.size) {
      const t = this.readyOrder.pop() as TaskEntry;
      // Entries of tasks that left the ready set (or were queued twice) are dropped as they surface.
      if (!this.ready.has(t.id) || seen.has(t.id)) continue;
      seen.add(t.id);
      taken.push(t);
    }
    for (const t of taken) this.readyOrder.push(t);
    return taken.map((t) => t.id);
  }

  /** Task ids with the given status (cancel walks pending first, then in-flight). */
  idsWithStatus(pred: (s: TaskStatus) => boolean): string[] {
    const out: TaskEntry[] = [];
    for (const t of this.tasks.values()) if (pred(t.status)) out.push(t);
    return out.sort((a, b) => a.seq - b.seq).map((t) => t.id);
  }

  /** Record a committed status change. */
  setStatus(taskId: string, to: TaskStatus, attempt?: number): void {
    const t = this.tasks.get(taskId);
    if (!t) return;
    if (attempt !== undefined && attempt > 1) this.retried = true;
    if (t.status === to) return;
    const from = t.status;
    this.count(from, -1);
    this.count(to, 1);
    t.status = to;
    if (from === 'pending') this.ready.delete(taskId);
    if (to === 'pending' && this.isReady(t)) this.markReady(t);
    if (to === 'completed') {
      for (const d of this.dependents.get(taskId) ?? []) {
        const dep = this.tasks.get(d);
        if (dep && this.isReady(dep)) this.markReady(dep);
      }
    }
    if (from === 'completed') {
      for (const d of this.dependents.get(taskId) ?? []) this.ready.delete(d);
    }
    if (BLOCKING.has(to)) this.blockedRoots.push(taskId);
  }

  /**
   * Every pending task becomes `to` (a whole run cancelled in one statement). Nothing is left pending, so no
   * cascade can follow from these tasks and none is queued.
   */
  finishPending(to: TaskStatus): void {
    for (const t of this.tasks.values()) {
      if (t.status !== 'pending') continue;
      this.count('pending', -1);
      this.count(to, 1);
      t.status = to;
    }
    this.ready.clear();
    this.readyOrder.clear();
  }

  /** Pending tasks downstream of a newly failed/dep_failed/cancelled task become dep_failed (transitively). */
  cascade(now: string): Transition[] {
    const roots = this.blockedRoots;
    this.blockedRoots = [];
    const out = cascadeFrom(roots, { dependents: (id) => this.dependents.get(id) ?? [], status: (id) => this.tasks.get(id)?.status, markDepFailed: (id) => this.setStatus(id, 'dep_failed') }, now);
    // setStatus queued each new dep_failed task as a root; the cascade already followed them.
    this.blockedRoots = [];
    return out;
  }

  /** The run's status from its tasks (same rules as scheduler/run-state deriveRunStatus, from counts). */
  derivedStatus(cancelRequested: boolean): RunStatus {
    const c = this.counts;
    const total = this.tasks.size;
    if (this.inFlightN > 0) return 'running';
    if (total === 0 || c.completed === total) return 'completed';
    if (cancelRequested) return 'cancelled';
    // Nothing failed and some were cancelled (say a rerun of a cancelled run's failures succeeded): the run
    // reads as its tasks do, cancelled.
    if (c.pending === 0) return c.failed === 0 && c.dep_failed === 0 && c.cancelled > 0 ? 'cancelled' : 'failed';
    const started = this.retried || c.pending < total;
    return started ? 'running' : 'pending';
  }

  private markReady(t: TaskEntry): void {
    if (this.ready.has(t.id)) return;
    this.ready.add(t.id);
    this.readyOrder.push(t);
  }

  private isReady(t: TaskEntry): boolean {
    return t.status === 'pending' && t.deps.every((d) => this.tasks.get(d)?.status === 'completed');
  }

  private count(s: TaskStatus, delta: number): void {
    this.counts[s] += delta;
    if (isInFlight(s)) this.inFlightN += delta;
  }
}

/** A binary min-heap of task entries by seq. */
class SeqHeap {
  private readonly a: TaskEntry[] = [];

  get size(): number {
    return this.a.length;
  }

  clear(): void {
    this.a.length = 0;
  }

  push(t: TaskEntry): void {
    const a = this.a;
    let i = a.push(t) - 1;
    while (i > 0) {
      const up = (i - 1) >> 1;
      if ((a[up] as TaskEntry).seq <= t.seq) break;
      a[i] = a[up] as TaskEntry;
      i = up;
    }
    a[i] = t;
  }

  pop(): TaskEntry | undefined {
    const a = this.a;
    const top = a[0];
    const last = a.pop();
    if (!a.length || !last) return top;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= a.length) break;
      const r = l + 1;
      const c = r < a.length && (a[r] as TaskEntry).seq < (a[l] as TaskEntry).seq ? r : l;
      if ((a[c] as TaskEntry).seq >= last.seq) break;
      a[i] = a[c] as TaskEntry;
      i = c;
    }
    a[i] = last;
    return top;
  }
}

/** Every active run's execution state, built lazily from the store and dropped when the run finishes. */
export class ActiveExecution {
  private readonly runs = new Map<string, RunExecution>();

  constructor(
    private readonly load: (runId: string) => TaskRow[],
    private readonly depsOf: (row: TaskRow) => string[],
  ) {}

  get(runId: string): RunExecution {
    let r = this.runs.get(runId);
    if (!r) this.runs.set(runId, (r = new RunExecution(this.load(runId), this.depsOf)));
    return r;
  }

  peek(runId: string): RunExecution | undefined {
    return this.runs.get(runId);
  }

  /** The run's tasks changed shape (created, rerun, generated tasks added): rebuild on next use. */
  forget(runId: string): void {
    this.runs.delete(runId);
  }

  clear(): void {
    this.runs.clear();
  }
}
