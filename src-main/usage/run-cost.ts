// The cost of one run from the store: every attempt of every task is billed (retries cost too), with allocation
// units when the run's backend has a `cost` block, else cloud dollars when `pricing.partitions` is set.
import type { Db } from '../store/db';
import { clusterTaskCost, cloudTaskCost, summarise, type CostInput, type InstanceUsage, type TaskCost } from '../pricing/cost';
import type { CostSettings } from '../pricing/settings';

export interface RunCost {
  run_id: string;
  total: number;
  currency: string | null;
  /** 'allocation' (backend cost block), 'cloud' (price snapshot) or null (nothing configured). */
  basis: 'allocation' | 'cloud' | null;
  /** Date of the price snapshot behind cloud figures. */
  price_date: string | null;
  costed_tasks: number;
  uncosted_tasks: number;
  tasks: TaskCost[];
}

export interface AttemptCostRow {
  task_id: string;
  attempt: number | null;
  def_json: string;
  started_at: string | null;
  finished_at: string | null;
  alloc_tres: string | null;
  usage_json: string | null;
}

/** Attempts of a run with the current attempt's times taken from the task row (where they live until it ends). */
export function attemptCostRows(db: Db, runId: string): AttemptCostRow[] {
  return db
    .prepare(
      `SELECT t.task_id, a.attempt, t.def_json,
        CASE WHEN a.attempt IS NULL OR t.attempt = a.attempt THEN t.started_at ELSE a.started_at END AS started_at,
        CASE WHEN a.attempt IS NULL OR t.attempt = a.attempt THEN t.finished_at ELSE a.finished_at END AS finished_at,
        a.alloc_tres, a.usage_json
      FROM tasks t LEFT JOIN attempts a ON a.run_id = t.run_id AND a.task_id = t.task_id
      WHERE t.run_id = ? ORDER BY t.seq, a.attempt`,
    )
    .all(runId) as AttemptCostRow[];
}

export function costInput(r: AttemptCostRow): CostInput {
  const def = JSON.parse(r.def_json) as { cpus?: number; memory?: string; gres?: string | null; partition?: string | null };
  let usage: InstanceUsage | null = null;
  if (r.usage_json) {
    try {
      usage = JSON.parse(r.usage_json) as InstanceUsage;
    } catch {
      usage = null;
    }
  }
  return { task_id: r.task_id, cpus: def.cpus ?? 1, memory: def.memory ?? '4G', gres: def.gres ?? null, partition: def.partition ?? null, started_at: r.started_at, finished_at: r.finished_at, alloc_tres: r.alloc_tres, usage };
}

/**
 * `tasks: false` answers the totals only (tasks left empty). With no cost configured for the backend, every task is
 * uncosted for the same reason, so those totals are a count: no attempt is read, no task definition parsed. A
 * 100,000-task run's full answer took ~1.5 s of the engine's thread, and a run page asks for it on opening.
 */
export function runCost(db: Db, s: CostSettings, runId: string, backendName: string, now: string, o: { tasks: boolean } = { tasks: true }): RunCost {
  const cluster = s.backends[backendName];
  const cloud = !cluster && s.pricing ? s.pricing : null;
  if (!o.tasks && !cluster && !cloud) {
    const { n } = db.prepare('SELECT COUNT(*) AS n FROM tasks WHERE run_id = ?').get(runId) as { n: number };
    return { run_id: runId, total: 0, currency: null, basis: null, price_date: null, costed_tasks: 0, uncosted_tasks: n, tasks: [] };
  }
  const rows = attemptCostRows(db, runId);
  const byTask = new Map<string, TaskCost>();
  for (const r of rows) {
    let c: TaskCost;
    if (cluster) c = clusterTaskCost(costInput(r), cluster, now);
    else if (cloud && s.snapshot) c = cloudTaskCost(costInput(r), cloud, s.snapshot, now);
    else if (cloud) c = { task_id: r.task_id, cost: null, reason: `no price snapshot (${s.snapshotError ?? 'not loaded'})` };
    else c = { task_id: r.task_id, cost: null, reason: `no cost configured for backend '${backendName}' (add backends[].cost or pricing.partitions)` };
    if (r.attempt === null && c.cost !== null) c = { ...c, cost: null, reason: 'never submitted' };
    const prev = byTask.get(r.task_id);
    // A task is costed when any attempt is; the uncostable attempts of a costed task are ignored (never ran).
    if (!prev || prev.cost === null) byTask.set(r.task_id, prev?.cost === null && c.cost === null ? prev : c);
    else if (c.cost !== null) byTask.set(r.task_id, { ...prev, cost: Math.round((prev.cost + c.cost) * 10_000) / 10_000 });
  }
  const currency = cluster ? cluster.currency : cloud ? (s.snapshot?.currency ?? 'USD') : null;
  const sum = summarise([...byTask.values()], currency ?? '');
  if (!o.tasks) sum.tasks = [];
  return { run_id: runId, ...sum, currency, basis: cluster ? 'allocation' : cloud ? 'cloud' : null, price_date: cloud ? (s.snapshot?.date ?? null) : null };
}
