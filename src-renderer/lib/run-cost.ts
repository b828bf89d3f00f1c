// Run costs for the runs list and the run page: fetched once per run state (a finished run's cost does not
// change; a running one is re-read at most every 30 s), shared by every place that shows it.
import type { CallOutput } from '../../src-shared/api/contract';
import { bridge } from './engine';

export type RunCostView = CallOutput<'runs.cost'>;
const cache = new Map<string, { at: number; value: Promise<RunCostView | null> }>();

export function runCostOf(run: { id: string; status: string; finished_at: string | null }): Promise<RunCostView | null> {
  const key = `${run.id}\u0000${run.status}\u0000${run.finished_at ?? ''}`;
  const hit = cache.get(key);
  if (hit && (run.finished_at || Date.now() - hit.at < 30_000)) return hit.value;
  const value = bridge()
    // Totals only: the per-task list of a big run is megabytes that no view here shows.
    .invoke('runs.cost', { id: run.id, tasks: false })
    .catch(() => null);
  cache.set(key, { at: Date.now(), value });
  if (cache.size > 2000) cache.delete(cache.keys().next().value as string);
  return value;
}

/** "12.5 SU", "$0.42 (prices of 2026-11-01)"; null when nothing was costed. */
export function costLabel(c: RunCostView | null, withDate = true): string | null {
  if (!c || c.basis === null || c.costed_tasks === 0) return null;
  const n = c.total >= 100 ? c.total.toFixed(0) : c.total >= 1 ? c.total.toFixed(2) : c.total.toFixed(4);
  const amount = c.currency === 'USD' ? `$${n}` : `${n} ${c.currency ?? ''}`.trim();
  return withDate && c.price_date ? `${amount} (prices of ${c.price_date})` : amount;
}
