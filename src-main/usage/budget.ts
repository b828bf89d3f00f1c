// Monthly budget warnings: which thresholds (80 %, 100 %) a backend's spend has newly crossed this month.
// Pure: the caller keeps `already` (thresholds announced per backend and month) so each is announced once.
export const BUDGET_THRESHOLDS = [0.8, 1] as const;

export interface BudgetAlert {
  backend: string;
  month: string;
  threshold: number;
  spent: number;
  budget: number;
  currency: string;
  message: string;
}

export function budgetAlerts(
  spend: ReadonlyArray<{ backend: string; spent: number; budget: number | undefined; currency: string }>,
  month: string,
  already: ReadonlySet<string>,
): BudgetAlert[] {
  const out: BudgetAlert[] = [];
  for (const s of spend) {
    if (!s.budget || s.budget <= 0) continue;
    for (const t of BUDGET_THRESHOLDS) {
      const key = `${s.backend}\u0000${month}\u0000${t}`;
      if (s.spent < s.budget * t || already.has(key)) continue;
      const pct = Math.round((s.spent / s.budget) * 100);
      out.push({ backend: s.backend, month, threshold: t, spent: s.spent, budget: s.budget, currency: s.currency, message: `${s.backend} has used ${pct} % of its ${month} budget (${s.spent.toFixed(2)} of ${s.budget} ${s.currency})` });
    }
  }
  return out;
}

export const budgetKey = (a: Pick<BudgetAlert, 'backend' | 'month' | 'threshold'>) => `${a.backend}\u0000${a.month}\u0000${a.threshold}`;
