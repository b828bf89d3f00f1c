// Monthly budgets wired to the engine: after verdicts land on a backend with `cost.monthly_budget`, its
// month-to-date spend is summed from the store and each newly crossed threshold (80 %, 100 %) becomes one
// notification. What was announced is kept in the data folder (budget-alerts.json), so a restart does not
// repeat it and no schema change is needed. Months are calendar months in the same zone as the usage report (the
// engine's local zone unless one is given): a researcher in Zurich expects November to start at local midnight.
import fs from 'node:fs';
import path from 'node:path';
import type { Notification } from '../../src-shared/api/schemas';
import { clusterTaskCost } from '../pricing/cost';
import type { CostSettings } from '../pricing/settings';
import type { Db } from '../store/db';
import { budgetAlerts, budgetKey, type BudgetAlert } from './budget';
import { costInput, type AttemptCostRow } from './run-cost';
import { localDay, localMonthStart } from './local-days';

export const BUDGET_FILE = 'budget-alerts.json';

/** The zone usage reports default to (usage-call.ts): the engine's local one. */
export const localZone = () => Intl.DateTimeFormat().resolvedOptions().timeZone;

/** YYYY-MM of an instant, in `tz`. */
export const monthOf = (iso: string, tz: string = localZone()) => localDay(Date.parse(iso), tz).slice(0, 7);

/** Cost of every attempt on `backend` that finished this month (retries cost too). */
export function monthToDateSpend(db: Db, s: CostSettings, backend: string, now: string, tz: string = localZone()): { spent: number; currency: string } | null {
  const c = s.backends[backend];
  if (!c) return null;
  const monthStart = new Date(localMonthStart(Date.parse(now), tz)).toISOString();
  const rows = db
    .prepare(
      `SELECT * FROM (
         SELECT t.task_id, a.attempt, t.def_json,
           CASE WHEN t.attempt = a.attempt THEN t.started_at ELSE a.started_at END AS started_at,
           CASE WHEN t.attempt = a.attempt THEN t.finished_at ELSE a.finished_at END AS finished_at,
           a.alloc_tres, a.usage_json
         FROM runs r JOIN attempts a ON a.run_id = r.id JOIN tasks t ON t.run_id = a.run_id AND t.task_id = a.task_id
         WHERE r.backend_name = @backend AND r.created_at >= datetime(@monthStart, '-400 days'))
       WHERE finished_at >= @monthStart AND started_at IS NOT NULL`,
    )
    .all({ backend, monthStart }) as AttemptCostRow[];
  let spent = 0;
  for (const r of rows) spent += clusterTaskCost(costInput(r), c, now).cost ?? 0;
  return { spent: Math.round(spent * 10_000) / 10_000, currency: c.currency };
}

export class BudgetWatch {
  private sent: Set<string>;
  private readonly file: string;
  /** Alerts of the current month, newest last, for health/status. */
  private recent: BudgetAlert[] = [];

  constructor(
    dataDir: string,
    private readonly tz: string = localZone(),
  ) {
    this.file = path.join(dataDir, BUDGET_FILE);
    this.sent = new Set();
    try {
      const saved = JSON.parse(fs.readFileSync(this.file, 'utf8')) as { sent?: BudgetAlert[] };
      for (const a of saved.sent ?? []) {
        this.sent.add(budgetKey(a));
        this.recent.push(a);
      }
    } catch {
      // First start, or an unreadable file: worst case a threshold is announced once more.
    }
  }

  /** New alerts for `backend` (already recorded as sent), as notifications naming the run that crossed. */
  check(db: Db, s: CostSettings | undefined, backend: string, runId: string, now: string): Notification[] {
    const budget = s?.backends[backend]?.monthly_budget;
    if (!s || !budget) return [];
    const spend = monthToDateSpend(db, s, backend, now, this.tz);
    if (!spend) return [];
    const month = monthOf(now, this.tz);
    const alerts = budgetAlerts([{ backend, spent: spend.spent, budget, currency: spend.currency }], month, this.sent);
    if (!alerts.length) return [];
    for (const a of alerts) this.sent.add(budgetKey(a));
    this.recent = [...this.recent.filter((a) => a.month === month), ...alerts];
    this.save();
    return alerts.map((a) => ({
      kind: 'budget',
      level: a.threshold >= 1 ? 'error' : 'info',
      title: `${a.threshold >= 1 ? 'Budget used up' : 'Budget 80 % used'}: ${a.backend}`,
      body: a.message,
      run_id: runId,
      task_id: null,
    }));
  }

  /** This month's announced thresholds (for health/status). */
  current(now: string): BudgetAlert[] {
    const month = monthOf(now, this.tz);
    return this.recent.filter((a) => a.month === month);
  }

  private save(): void {
    // Older months are dropped: their keys can never match again.
    const keep = this.recent.length > 100 ? this.recent.slice(-100) : this.recent;
    const tmp = `${this.file}.${process.pid}.tmp`;
    try {
      fs.writeFileSync(tmp, `${JSON.stringify({ sent: keep }, null, 1)}\n`);
      fs.renameSync(tmp, this.file);
    } catch {
      // A full disk must not stop verdicts; the alert is still sent now.
    }
  }
}
