// The usage ledger (migration 10): every started attempt with the keys a usage report groups by, and the finished
// ones pre-folded into per-UTC-quarter-hour sums. Triggers mark the tasks whose times, attempt, definition or run
// keys changed; `syncUsageLedger` replaces those tasks' ledger rows, inside the caller's transaction. The rows are
// derived exactly as the report used to derive them from tasks/attempts, so the figures do not change.
import type { Db } from './db';

export const QUARTER_MS = 900_000;

/** What one attempt contributes to the ledger (times in epoch ms, as SQLite's julianday reads the stored text). */
export interface LedgerAttempt {
  run_id: string;
  task_id: string;
  attempt: number;
  backend_name: string;
  workflow_name: string;
  source_name: string;
  partition: string;
  cpus: number;
  started_ms: number;
  finished_ms: number | null;
}

export interface QuarterShare {
  q: number;
  cpu_ms: number;
  n: number;
}

/** A finished attempt cut at UTC quarter hours: CPU-ms per quarter, and n = 1 on the quarter it starts in (even when
 * it lasts 0 ms). A quarter it only touches at its first instant gets nothing. */
export function quarterShares(startMs: number, endMs: number, cpus: number): QuarterShare[] {
  if (endMs < startMs) return [];
  const out: QuarterShare[] = [];
  const first = Math.floor(startMs / QUARTER_MS);
  const last = Math.floor(endMs / QUARTER_MS);
  for (let q = first; q <= last; q++) {
    const ms = Math.min(endMs, (q + 1) * QUARTER_MS) - Math.max(startMs, q * QUARTER_MS);
    if (q === first) out.push({ q, cpu_ms: cpus * ms, n: 1 });
    else if (ms > 0) out.push({ q, cpu_ms: cpus * ms, n: 0 });
  }
  return out;
}

// The same millisecond reading as the report's old SQL: julianday accepts every time text SQLite does.
const MS = (col: string) => `CAST(ROUND((julianday(${col}) - 2440587.5) * 86400000.0) AS INTEGER)`;
const KEYS = `r.backend_name, r.workflow_name, COALESCE(r.source_name, '') AS source_name,
  COALESCE(json_extract(t.def_json, '$.partition'), '') AS partition,
  COALESCE(NULLIF(CAST(COALESCE(json_extract(t.def_json, '$.cpus'), 1) AS REAL), 0), 1) AS cpus`;
/** The current attempt's times live on the task row, earlier attempts' on their attempt rows (as ATTEMPT_VIEW). */
const SOURCE_SQL = `
  SELECT t.run_id, t.task_id, t.attempt, ${KEYS}, ${MS('t.started_at')} AS started_ms, ${MS('t.finished_at')} AS finished_ms
    FROM tasks t JOIN runs r ON r.id = t.run_id
   WHERE t.run_id = @run_id AND t.task_id = @task_id AND julianday(t.started_at) IS NOT NULL
  UNION ALL
  SELECT a.run_id, a.task_id, a.attempt, ${KEYS}, ${MS('a.started_at')}, ${MS('a.finished_at')}
    FROM attempts a JOIN tasks t ON t.run_id = a.run_id AND t.task_id = a.task_id JOIN runs r ON r.id = a.run_id
   WHERE a.run_id = @run_id AND a.task_id = @task_id AND a.attempt < t.attempt AND julianday(a.started_at) IS NOT NULL`;

/** Whether this database has the ledger (a read-only file written before migration 10 does not). */
export function hasUsageLedger(db: Db): boolean {
  return !!db.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'usage_dirty'`).get();
}

/** Whether some task changed since the ledger was last brought up to date. */
export function usageLedgerStale(db: Db): boolean {
  return !!db.prepare('SELECT 1 FROM usage_dirty LIMIT 1').get();
}

/**
 * The Store writes a transaction's start/finish marks just before it commits (migration 20); a fold inside that
 * transaction writes them first, through the function the connection's Store registered here.
 */
const pendingMarks = new WeakMap<Db, () => void>();
export function registerPendingUsageMarks(db: Db, flush: () => void): void {
  pendingMarks.set(db, flush);
}

const statements = new WeakMap<Db, ReturnType<typeof prepare>>();
function prepare(db: Db) {
  return {
    dirty: db.prepare('SELECT run_id, task_id FROM usage_dirty LIMIT 5000'),
    undirty: db.prepare('DELETE FROM usage_dirty WHERE run_id = ? AND task_id = ?'),
    old: db.prepare('SELECT * FROM usage_attempts WHERE run_id = ? AND task_id = ?'),
    dropOld: db.prepare('DELETE FROM usage_attempts WHERE run_id = ? AND task_id = ?'),
    source: db.prepare(SOURCE_SQL),
    insert: db.prepare(`INSERT INTO usage_attempts (run_id, task_id, attempt, backend_name, workflow_name, source_name, partition, cpus, started_ms, finished_ms, dur_ms)
      VALUES (@run_id, @task_id, @attempt, @backend_name, @workflow_name, @source_name, @partition, @cpus, @started_ms, @finished_ms, @dur_ms)`),
    keyId: db.prepare('SELECT id FROM usage_keys WHERE backend_name = ? AND partition = ? AND workflow_name = ? AND source_name = ?').pluck(),
    newKey: db.prepare('INSERT INTO usage_keys (backend_name, partition, workflow_name, source_name) VALUES (?, ?, ?, ?)'),
    fold: db.prepare(`INSERT INTO usage_quarters (q, key_id, cpu_ms, n) VALUES (?, ?, ?, ?)
      ON CONFLICT DO UPDATE SET cpu_ms = cpu_ms + excluded.cpu_ms, n = n + excluded.n`),
    // Fractional cpus may leave a residue of float noise where everything was taken back out.
    prune: db.prepare('DELETE FROM usage_quarters WHERE q = ? AND key_id = ? AND n = 0 AND ABS(cpu_ms) < 1e-6'),
  };
}

/**
 * Bring the ledger up to date with every task marked dirty; call inside a transaction (the unit of work's, or the
 * Store's at start). Quarter deltas are summed in memory first, so a backfill of a year costs one upsert per
 * (quarter, key) rather than one per attempt and quarter. Returns how many tasks were re-read.
 */
export function syncUsageLedger(db: Db): number {
  pendingMarks.get(db)?.();
  let prepared = statements.get(db);
  if (!prepared) statements.set(db, (prepared = prepare(db)));
  const st = prepared;
  let done = 0;
  for (;;) {
    const dirty = st.dirty.all() as Array<{ run_id: string; task_id: string }>;
    if (!dirty.length) return done;
    const deltas = new Map<string, { key: [number, number]; cpu_ms: number; n: number }>();
    const keys = new Map<string, number>();
    const keyOf = (a: LedgerAttempt): number => {
      const k = `${a.backend_name}\u0000${a.partition}\u0000${a.workflow_name}\u0000${a.source_name}`;
      let id = keys.get(k);
      if (id === undefined) {
        const row = [a.backend_name, a.partition, a.workflow_name, a.source_name];
        id = (st.keyId.get(...row) as number | undefined) ?? Number(st.newKey.run(...row).lastInsertRowid);
        keys.set(k, id);
      }
      return id;
    };
    const fold = (a: LedgerAttempt, sign: 1 | -1) => {
      if (a.finished_ms === null) return;
      const key = keyOf(a);
      for (const s of quarterShares(a.started_ms, a.finished_ms, a.cpus)) {
        const id = `${s.q}:${key}`;
        let d = deltas.get(id);
        if (!d) deltas.set(id, (d = { key: [s.q, key], cpu_ms: 0, n: 0 }));
        d.cpu_ms += sign * s.cpu_ms;
        d.n += sign * s.n;
      }
    };
    for (const { run_id, task_id } of dirty) {
      for (const a of st.old.all(run_id, task_id) as LedgerAttempt[]) fold(a, -1);
      st.dropOld.run(run_id, task_id);
      for (const a of st.source.all({ run_id, task_id }) as LedgerAttempt[]) {
        // An attempt that ended before it started never counted in a report; neither does it here.
        if (a.finished_ms !== null && a.finished_ms < a.started_ms) continue;
        a.partition = String(a.partition);
        st.insert.run({ ...a, dur_ms: a.finished_ms === null ? null : a.finished_ms - a.started_ms });
        fold(a, 1);
      }
      st.undirty.run(run_id, task_id);
    }
    for (const d of deltas.values()) {
      if (d.cpu_ms === 0 && d.n === 0) continue;
      st.fold.run(...d.key, d.cpu_ms, d.n);
      if (d.n < 0 || d.cpu_ms < 0) st.prune.run(...d.key);
    }
    done += dirty.length;
  }
}
