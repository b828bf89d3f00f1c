// CPU-hours and cost over time from the store (no side file): per local day, backend or workflow. Every attempt
// counts (retries used the machine too); running tasks count up to `now`. Cost here is the per-CPU-hour part
// (allocation `per_cpu_hour`, or the cloud share formula, which is linear in CPU-hours); GPU/GB/billing-TRES
// components are only in `runs.cost`.
import type { Db } from '../store/db';
import type { CostSettings } from '../pricing/settings';
import { lookupPrice } from '../pricing/snapshot';
import { checkTimeZone, localDay, localHour, offsetAt } from './local-days';
import { hasUsageLedger, syncUsageLedger, usageLedgerStale } from '../store/usage-ledger';

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

/** The slow way, for a read-only file without a current usage ledger (src-main/store/usage-ledger.ts): attempts
 * aggregated in SQL (a year of history is ~200k attempts: costing each in JS took seconds). Each attempt,
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

const LEDGER_COL: Record<UsageSplit, string> = { backend: 'backend_name', workflow: 'workflow_name', source: `CASE source_name WHEN '' THEN '${NO_SOURCE}' ELSE source_name END` };

/** The ledger answers when it is there and current; a writable store is brought up to date first. A read-only
 * file written by an older version, or with changes not yet folded in, is read the slow way. */
function ledgerReady(db: Db): boolean {
  if (!hasUsageLedger(db)) return false;
  if (db.readonly) return !usageLedgerStale(db);
  db.transaction(() => syncUsageLedger(db))();
  return true;
}

/**
 * From the ledger: whole UTC quarter hours inside [since, now] from the pre-folded sums (finished attempts), and
 * the rest attempt by attempt — running attempts (not folded), and the parts of finished ones in the partial
 * quarters at either end. An attempt is counted (n) where its clipped start falls: in the fold when it started
 * inside the folded quarters, here otherwise.
 */
function fromLedger(db: Db, sinceMs: number, nowMs: number, key: UsageSplit | null, split: UsageSplit | null, time: 'day' | 'hour' | null, tz: string, sink: Sink): void {
  const B = Math.ceil(sinceMs / Q) * Q;
  const E = Math.floor(nowMs / Q) * Q;
  const folded = B < E;
  const k = key ? LEDGER_COL[key] : 'NULL';
  const ser = split ? LEDGER_COL[split] : 'NULL';
  if (folded) {
    // Rows are four numbers (quarter, key id, CPU-ms, starts). A UTC quarter hour lies in one local day/hour (zone
    // offsets are whole quarters).
    const groups = new Map<number, Group>();
    for (const g of db.prepare(`SELECT id, backend_name, partition, ${k} AS k, ${ser} AS ser FROM usage_keys`).all() as Array<Group & { id: number }>) groups.set(g.id, g);
    const unit = time === 'day' ? 86_400_000 : 3_600_000;
    // Summed in SQL on integer keys, per stretch of constant zone offset (DST changes split a year in ~3), so only
    // (bucket, key) sums come back: materialising every quarter row in JS cost ~5x the scan.
    const segments: Array<[number, number, number]> = [];
    if (time) {
      // Offsets change on whole UTC hours: walk those, clipped to [B, E).
      for (let h = Math.floor(B / 3_600_000) * 3_600_000; h < E; h += 3_600_000) {
        const off = offsetAt(h, tz);
        const last = segments[segments.length - 1];
        if (last && last[2] === off) last[1] = Math.min(h + 3_600_000, E);
        else segments.push([Math.max(h, B), Math.min(h + 3_600_000, E), off]);
      }
    } else segments.push([B, E, 0]);
    const sum = db.prepare(`SELECT ${time ? `(q * ${Q} + CAST(@off AS INTEGER)) / ${unit}` : '0'} AS b, key_id, SUM(cpu_ms), SUM(n) FROM usage_quarters WHERE q >= @a AND q < @z GROUP BY b, key_id`).raw();
    const sums: Array<{ key: number; bucket: number; cpu: number; n: number }> = [];
    for (const [from, to, off] of segments)
      for (const [bucket, key, cpu, n] of sum.all({ a: from / Q, z: to / Q, ...(time ? { off } : {}) }) as Array<[number, number, number, number]>) sums.push({ key, bucket, cpu, n });
    const names = new Map<number, string>();
    const name = (b: number) => {
      let s = names.get(b);
      if (s === undefined) names.set(b, (s = time === 'day' ? new Date(b * unit).toISOString().slice(0, 10) : String(((b % 24) + 24) % 24).padStart(2, '0')));
      return s;
    };
    for (const a of sums) if (a.cpu !== 0 || a.n !== 0) sink.keyed(groups.get(a.key)!, time ? name(a.bucket) : '', a.cpu, a.n);
  }
  // Finished attempts overlapping `since` started at most the longest attempt's duration before it.
  const maxDur = (db.prepare('SELECT MAX(dur_ms) AS m FROM usage_attempts').get() as { m: number | null }).m ?? 0;
  const cols = `run_id, task_id, attempt, backend_name, partition, cpus, started_ms, finished_ms, ${k} AS k, ${ser} AS ser`;
  const edge = db
    .prepare(
      `SELECT ${cols} FROM usage_attempts WHERE finished_ms IS NULL
       UNION SELECT ${cols} FROM usage_attempts WHERE started_ms >= @lo AND started_ms < @head AND finished_ms >= @since
       ${folded ? `UNION SELECT ${cols} FROM usage_attempts WHERE finished_ms >= @tail AND started_ms <= @now` : ''}`,
    )
    .all({ lo: sinceMs - maxDur, head: folded ? B : nowMs + 1, since: sinceMs, ...(folded ? { tail: E, now: nowMs } : {}) }) as Array<
    Group & { cpus: number; started_ms: number; finished_ms: number | null }
  >;
  for (const a of edge) {
    const s = Math.max(a.started_ms, sinceMs);
    const e = Math.min(a.finished_ms ?? nowMs, nowMs);
    if (e < s) continue;
    if (a.finished_ms === null || !folded) {
      sink.interval(a, s, e, a.cpus, 1);
      continue;
    }
    if (a.started_ms < B || a.started_ms >= E) sink.interval(a, s, s, a.cpus, 1);
    if (s < B && Math.min(e, B) > s) sink.interval(a, s, Math.min(e, B), a.cpus, 0);
    if (e > E && e > Math.max(s, E)) sink.interval(a, Math.max(s, E), e, a.cpus, 0);
  }
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

/** A group of the report: its rate's keys, and its row key (non-time reports) and series. */
interface Group {
  backend_name: string;
  partition: string | null;
  k: string | null;
  ser: string | null;
}
type Sink = {
  /** CPU-ms of one UTC quarter hour (time reports) or of the whole window (others), with attempts counted there. */
  quarter(g: Group, q: number, cpuMs: number, n: number): void;
  /** CPU-ms already in a report bucket (`key` is the local day or hour; other reports use the group's key). */
  keyed(g: Group, key: string, cpuMs: number, n: number): void;
  /** Part [from, to) of an attempt with `cpus`, cut at quarter hours for time reports; n counts at `from`. */
  interval(g: Group, from: number, to: number, cpus: number, n: number): void;
};

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
  const bucketKey = (ms: number) => (q.by === 'day' ? localDay(ms, q.timeZone) : String(localHour(ms, q.timeZone)).padStart(2, '0'));
  // Consecutive quarters mostly come in order: remember the last one's bucket (a year by day is ~35k quarters).
  let lastQ = NaN;
  let lastKey = '';
  const quarterKey = (qi: number) => {
    if (qi !== lastQ) {
      lastQ = qi;
      lastKey = bucketKey(qi * Q);
    }
    return lastKey;
  };
  const rateOf = (g: Group) => {
    const rk = `${g.backend_name}\u0000${g.partition ?? ''}`;
    if (!rates.has(rk)) rates.set(rk, cpuHourRate(s, g.backend_name, g.partition || null));
    series = q.split ? (g.ser ?? '') : undefined;
    return rates.get(rk)!;
  };
  const sink: Sink = {
    quarter(g, qi, cpuMs, n) {
      const rate = rateOf(g);
      total += cpuMs / 3_600_000;
      add(byTime ? quarterKey(qi) : (g.k ?? ''), cpuMs / 3_600_000, rate, n);
    },
    keyed(g, key, cpuMs, n) {
      const rate = rateOf(g);
      total += cpuMs / 3_600_000;
      add(byTime ? key : (g.k ?? ''), cpuMs / 3_600_000, rate, n);
    },
    interval(g, from, to, cpus, n) {
      const rate = rateOf(g);
      total += (cpus * (to - from)) / 3_600_000;
      if (!byTime) {
        add(g.k ?? '', (cpus * (to - from)) / 3_600_000, rate, n);
        return;
      }
      // Attempts are counted in the local day/hour they start in; a bucket they only end on at its first instant
      // gets nothing.
      if (n) add(quarterKey(Math.floor(from / Q)), 0, rate, n);
      for (let t = from; t < to; ) {
        const qi = Math.floor(t / Q);
        const next = Math.min((qi + 1) * Q, to);
        add(quarterKey(qi), (cpus * (next - t)) / 3_600_000, rate, 0);
        t = next;
      }
    },
  };
  const keyExpr = byTime ? null : q.by;
  const split = q.split ?? null;
  if (ledgerReady(db)) fromLedger(db, sinceMs, nowMs, keyExpr as UsageSplit | null, split, q.by === 'day' ? 'day' : q.by === 'hour' ? 'hour' : null, q.timeZone, sink);
  else {
    for (const g of buckets(db, new Date(sinceMs).toISOString(), sinceMs, nowMs, keyExpr ? GROUP_SQL[keyExpr as UsageSplit] : null, split ? GROUP_SQL[split] : null, byTime)) {
      if (!byTime) {
        sink.quarter(g, 0, g.cd, g.n);
        continue;
      }
      if (g.sq === g.eq) {
        sink.quarter(g, g.sq, g.cd, g.n);
        continue;
      }
      sink.quarter(g, g.sq, g.c * Q - g.cs, g.n);
      for (let qi = g.sq + 1; qi < g.eq; qi++) sink.quarter(g, qi, g.c * Q, 0);
      if (g.ce > 0) sink.quarter(g, g.eq, g.ce, 0);
    }
  }
  const out = [...rows.values()].map((r) => ({ ...r, cpu_hours: round(r.cpu_hours), cost: Object.fromEntries(Object.entries(r.cost).map(([k, v]) => [k, round(v)])) }));
  out.sort((a, b) => (q.by === 'day' || q.by === 'hour' ? a.key.localeCompare(b.key) || (a.series ?? '').localeCompare(b.series ?? '') : b.cpu_hours - a.cpu_hours || a.key.localeCompare(b.key) || (a.series ?? '').localeCompare(b.series ?? '')));
  return { since: new Date(sinceMs).toISOString(), until: q.now, by: q.by, ...(q.split ? { split: q.split } : {}), time_zone: q.timeZone, price_date: s.pricing && s.snapshot ? s.snapshot.date : null, total_cpu_hours: round(total), rows: out };
}
