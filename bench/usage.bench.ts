// usage.summary over a year of history: 10,000 runs x 20 tasks spread over 365 days in a temp SQLite file built
// through the Store. Target: < 100 ms per report (medians; never asserted).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Store } from '../src-main/store/store';
import { usageReport, type UsageGroup, type UsageSplit } from '../src-main/usage/usage-query';
import { monthToDateSpend } from '../src-main/usage/budget-watch';
import { syncUsageLedger } from '../src-main/store/usage-ledger';
import type { CostSettings } from '../src-main/pricing/settings';
import { machineLoad, writeBenchResult, type BenchFigure } from './lib/report';
import { insertBenchRun, timeMs } from './lib/paged-data';

const RUNS = Number(process.env.USAGE_BENCH_RUNS ?? 10_000);
const TASKS_PER_RUN = 20;
const REPS = Number(process.env.USAGE_BENCH_REPS ?? 9);
const TARGET_MS = 100;
const BACKENDS = ['local', 'hpc', 'aws'];
const WORKFLOWS = ['align', 'call_variants', 'qc', 'report', 'train'];
const NOW = '2026-01-01T00:00:00.000Z';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'scripthut-bench-'));
try {
  const store = new Store(path.join(dir, 'usage.db'));
  const t0 = performance.now();
  const start = Date.parse(NOW) - 365 * 86_400_000;
  const step = (365 * 86_400_000) / RUNS;
  for (let r = 0; r < RUNS; r += 500) {
    store.tx(() => {
      for (let i = r; i < r + 500; i++) {
        insertBenchRun(store, `run${String(i).padStart(5, '0')}`, new Date(start + i * step).toISOString(), TASKS_PER_RUN, { backend: BACKENDS[i % BACKENDS.length], workflow: WORKFLOWS[i % WORKFLOWS.length] });
      }
    });
  }
  // A year of history is finished: tasks the shared builder leaves running end after an hour, except in the last
  // day's runs (otherwise every one of them would run until NOW and the year would hold ~35 million CPU-hours).
  store.db
    .prepare(`UPDATE tasks SET status = 'completed', finished_at = strftime('%Y-%m-%dT%H:%M:%SZ', started_at, '+1 hour') WHERE finished_at IS NULL AND started_at IS NOT NULL AND started_at < ?`)
    .run(new Date(Date.parse(NOW) - 86_400_000).toISOString());
  const buildS = (performance.now() - t0) / 1000;
  // The usage ledger folds in what the rows above changed, as an engine does at start (the backfill of a database
  // written before migration 10 is this same step).
  const t1 = performance.now();
  const folded = store.tx(() => syncUsageLedger(store.db));
  const ledgerS = (performance.now() - t1) / 1000;
  const ledgerRows = (store.db.prepare('SELECT (SELECT COUNT(*) FROM usage_attempts) AS a, (SELECT COUNT(*) FROM usage_quarters) AS q').get() as { a: number; q: number });
  const cost: CostSettings = { backends: { hpc: { currency: 'SU', per_cpu_hour: 1, partitions: {} } }, pricing: null, snapshot: null, snapshotError: null };
  const cases: Array<[string, UsageGroup, string, string, UsageSplit?]> = [
    ['year by day (UTC)', 'day', '2025-01-01', 'UTC'],
    ['year by day (Europe/Zurich)', 'day', '2025-01-01', 'Europe/Zurich'],
    ['year by backend', 'backend', '2025-01-01', 'UTC'],
    ['year by workflow', 'workflow', '2025-01-01', 'UTC'],
    ['year by source', 'source', '2025-01-01', 'UTC'],
    ['last 30 days by day', 'day', '2025-12-02', 'UTC'],
    // The Usage page's charts: hours of the day stacked by source, cost per day by backend.
    ['last 30 days by hour, split by source (Europe/Zurich)', 'hour', '2025-12-02', 'Europe/Zurich', 'source'],
    ['last 90 days by day, split by backend', 'day', '2025-10-03', 'UTC', 'backend'],
  ];
  const figures: BenchFigure[] = [
    { name: 'usage ledger: fold a year of history in (backfill)', value: Number(ledgerS.toFixed(2)), unit: 's', target: 'once, at start', met: true, note: `${folded} tasks, ${ledgerRows.a} attempt rows, ${ledgerRows.q} quarter-hour rows` },
  ];
  for (const [name, by, since, timeZone, split] of cases) {
    let rows = 0;
    let hours = 0;
    const t = timeMs(REPS, () => {
      const u = usageReport(store.db, cost, { since, by, timeZone, now: NOW, ...(split ? { split } : {}) });
      rows = u.rows.length;
      hours = u.total_cpu_hours;
    });
    figures.push({ name, value: t.median, unit: 'ms', target: `< ${TARGET_MS} ms`, met: t.median < TARGET_MS, note: `min ${t.min} ms, max ${t.max} ms, ${rows} rows, ${Math.round(hours)} CPU-hours` });
  }
  // The budget check after a verdict: the month-to-date spend of one backend.
  let spent = 0;
  const b = timeMs(REPS, () => {
    spent = monthToDateSpend(store.db, cost, 'hpc', '2025-12-31T12:00:00.000Z')?.spent ?? 0;
  });
  figures.push({ name: 'budget: month-to-date spend of one backend', value: b.median, unit: 'ms', target: `< ${TARGET_MS} ms`, met: b.median < TARGET_MS, note: `min ${b.min} ms, max ${b.max} ms, ${Math.round(spent)} SU` });
  store.close();
  writeBenchResult('usage', figures, { runs: RUNS, tasks: RUNS * TASKS_PER_RUN, reps: REPS, build_s: Number(buildS.toFixed(1)), platform: `${os.platform()} ${os.arch()}`, ...machineLoad() });
} finally {
  fs.rmSync(dir, { recursive: true, force: true });
}
