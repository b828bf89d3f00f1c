// CPU-hours and cost over time from the store (no side file): per local day, backend or workflow. Every attempt
// counts (retries used the machine too); running tasks count up to `now`. Cost here is the per-CPU-hour part
// (allocation `per_cpu_hour`, or the cloud share formula, which is linear in CPU-hours); GPU/GB/billing-TRES
// components are only in `runs.cost`.
import type { Db } from '../store/db';
import type { CostSettings } from '../pricing/settings';
import { lookupPrice } from '../pricing/snapshot';
import { checkTimeZone, localDay, localHour } from './local-days';

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

/** Attempts aggregated in SQL (a year of history is ~200k attempts: costing each in JS took seconds). Each attempt,
 * clipped to [since, now], falls in a group of the same (backend, partition, key, series) that starts in UTC quarter
 * hour `sq` and ends in `eq`. Sums are kept relative to those quarters' starts so doubles stay exact to the ms. A
 * local day or hour never changes inside a UTC quarter hour (zone offsets are whole quarters), so folding quarters
 * into local buckets in JS is DST-correct and only touches as many quarters as the groups span. */
interface Bucket {
  backend_name: string;
  partition: string | null;
  k: string | null;
  ser: string | null;
  sq: number;
  eq: number;
  /** attempts, sum of cpus, sum of cpus*(start - sq*Q), sum of cpus*(end - eq*Q), sum of cpus*(end - start) (ms). */
  n: number;
  c: number;
  cs: number;
  ce: number;
  cd: number;
}

const Q = 900_000;
const GROUP_SQL: Record<UsageSplit, string> = { backend: 'b', workflow: 'w', source: `COALESCE(src, '${NO_SOURCE}')` };
const MS = (col: string) => `CAST(ROUND((julianday(${col}) - 2440587.5) * 86400000.0) AS INTEGER)`;

/** Attempts that overlap [since, …): the current one from the task row (its times live there), earlier ones
 * from their attempt rows. Runs are found through runs_created (a run older than 400 days is not still running). */
function buckets(db: Db, since: string, sinceMs: number, nowMs: number, keyExpr: string | null, seriesExpr: string | null, byTime: boolean): Bucket[] {
  const cols = `r.backend_name AS b, r.workflow_name AS w, r.source_name AS src, json_extract(t.def_json, '$.partition') AS partition, COALESCE(json_extract(t.def_json, '$.cpus'), 1) AS cpus`;
  const k = keyExpr ?? 'NULL';
  const ser = seriesExpr ?? 'NULL';
  const quarters = byTime ? 's / 900000' : '0';
  const quartersEnd = byTime ? 'e / 900000' : '0';
  return db
    .prepare(
      `WITH sl AS (
         SELECT ${cols}, t.started_at AS sa, t.finished_at AS fa
           FROM runs r JOIN tasks t ON t.run_id = r.id
          WHERE r.created_at >= datetime(@since, '-400 days') AND t.started_at IS NOT NULL AND (t.finished_at IS NULL OR t.finished_at >= @since)
         UNION ALL
         SELECT ${cols}, a.started_at, a.finished_at
           FROM runs r JOIN attempts a ON a.run_id = r.id JOIN tasks t ON t.run_id = a.run_id AND t.task_id = a.task_id
          WHERE r.created_at >= datetime(@since, '-400 days') AND a.attempt < t.attempt AND a.started_at IS NOT NULL AND (a.finished_at IS NULL OR a.finished_at >= @since)
       ), ms AS (
         SELECT b, w, src, partition, COALESCE(NULLIF(CAST(cpus AS REAL), 0), 1) AS cpus,
                MAX(${MS('sa')}, CAST(@sinceMs AS INTEGER)) AS s, MIN(COALESCE(${MS('fa')}, CAST(@nowMs AS INTEGER)), CAST(@nowMs AS INTEGER)) AS e
           FROM sl WHERE julianday(sa) IS NOT NULL
       ), cl AS (SELECT *, ${quarters} AS sq, ${quartersEnd} AS eq FROM ms WHERE e >= s)
       SELECT b AS backend_name, partition, ${k} AS k, ${ser} AS ser, sq, eq, COUNT(*) AS n, SUM(cpus) AS c,
              SUM(cpus * (s - sq * 900000)) AS cs, SUM(cpus * (e - eq * 900000)) AS ce, SUM(cpus * (e - s)) AS cd
         FROM cl GROUP BY b, partition, ${k}, ${ser}, sq, eq`,
    )
    .all({ since, sinceMs, nowMs }) as Bucket[];
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

export function usageReport(db: Db, s: CostSettings, q: { since: string; by: UsageGroup; split?: UsageSplit; timeZone: string; now: string }): UsageReport {
  checkTimeZone(q.timeZone);
  const sinceMs = Date.parse(q.since);
  const nowMs = Date.parse(q.now);
  if (!Number.isFinite(sinceMs)) throw new Error(`'since' must be a date (YYYY-MM-DD) or an ISO time, got '${q.since}'.`);
  const rows = new Map<string, UsageRow>();
  const rates = new Map<string, ReturnType<typeof cpuHourRate>>();
  let series: string | undefined;
  const add = (key: string, cpuHours: number, rate: ReturnType<typeof cpuHourRate>, tasks: number) => {
    const id = series === undefined ? key : `${key}\u0000${series}`;
    let row = rows.get(id);
    if (!row) rows.set(id, (row = series === undefined ? { key, cpu_hours: 0, cost: {}, tasks: 0 } : { key, series, cpu_hours: 0, cost: {}, tasks: 0 }));
    row.cpu_hours += cpuHours;
    if (rate) row.cost[rate.currency] = (row.cost[rate.currency] ?? 0) + cpuHours * rate.rate;
    row.tasks += tasks;
  };
  let total = 0;
  const byTime = q.by === 'day' || q.by === 'hour';
  const keyExpr = byTime ? null : GROUP_SQL[q.by as UsageSplit];
  const bucketKey = (ms: number) => (q.by === 'day' ? localDay(ms, q.timeZone) : String(localHour(ms, q.timeZone)).padStart(2, '0'));
  for (const g of buckets(db, new Date(sinceMs).toISOString(), sinceMs, nowMs, keyExpr, q.split ? GROUP_SQL[q.split] : null, byTime)) {
    const rk = `${g.backend_name}\u0000${g.partition ?? ''}`;
    if (!rates.has(rk)) rates.set(rk, cpuHourRate(s, g.backend_name, g.partition));
    const rate = rates.get(rk)!;
    series = q.split ? (g.ser ?? '') : undefined;
    total += g.cd / 3_600_000;
    if (!byTime) {
      add(g.k ?? '', g.cd / 3_600_000, rate, g.n);
      continue;
    }
    // Attempts are counted in the local day/hour they start in; a bucket they only end on at its first instant
    // gets nothing (as when splitting attempt by attempt).
    const first = bucketKey(g.sq * Q);
    if (g.sq === g.eq) {
      add(first, g.cd / 3_600_000, rate, g.n);
      continue;
    }
    const firstMs = g.c * Q - g.cs;
    add(first, firstMs / 3_600_000, rate, g.n);
    for (let qi = g.sq + 1; qi < g.eq; qi++) add(bucketKey(qi * Q), (g.c * Q) / 3_600_000, rate, 0);
    if (g.ce > 0) add(bucketKey(g.eq * Q), g.ce / 3_600_000, rate, 0);
  }
  const out = [...rows.values()].map((r) => ({ ...r, cpu_hours: round(r.cpu_hours), cost: Object.fromEntries(Object.entries(r.cost).map(([k, v]) => [k, round(v)])) }));
  out.sort((a, b) => (q.by === 'day' || q.by === 'hour' ? a.key.localeCompare(b.key) || (a.series ?? '').localeCompare(b.series ?? '') : b.cpu_hours - a.cpu_hours || a.key.localeCompare(b.key) || (a.series ?? '').localeCompare(b.series ?? '')));
  return { since: new Date(sinceMs).toISOString(), until: q.now, by: q.by, ...(q.split ? { split: q.split } : {}), time_zone: q.timeZone, price_date: s.pricing && s.snapshot ? s.snapshot.date : null, total_cpu_hours: round(total), rows: out };
}
