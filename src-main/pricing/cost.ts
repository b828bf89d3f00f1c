// Pure cost maths: cloud dollars (the original's formula) and cluster allocation units (charge-back as a
// centre computes it: allocated, not used, resources x elapsed). No I/O; `now` is passed in for running tasks.
import { lookupPrice, type PriceSnapshot, type PriceType } from './snapshot';

export interface AllocationRates {
  per_cpu_hour?: number;
  per_gpu_hour?: number;
  per_gb_hour?: number;
  /** Price of one unit of Slurm's `billing` TRES for one hour. */
  billing_tres?: number;
}
export interface ClusterCost extends AllocationRates {
  currency: string;
  partitions?: Record<string, AllocationRates>;
}
export interface CloudPricing {
  region: string;
  price_type: PriceType;
  /** logical partition -> instance type whose price stands in for it */
  partitions: Record<string, string>;
}

/** Real instance time reported by AWS backends for one task (EC2/Batch/ECS). */
export interface InstanceUsage {
  instanceType: string;
  vcpus?: number;
  memoryMb?: number;
  spot?: boolean;
  startedAt: string;
  stoppedAt: string | null;
}

export interface CostInput {
  task_id: string;
  cpus: number;
  memory: string;
  gres: string | null;
  partition: string | null;
  started_at: string | null;
  finished_at: string | null;
  /** Slurm's AllocTRES, e.g. `billing=4,cpu=4,gres/gpu=1,mem=8G,node=1`. */
  alloc_tres?: string | null;
  usage?: InstanceUsage | null;
}

export interface TaskCost {
  task_id: string;
  cost: number | null;
  /** Why there is no figure (cost null), or how it was computed. */
  reason: string | null;
}

const MS_PER_HOUR = 3_600_000;

/** Elapsed hours from start to finish (or `now` for a running task); non-positive elapsed counts as 0. */
export function elapsedHours(startedAt: string | null, finishedAt: string | null, now: string): number | null {
  if (!startedAt) return null;
  const start = Date.parse(startedAt);
  const end = Date.parse(finishedAt ?? now);
  if (!Number.isFinite(start) || !Number.isFinite(end)) return null;
  return Math.max(0, (end - start) / MS_PER_HOUR);
}

const UNIT: Record<string, number> = { '': 1 / 1024, K: 1 / (1024 * 1024), M: 1 / 1024, G: 1, T: 1024, P: 1024 * 1024 };

/** Slurm/PBS memory text ("4G", "512M", "1.5T", "800" = MB) -> GB (GiB, as Slurm counts). */
export function memoryGb(text: string): number | null {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([KMGTP]?)i?B?\s*$/i.exec(text);
  if (!m) return null;
  const unit = m[2]!.toUpperCase();
  return Number(m[1]) * (unit === '' ? UNIT.M! : UNIT[unit]!);
}

/** `key=value` pairs of AllocTRES; values keep their text (mem carries a unit). */
export function parseTres(text: string | null | undefined): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of (text ?? '').split(',')) {
    const eq = part.indexOf('=');
    if (eq > 0) out.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  return out;
}

/** GPUs asked for in `gres` ("gpu:2", "gpu:a100:2"). */
export function gresGpus(gres: string | null): number {
  if (!gres) return 0;
  let n = 0;
  for (const g of gres.split(',')) {
    const parts = g.trim().split(':');
    if (parts[0] !== 'gpu') continue;
    const last = Number(parts[parts.length - 1]);
    n += parts.length > 1 && Number.isInteger(last) ? last : 1;
  }
  return n;
}

const round4 = (n: number) => Math.round(n * 10_000) / 10_000;

function ratesFor(c: ClusterCost, partition: string | null): AllocationRates {
  const p = partition ? c.partitions?.[partition] : undefined;
  return { per_cpu_hour: c.per_cpu_hour, per_gpu_hour: c.per_gpu_hour, per_gb_hour: c.per_gb_hour, billing_tres: c.billing_tres, ...stripUndefined(p ?? {}) };
}
function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** Allocation units of one task: billing TRES when the centre bills by it and sacct gave it, else cpu/gpu/GB rates. */
export function clusterTaskCost(t: CostInput, c: ClusterCost, now: string): TaskCost {
  const hours = elapsedHours(t.started_at, t.finished_at, now);
  if (hours === null) return { task_id: t.task_id, cost: null, reason: 'never started (no start time)' };
  const r = ratesFor(c, t.partition);
  const tres = parseTres(t.alloc_tres);
  const billing = Number(tres.get('billing'));
  if (r.billing_tres !== undefined && tres.has('billing') && Number.isFinite(billing)) {
    return { task_id: t.task_id, cost: round4(billing * hours * r.billing_tres), reason: null };
  }
  if (r.per_cpu_hour === undefined && r.per_gpu_hour === undefined && r.per_gb_hour === undefined) {
    const why = r.billing_tres !== undefined ? 'the scheduler reported no billing TRES for it' : `no rate for partition '${t.partition ?? '(default)'}'`;
    return { task_id: t.task_id, cost: null, reason: why };
  }
  const cpus = Number(tres.get('cpu')) || t.cpus;
  const gpus = Number(tres.get('gres/gpu')) || gresGpus(t.gres);
  const gb = (tres.has('mem') ? memoryGb(tres.get('mem')!) : null) ?? memoryGb(t.memory);
  if (r.per_gb_hour !== undefined && gb === null) return { task_id: t.task_id, cost: null, reason: `memory '${t.memory}' is not a size` };
  const perHour = cpus * (r.per_cpu_hour ?? 0) + gpus * (r.per_gpu_hour ?? 0) + (gb ?? 0) * (r.per_gb_hour ?? 0);
  return { task_id: t.task_id, cost: round4(perHour * hours), reason: null };
}

/**
 * Cloud dollars. With real instance usage (EC2/Batch/ECS): the instance's own hours x its price. Otherwise the
 * original's share formula: elapsed h x cpus / vCPUs x price of the partition's stand-in instance type.
 */
export function cloudTaskCost(t: CostInput, p: CloudPricing, s: PriceSnapshot, now: string): TaskCost {
  if (t.usage) {
    const priceType: PriceType = t.usage.spot ? (p.price_type === 'ondemand' ? 'spot_avg' : p.price_type) : 'ondemand';
    const hit = lookupPrice(s, t.usage.instanceType, p.region, priceType);
    if (!hit.ok) return { task_id: t.task_id, cost: null, reason: hit.reason };
    const hours = elapsedHours(t.usage.startedAt, t.usage.stoppedAt, now);
    if (hours === null) return { task_id: t.task_id, cost: null, reason: 'instance start time is missing' };
    return { task_id: t.task_id, cost: round4(hours * hit.price), reason: null };
  }
  const hours = elapsedHours(t.started_at, t.finished_at, now);
  if (hours === null) return { task_id: t.task_id, cost: null, reason: 'never started (no start time)' };
  if (!t.partition) return { task_id: t.task_id, cost: null, reason: 'no partition to price (set one or map it in pricing.partitions)' };
  const type = p.partitions[t.partition];
  if (!type) return { task_id: t.task_id, cost: null, reason: `partition '${t.partition}' is not in pricing.partitions` };
  const hit = lookupPrice(s, type, p.region, p.price_type);
  if (!hit.ok) return { task_id: t.task_id, cost: null, reason: hit.reason };
  return { task_id: t.task_id, cost: round4((hours * t.cpus * hit.price) / hit.vcpus), reason: null };
}

export interface CostSummary {
  total: number;
  currency: string;
  costed_tasks: number;
  uncosted_tasks: number;
  tasks: TaskCost[];
}

export function summarise(tasks: TaskCost[], currency: string): CostSummary {
  const costed = tasks.filter((t) => t.cost !== null);
  return { total: round4(costed.reduce((s, t) => s + (t.cost ?? 0), 0)), currency, costed_tasks: costed.length, uncosted_tasks: tasks.length - costed.length, tasks };
}
