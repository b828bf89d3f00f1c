// CPU-hours and cost over time from the store (no side file): per local day, backend or workflow. Every attempt
// counts (retries used the machine too); running tasks count up to `now`. Cost here is the per-CPU-hour part
// (allocation `per_cpu_hour`, or the cloud share formula, which is linear in CPU-hours); GPU/GB/billing-TRES
// components are only in `runs.cost`.
import type { Db } from '../store/db';
import type { CostSettings } from '../pricing/settings';
import { lookupPrice } from '../pricing/snapshot';
import { splitByLocalDay, splitByLocalHour, checkTimeZone, localDay, localHour } from './local-days';

export const USAGE_GROUPS = ['day', 'backend', 'workflow', 'source', 'hour'] as const;
export type UsageGroup = (typeof USAGE_GROUPS)[number];
/** A second grouping inside each row's key (stacked charts): one row per (key, series). */
export const USAGE_SPLITS = ['backend', 'workflow', 'source'] as const;
export type UsageSplit = (typeof USAGE_SPLITS)[number];
/** The `source` key of runs started from a workflow file rather than a configured source. */
export const NO_SOURCE = '(no source)';

export interface UsageRow {
  key: string;
  /** The split value (backend, workflow or source name) when the report was asked with `split`. */
  series?: string;
  cpu_hours: number;
  /** Cost per currency label (a backend in SU and a cloud one in USD do not add up). */
  cost: Record<string, number>;
  tasks: number;
}
export interface UsageReport {
  since: string;
  until: string;
  by: UsageGroup;
  split?: UsageSplit;
  time_zone: string;
  price_date: string | null;
  total_cpu_hours: number;
  rows: UsageRow[];
}

interface Slice {
  backend_name: string;
  workflow_name: string;
  source_name: string | null;
  partition: string | null;
  cpus: number;
  started_at: string;
  finished_at: string | null;
}

/** Attempts that overlap [since, …): the current one from the task row (its times live there), earlier ones
 * from their attempt rows. Runs are found through runs_created (a run older than 400 days is not still running). */
function slices(db: Db, since: string): Slice[] {
  const cols = `r.backend_name, r.workflow_name, r.source_name, json_extract(t.def_json, '$.partition') AS partition, COALESCE(json_extract(t.def_json, '$.cpus'), 1) AS cpus`;
  return db
    .prepare(
      `SELECT ${cols}, t.started_at, t.finished_at
         FROM runs r JOIN tasks t ON t.run_id = r.id
        WHERE r.created_at >= datetime(@since, '-400 days') AND t.started_at IS NOT NULL AND (t.finished_at IS NULL OR t.finished_at >= @since)
       UNION ALL
       SELECT ${cols}, a.started_at, a.finished_at
         FROM runs r JOIN attempts a ON a.run_id = r.id JOIN tasks t ON t.run_id = a.run_id AND t.task_id = a.task_id
        WHERE r.created_at >= datetime(@since, '-400 days') AND a.attempt < t.attempt AND a.started_at IS NOT NULL AND (a.finished_at IS NULL OR a.finished_at >= @since)`,
    )
    .all({ since }) as Slice[];
}

/** Price of one CPU-hour on a backend/partition, with its currency; null when nothing prices it. */
export function cpuHourRate(s: CostSettings, backend: string, partition: string | null): { rate: number; currency: string } | null {
  const c = s.backends[backend];
  if (c) {
    const p = partition ? c.partitions[partition]?.per_cpu_hour : undefined;
    const rate = p ?? c.per_cpu_hour;
    return rate === undefined ? null : { rate, currency: c.currency };
  }
  if (s.pricing && s.snapshot && partition) {
    const type = s.pricing.partitions[partition];
    const hit = type ? lookupPrice(s.snapshot, type, s.pricing.region, s.pricing.price_type) : null;
    return hit?.ok ? { rate: hit.price / hit.vcpus, currency: s.snapshot.currency } : null;
  }
  return null;
}

const round = (n: number, dp = 4) => Math.round(n * 10 ** dp) / 10 ** dp;

function groupValue(sl: Slice, g: UsageSplit): string {
  return g === 'backend' ? sl.backend_name : g === 'workflow' ? sl.workflow_name : (sl.source_name ?? NO_SOURCE);
}

export function usageReport(db: Db, s: CostSettings, q: { since: string; by: UsageGroup; split?: UsageSplit; timeZone: string; now: string }): UsageReport {
  checkTimeZone(q.timeZone);
  const sinceMs = Date.parse(q.since);
  const nowMs = Date.parse(q.now);
  if (!Number.isFinite(sinceMs)) throw new Error(`'since' must be a date (YYYY-MM-DD) or an ISO time, got '${q.since}'.`);
  const rows = new Map<string, UsageRow>();
  const rates = new Map<string, ReturnType<typeof cpuHourRate>>();
  let series: string | undefined;
  const add = (key: string, cpuHours: number, rate: ReturnType<typeof cpuHourRate>, countTask: boolean) => {
    const id = series === undefined ? key : `${key}\u0000${series}`;
    let row = rows.get(id);
    if (!row) rows.set(id, (row = series === undefined ? { key, cpu_hours: 0, cost: {}, tasks: 0 } : { key, series, cpu_hours: 0, cost: {}, tasks: 0 }));
    row.cpu_hours += cpuHours;
    if (rate) row.cost[rate.currency] = (row.cost[rate.currency] ?? 0) + cpuHours * rate.rate;
    if (countTask) row.tasks += 1;
  };
  let total = 0;
  for (const sl of slices(db, new Date(sinceMs).toISOString())) {
    const start = Math.max(Date.parse(sl.started_at), sinceMs);
    const end = Math.min(sl.finished_at ? Date.parse(sl.finished_at) : nowMs, nowMs);
    // A task that ran for no measurable time still ran: it is counted, with 0 hours.
    if (end < start || !Number.isFinite(start)) continue;
    const rk = `${sl.backend_name}\u0000${sl.partition ?? ''}`;
    if (!rates.has(rk)) rates.set(rk, cpuHourRate(s, sl.backend_name, sl.partition));
    const rate = rates.get(rk)!;
    const cpus = Number(sl.cpus) || 1;
    series = q.split ? groupValue(sl, q.split) : undefined;
    if (q.by === 'day') {
      const parts = end > start ? splitByLocalDay(start, end, q.timeZone) : [{ day: localDay(start, q.timeZone), hours: 0 }];
      parts.forEach((b, i) => add(b.day, b.hours * cpus, rate, i === 0));
    } else if (q.by === 'hour') {
      const hours = splitByLocalHour(start, end, q.timeZone);
      const first = String(localHour(start, q.timeZone)).padStart(2, '0');
      hours.forEach((h, i) => {
        const key = String(i).padStart(2, '0');
        if (h > 0 || key === first) add(key, h * cpus, rate, key === first);
      });
    } else {
      add(groupValue(sl, q.by), ((end - start) / 3_600_000) * cpus, rate, true);
    }
    total += ((end - start) / 3_600_000) * cpus;
  }
  const out = [...rows.values()].map((r) => ({ ...r, cpu_hours: round(r.cpu_hours), cost: Object.fromEntries(Object.entries(r.cost).map(([k, v]) => [k, round(v)])) }));
  out.sort((a, b) => (q.by === 'day' || q.by === 'hour' ? a.key.localeCompare(b.key) || (a.series ?? '').localeCompare(b.series ?? '') : b.cpu_hours - a.cpu_hours || a.key.localeCompare(b.key) || (a.series ?? '').localeCompare(b.series ?? '')));
  return { since: new Date(sinceMs).toISOString(), until: q.now, by: q.by, ...(q.split ? { split: q.split } : {}), time_zone: q.timeZone, price_date: s.pricing && s.snapshot ? s.snapshot.date : null, total_cpu_hours: round(total), rows: out };
}
